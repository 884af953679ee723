// Live updates: a page on a sweep follows the sweep's server-sent events
// (/api/v1/sweeps/{id}/events) and asks to be redrawn (`onChange`) when an event that
// matters to it arrives. A finished sweep has no stream (it would end at once).
import { hooks } from "./hooks.js";

export const FINAL = ["SWEEP_COMPLETED", "SWEEP_FAILED", "SWEEP_CANCELLED"];

export class Follower {
  constructor(onChange) {
    this.onChange = onChange;
    this.entry = null;
  }

  // Follows sweep `sweepId` for a page that `key` names: matters(event) says whether
  // an event changes what the page shows. Following the same again keeps the stream.
  follow(sweepId, key, matters, status) {
    const e = this.entry;
    if (FINAL.includes(status)) { this.unfollow(); return; }
    if (e && e.sweep === sweepId && e.key === key && e.source.readyState !== EventSource.CLOSED) return;
    this.unfollow();
    const source = new EventSource("/api/v1/sweeps/" + encodeURIComponent(sweepId) + "/events");
    const entry = { sweep: sweepId, key, source, open: false, seen: 0 };
    source.addEventListener("open", () => { entry.open = true; hooks.pushed(true); });
    source.addEventListener("sweep", (m) => {
      const ev = JSON.parse(m.data);
      hooks.event();
      if (FINAL.includes(ev.sweep.status)) {
        source.close();
        entry.open = false;
        hooks.pushed(false);
      }
      // The first event is the sweep as the stream found it: what changed since the
      // page's last fetch is in it.
      if (entry.seen++ === 0 || matters(ev) || ev.skipped) this.onChange();
    });
    source.addEventListener("error", () => {
      entry.open = false;  // it reconnects by itself unless closed
      hooks.pushed(false);
    });
    this.entry = entry;
  }

  unfollow() {
    if (this.entry) this.entry.source.close();
    this.entry = null;
    hooks.pushed(false);
  }

  // Whether events are arriving now.
  get open() {
    return Boolean(this.entry && this.entry.open);
  }
}
