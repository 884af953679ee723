// Trials' details (GET /api/v1/sweeps/{id}/trials/{n}: the per-epoch metrics) for the
// sweep page's learning curves and the table's epochs column: a few requests at a
// time; a finished trial's kept (it no longer changes), without its activation
// statistics.
import { api, ApiError } from "./api.js";
import { num } from "./format.js";

const FINISHED = ["COMPLETED", "FAILED", "PRUNED", "CANCELLED"];

// The epochs a trial reported metrics for (its curve's length).
export function epochsRun(t) {
  return new Set((t.epochs || []).filter((e) => e.metrics && Object.keys(e.metrics).length).map((e) => num(e.epoch))).size;
}

export class TrialCache {
  constructor(sweepId, parallel = 6) {
    this.route = "/api/v1/sweeps/" + encodeURIComponent(sweepId) + "/trials/";
    this.parallel = parallel;
    this.kept = new Map();  // index → a finished trial
  }

  // Trials `indices` (numbers), as a Map index → trial, in the order asked; an index
  // without a trial (404) is left out.
  async get(indices) {
    const out = new Map();
    const todo = [];
    for (const i of indices) {
      if (this.kept.has(i)) out.set(i, this.kept.get(i));
      else todo.push(i);
    }
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const i = todo[next++];
        try {
          const t = await api(this.route + i);
          const lean = { index: num(t.index), status: t.status, objective: t.objective, epochs: t.epochs || [],
                         started_ms: t.started_ms, finished_ms: t.finished_ms };
          if (FINISHED.includes(t.status)) this.kept.set(i, lean);
          out.set(i, lean);
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.parallel, todo.length) }, worker));
    return new Map(indices.filter((i) => out.has(i)).map((i) => [i, out.get(i)]));
  }
}
