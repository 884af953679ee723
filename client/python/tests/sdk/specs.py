"""Small, fast specs the tests submit."""

from __future__ import annotations

from typing import Any, Dict


def builtin(name: str, trials: int = 4, **extra: Any) -> Dict[str, Any]:
    """A built-in trainer sweep on a small synthetic dataset: well under a second a trial."""
    spec: Dict[str, Any] = {
        "name": name,
        "dataset": {"name": "xor", "samples": 200},
        "objective": {"metric": "val_accuracy", "goal": "maximize"},
        "method": "random",
        "seed": 3,
        "budget": {"max_trials": trials},
        "fixed": {"epochs": 2, "hidden": [8]},
        "parameters": {
            "lr": {"min": 0.001, "max": 0.3, "scale": "log"},
            "batch_size": {"values": [16, 32]},
        },
    }
    spec.update(extra)
    return spec


def external(name: str, trials: int = 10, method: str = "random", seed: int = 1,
             **extra: Any) -> Dict[str, Any]:
    """An ask-and-tell sweep on f(x, y) = (x - 3)^2 + (y + 1)^2 over [-10, 10]^2."""
    spec: Dict[str, Any] = {
        "name": name,
        "trainer": "external",
        "objective": {"metric": "loss", "goal": "minimize"},
        "method": method,
        "seed": seed,
        "budget": {"max_trials": trials},
        # Float bounds: a range written with integer bounds is an integer range here.
        "parameters": {"x": {"min": -10.0, "max": 10.0}, "y": {"min": -10.0, "max": 10.0}},
    }
    spec.update(extra)
    return spec


def f(params: Dict[str, Any]) -> float:
    return (params["x"] - 3) ** 2 + (params["y"] + 1) ** 2
