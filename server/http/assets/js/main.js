// The hpsearch dashboard: pages drawn from the read-only JSON API (/api/v1/),
// redrawn as the server pushes a sweep's events (/events, server-sent events) and
// polled every second where it does not. ES modules without a bundler (the server
// embeds and serves each file), Chart.js from Debian's libjs-chart.js.
//   main.js         the router and the update loop (this file)
//   sweeps_page.js, sweep_page.js, trial_page.js   the pages, each with its own state
//   sweep_charts.js, curves.js, parallel.js (+ parallel_legend.js), sweep_spec.js,
//   trial_table.js, heatmap.js   what they draw (every chart a titled panel: dom.js)
//   live.js         a sweep's event stream        hooks.js   what the browser tests read
//   api.js, dom.js, charts.js, format.js, sweep_data.js, trial_cache.js      helpers
import { ApiError } from "./api.js";
import { el, setLive } from "./dom.js";
import { hooks } from "./hooks.js";
import { Follower } from "./live.js";
import { sweepPage } from "./sweep_page.js";
import { sweepsPage } from "./sweeps_page.js";
import { trialPage } from "./trial_page.js";

// The update loop. On a sweep's pages the browser follows the sweep's event stream
// and redraws when an event that matters to the page arrives (at most every 100 ms;
// one redraw at a time); the page polls every second when there is no stream (the
// sweeps list, a finished sweep — it may be extended —, a server with too many
// streams open) and every 10 s as a safety net when there is.
const loop = { running: false, again: false, soon: false, timer: null };
const live = new Follower(soon);
// What the pages may ask of the rest: redraw now, follow a sweep's events or stop.
const app = {
  refresh,
  follow: (sweepId, key, matters, status) => live.follow(sweepId, key, matters, status),
  unfollow: () => live.unfollow(),
};

function soon() {
  if (loop.running) { loop.again = true; return; }
  if (loop.soon) return;
  loop.soon = true;
  clearTimeout(loop.timer);
  loop.timer = setTimeout(tick, 100);
}

async function tick() {
  loop.soon = false;
  if (loop.running) { loop.again = true; return; }
  loop.running = true;
  clearTimeout(loop.timer);
  try {
    await refresh();
  } finally {
    loop.running = false;
  }
  loop.timer = setTimeout(tick, loop.again ? 100 : live.open ? 10000 : 1000);
  loop.again = false;
}

// The page at a path: { name, update() }; its name is "" until it has drawn itself.
function pageAt(p) {
  let m;
  if (p === "/" || p === "/sweeps") return sweepsPage(app);
  if ((m = p.match(/^\/sweeps\/([^/]+)$/))) return sweepPage(app, decodeURIComponent(m[1]));
  if ((m = p.match(/^\/sweeps\/([^/]+)\/trials\/(\d+)$/))) return trialPage(app, decodeURIComponent(m[1]), m[2]);
  return null;
}

let current = { path: null, page: null };

async function refresh() {
  const p = location.pathname;
  try {
    if (current.path !== p) current = { path: p, page: pageAt(p) };
    const page = current.page;
    if (page) {
      await page.update();
    } else {
      document.getElementById("main").replaceChildren(el("p", { class: "error" }, "no page at " + p));
    }
    hooks.updated(page ? page.name : "");
    setLive(true, "live · updated " + new Date().toLocaleTimeString());
  } catch (e) {
    if (e instanceof ApiError) {
      setLive(false, e.message);
      if (!current.page || !current.page.name) {
        document.getElementById("main").replaceChildren(el("p", { class: "error" }, e.message));
      }
    } else {
      setLive(false, "server unreachable; retrying");
    }
  }
}

document.addEventListener("DOMContentLoaded", tick);
