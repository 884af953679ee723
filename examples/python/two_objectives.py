#!/usr/bin/env python3
"""Two objectives at once from Python: accuracy against network size. Submits a
small NSGA-II sweep on the digits images, waits for it, and prints its Pareto front
(the trials no other one beats on both) and the hypervolume it dominates.

    ./scripts/build.sh hpsearch-server hpsearch_python
    build/bin/hpsearch-server --db /tmp/hpsearch.db &      # listens on 127.0.0.1:50051
    PYTHONPATH=build/python python3 examples/python/two_objectives.py

HPSEARCH_SERVER and HPSEARCH_TOKEN work as for the CLI.
"""

import time

import hpsearch

SPEC = {
    "name": "two-objectives-example",
    "dataset": {"name": "digits", "validation": 0.2},
    "objective": [{"metric": "val_accuracy", "goal": "maximize"},
                  {"metric": "parameter_count", "goal": "minimize"}],
    "method": "nsga2",
    "nsga2": {"population": 8},
    "seed": 4,
    "budget": {"max_trials": 24},
    "fixed": {"epochs": 10, "optimizer": "adam"},
    "parameters": {
        "hidden": {"values": [[4], [8], [16], [32], [64], [16, 16], [64, 32]]},
        "lr": {"min": 1.0e-3, "max": 3.0e-2, "scale": "log"},
    },
}


def main() -> None:
    with hpsearch.Client() as client:
        sweep = client.submit(SPEC)
        while not sweep.done:
            time.sleep(0.5)
            sweep = sweep.status()
        p = sweep.pareto
        print(f"{sweep.id} {sweep.name}: {sweep.status}, {p.front_size} trials on the front of "
              f"{p.ranked_trials}, hypervolume {p.hypervolume:.4g}")
        print(f"{'trial':>5} {'val_accuracy':>12} {'parameters':>10}  hidden")
        for t in sweep.pareto_front():
            accuracy, size = t.objective_values
            print(f"{t.number:>5} {accuracy:>12.4f} {int(size):>10}  {t.params['hidden']}")


if __name__ == "__main__":
    main()
