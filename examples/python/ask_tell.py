#!/usr/bin/env python3
"""Ask and tell: the server's TPE search with ASHA pruning drives a loop that runs
here, minimising f(x, y) = (x - 3)^2 + (y + 1)^2 "trained" over 10 epochs (each
epoch's loss closes in on f). Pruned trials stop early.

    ./scripts/build.sh hpsearch-server hpsearch_python
    build/bin/hpsearch-server --db /tmp/hpsearch.db &      # listens on 127.0.0.1:50051
    PYTHONPATH=build/python python3 examples/python/ask_tell.py
"""

import hpsearch

SPEC = """
name: ask-tell-example
trainer: external
objective: {metric: loss, goal: minimize}
method: tpe
seed: 1
pruning: {method: asha}
budget: {max_trials: 40}
fixed: {epochs: 10}
parameters:
  x: {min: -10.0, max: 10.0}    # float bounds: a float range
  y: {min: -10.0, max: 10.0}
"""


def f(x: float, y: float) -> float:
    return (x - 3) ** 2 + (y + 1) ** 2


def main() -> None:
    with hpsearch.Client() as client:
        sweep = client.submit(SPEC)
        while (trial := sweep.ask()) is not None:
            with trial:  # an exception fails the trial and propagates
                p = trial.params
                for epoch in range(1, p["epochs"] + 1):
                    loss = f(p["x"], p["y"]) + 10.0 / epoch
                    if trial.report(epoch, loss=loss):
                        print(f"trial {trial.number}: {trial.stop_reason}")
                        break
                else:
                    trial.tell(loss=f(p["x"], p["y"]))
        done = sweep.status()
        best = done.best(k=1)[0]
        print(f"{done.id}: {done.counts.completed} completed, {done.counts.pruned} pruned; "
              f"best loss {best.objective:.4f} at x={best.params['x']:.3f}, y={best.params['y']:.3f}")


if __name__ == "__main__":
    main()
