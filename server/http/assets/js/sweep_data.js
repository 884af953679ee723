// What a sweep's JSON (GET /api/v1/sweeps/{id}) says: its objective, its parameters,
// its progress.
import { duration, fmt, formatNumber, num, sweepStatus } from "./format.js";

// Trials that have finished, one way or another.
export function done(c) {
  return num(c.completed) + num(c.failed) + num(c.pruned) + num(c.cancelled);
}

export function objectiveOf(sweep) {
  return { metric: sweep.objective_metric || "objective", maximize: Boolean(sweep.maximize) };
}

// The searched parameters, in spec order.
export function paramNames(sweep) {
  return ((sweep.spec && sweep.spec.parameters) || []).map((p) => p.name);
}

// Parameters with more than one value: what slice plots and importance show.
export function searched(sweep) {
  return ((sweep.spec && sweep.spec.parameters) || []).filter((p) =>
    (p.range && p.range.max > p.range.min) || (p.values && (p.values.values || []).length > 1));
}

const stopping = (sweep) => sweepStatus(sweep.status) === "stopping";

// Elapsed time and, while it runs, the time left at the sweep's own rate so far (as `hpsearch status`).
export function eta(sweep) {
  const end = num(sweep.finished_ms) || Date.now();
  // Running time: not the time it sat finished before an extend or retry.
  const elapsed = Math.max(0, (end - num(sweep.created_ms) - num(sweep.idle_ms)) / 1000);
  // A stopping sweep finishes what runs; the trials it has not started never will.
  const d = done(sweep.counts);
  const total = num(sweep.total_trials) - (stopping(sweep) ? num(sweep.counts.not_started) : 0);
  let out = " · elapsed " + duration(elapsed);
  if (!num(sweep.finished_ms) && d > 0 && d < total) out += " · ETA " + duration((elapsed / d) * (total - d));
  return out;
}

// The sweep page's line under the title: status, counts, time, objective, best trial.
export function summary(sweep) {
  const c = sweep.counts;
  const { metric, maximize } = objectiveOf(sweep);
  return sweepStatus(sweep.status) + " · " + done(c) + "/" + sweep.total_trials + " done · " + c.running + " running · " +
    c.completed + " completed · " + c.failed + " failed · " + c.pruned + " pruned · " + c.cancelled + " cancelled" +
    (num(c.not_started) ? " · " + c.not_started +
      (num(sweep.finished_ms) ? " never started" : stopping(sweep) ? " will not start" : " to come") : "") +
    eta(sweep) + " · " + (maximize ? "maximize " : "minimize ") + metric +
    (sweep.best_objective === undefined ? "" : " · best " + formatNumber(sweep.best_objective, 4, true) +
      " (trial " + sweep.best_trial + ")") +
    (sweep.status_reason ? " · " + sweep.status_reason : "");
}

// What the importance chart rests on, or why it is empty: below the server's
// minimum of completed trials the importances are withheld (the best 10% would be
// one trial).
export function importanceNote(imp) {
  const n = Number(imp.completed_trials || 0), min = Number(imp.minimum_trials || 0);
  if (n < min) return `Importance: withheld until ${min} trials have completed (${n} so far): below that the best 10% is a trial or two.`;
  return `Importance: PED-ANOVA over ${n} completed trials (the best 10% against all).`;
}
