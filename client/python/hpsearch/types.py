"""The plain values the SDK returns (dataclasses; never protobuf messages)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional

if TYPE_CHECKING:
    from hpsearch.sweeps import Sweep


@dataclass(frozen=True)
class TrialCounts:
    """A sweep's trials by status (rows, as ``trials()`` lists them). ``not_started``:
    planned trials without a row, still to come while the sweep runs, never to start
    once it is stopping or has ended; the seven add up to ``total_trials``."""

    pending: int = 0
    running: int = 0
    completed: int = 0
    failed: int = 0
    pruned: int = 0
    cancelled: int = 0
    not_started: int = 0

    @property
    def done(self) -> int:
        """Trials that have finished, however they ended."""
        return self.completed + self.failed + self.pruned + self.cancelled


@dataclass(frozen=True)
class ServerInfo:
    """The server's version and setup."""

    version: str
    schema_version: int
    embedded_slots: int


@dataclass(frozen=True)
class WorkerTrial:
    """A trial a worker holds."""

    sweep_id: str
    number: int
    attempt: int


@dataclass(frozen=True)
class Worker:
    """A worker that called in within one lease: "embedded", a remote worker's id, or
    "sdk" for the ask-and-tell clients (each client id, ``sdk/host-pid``, a slot)."""

    name: str
    embedded: bool
    slots: List[str]
    last_seen: Optional[datetime.datetime]
    running: List[WorkerTrial]


@dataclass(frozen=True)
class Attempt:
    """One attempt at a trial (a first run, or a retry after a lost lease or ``retry``)."""

    attempt: int
    worker: str
    started: Optional[datetime.datetime]
    finished: Optional[datetime.datetime]
    outcome: str  # "completed", "failed: <reason>", "cancelled", "lease expired", ...
    seed: int


@dataclass(frozen=True)
class Trial:
    """One trial of a sweep.

    ``params``: plain Python values (see docs/python.md, "Parameter values": an
    integral number is an ``int`` unless its parameter is a float range). ``curve``
    and ``attempts`` are filled by ``Sweep.trial(n)`` only (None elsewhere): the curve
    is one dict per epoch, ``{"epoch": 1, "lr": ..., "seconds": ..., <metric>: ...}``
    (``lr`` None where a program or loop reported none).
    """

    sweep_id: str
    number: int
    status: str  # "pending", "running", "completed", "failed", "pruned", "cancelled"
    params: Dict[str, Any]
    seed: int
    attempt: int
    worker: str
    objective: Optional[float]
    metrics: Dict[str, float]
    failure_reason: str
    parameter_count: int
    epochs_run: int  # the last epoch it reported (0: none): where a pruned trial stopped
    created: Optional[datetime.datetime]
    started: Optional[datetime.datetime]
    finished: Optional[datetime.datetime]
    curve: Optional[List[Dict[str, float]]] = None
    attempts: Optional[List[Attempt]] = None
    # A multi-objective sweep's completed trial: its value of each objective (the
    # spec's order) and its non-domination rank (0: on the Pareto front). None otherwise.
    objective_values: Optional[List[float]] = None
    pareto_rank: Optional[int] = None


@dataclass(frozen=True)
class ParetoSummary:
    """A multi-objective sweep's Pareto front as ``status()`` reports it: its size, the
    completed trials ranked (those with every objective), and the hypervolume the
    front dominates, bounded by ``reference_point`` (per objective, the worst value
    among the ranked trials pushed 10% further out)."""

    metrics: List[str]
    maximize: List[bool]
    front_size: int
    ranked_trials: int
    hypervolume: float
    reference_point: List[float]


@dataclass(frozen=True)
class Importance:
    """How much each searched parameter mattered (PED-ANOVA): ``shares`` maps a
    parameter to its share (they sum to 1, or are all 0), most important first;
    empty while withheld (fewer than ``minimum_trials`` completed trials)."""

    shares: Dict[str, float]
    completed_trials: int
    minimum_trials: int
    method: str
    target_quantile: float

    @property
    def withheld(self) -> bool:
        """True while too few trials have completed to say."""
        return not self.shares


@dataclass(frozen=True)
class Epoch:
    """One epoch a running trial reported, as a watch sees it."""

    trial: int
    epoch: int
    metrics: Dict[str, float]
    lr: Optional[float]  # None: the trial's program or loop reported no `lr`
    seconds: float


@dataclass(frozen=True)
class Event:
    """One event of ``Sweep.watch()``.

    ``kind``: "snapshot" (the first, and the first after a reconnect), "trial" (a
    trial changed state: ``trial``), "epoch" (a running trial finished an epoch:
    ``epoch``), "catch_up" (``skipped`` events were dropped because the reader was
    slow) or "end" (the sweep has finished: the last event). ``sweep`` is the sweep
    after the event.
    """

    kind: str
    time: Optional[datetime.datetime]
    sweep: "Sweep"
    trial: Optional[Trial] = None
    epoch: Optional[Epoch] = None
    skipped: int = 0


@dataclass(frozen=True)
class RetryResult:
    """What ``Sweep.retry()`` did: the sweep after it, the trials requeued and the
    never-started trials of a finished sweep that now run."""

    sweep: "Sweep"
    requeued: int
    resumed: int

