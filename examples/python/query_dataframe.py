#!/usr/bin/env python3
"""Query a sweep into a pandas DataFrame: its best trials, the trials meeting a
condition, and which parameters mattered.

    ./scripts/build.sh hpsearch hpsearch-server hpsearch_python
    build/bin/hpsearch-server --db /tmp/hpsearch.db &      # listens on 127.0.0.1:50051
    build/bin/hpsearch submit examples/quickstart.yaml --watch
    PYTHONPATH=build/python python3 examples/python/query_dataframe.py quickstart

Needs pandas (Debian: python3-pandas) for the DataFrame; HPSEARCH_SERVER and
HPSEARCH_TOKEN work as for the CLI.
"""

import sys

import hpsearch


def main(name: str) -> None:
    with hpsearch.Client() as client:
        sweep = client.sweep(name)
        print(f"{sweep.id} {sweep.name}: {sweep.status}, {sweep.counts.done}/{sweep.total_trials} done, "
              f"best {sweep.objective_metric} {sweep.best_objective} (trial {sweep.best_trial})")
        df = sweep.to_dataframe(status="completed")
        searched = [p["name"] for p in sweep.spec.get("parameters", [])]
        best = df.sort_values("objective", ascending=not sweep.maximize).head(5)
        print(best[["number", "objective", *searched]].to_string(index=False))
        importance = sweep.importance()
        for param, share in importance.shares.items():
            print(f"{param:>12} {share:6.1%}")
        if importance.withheld:
            print(f"importance withheld: {importance.completed_trials} completed trials, "
                  f"{importance.minimum_trials} needed")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "quickstart")
