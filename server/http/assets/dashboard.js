// The hpsearch dashboard: pages drawn from the read-only JSON API (/api/v1/),
// redrawn as the server pushes a sweep's events (/events, server-sent events) and
// polled every second where it does not. Plain script, Chart.js from Debian's libjs-chart.js.
// window.hpsearchDashboard exposes what each page drew (the browser tests read it).
"use strict";

const state = { page: "", timer: null, charts: {}, sort: { key: "index", desc: false }, status: "", where: [], tokens: [""],
                signature: "", view: "", next: "", picked: new Set(), events: null };
window.hpsearchDashboard = { page: "", updates: 0, events: 0, pushed: false, historyPoints: 0, curvePoints: 0, trialsShown: 0, sweepsShown: 0 };

// ---------------------------------------------------------------- helpers

class ApiError extends Error {}

async function api(path) {
  const r = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (r.status === 401) {
    location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    throw new ApiError("login required");
  }
  const body = await r.json();
  if (!r.ok) throw new ApiError(body.error ? body.error.message : r.statusText);
  return body;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const num = (v) => (v === undefined || v === null || v === "" ? null : Number(v));

function fmt(v) {
  if (v === null || v === undefined) return "-";
  if (typeof v !== "number") return Array.isArray(v) ? "[" + v.join(", ") + "]" : String(v);
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(4)).toString();
}

function duration(s) {
  if (s < 1) return Math.round(s * 1000) + "ms";
  if (s < 60) return s.toFixed(1) + "s";
  if (s < 3600) return Math.floor(s / 60) + "m" + String(Math.round(s % 60)).padStart(2, "0") + "s";
  return Math.floor(s / 3600) + "h" + String(Math.round((s % 3600) / 60)).padStart(2, "0") + "m";
}

function age(ms) {
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 60) return Math.round(s) + "s";
  if (s < 3600) return Math.round(s / 60) + "m";
  if (s < 86400) return (s / 3600).toFixed(1) + "h";
  return (s / 86400).toFixed(1) + "d";
}

const sweepStatus = (s) => String(s).replace("SWEEP_", "").toLowerCase();
const trialStatus = (s) => String(s).toLowerCase();

function done(c) {
  return num(c.completed) + num(c.failed) + num(c.pruned) + num(c.cancelled);
}

function setLive(ok, text) {
  const live = document.getElementById("live");
  live.textContent = text;
  live.className = ok ? "live" : "live error";
}

// Draws `config` on canvas `id`: a chart already there gets the new data in place
// (no re-creation, no animation), so a refresh costs one draw.
function chart(id, config) {
  const canvas = document.getElementById(id);
  const old = state.charts[id];
  if (old && old.canvas === canvas && old.data.datasets.length === config.data.datasets.length) {
    old.data.labels = config.data.labels;
    config.data.datasets.forEach((d, i) => Object.assign(old.data.datasets[i], d));
    old.update("none");
    return old;
  }
  if (old) old.destroy();
  state.charts[id] = new Chart(canvas, config);
  return state.charts[id];
}

function objectiveOf(sweep) {
  return { metric: sweep.objective_metric || "objective", maximize: Boolean(sweep.maximize) };
}

// ----------------------------------------------------------------- sweeps

async function sweepsPage() {
  const main = document.getElementById("main");
  if (state.page !== "sweeps") {
    state.page = "sweeps";
    main.replaceChildren(
      el("h1", {}, "Sweeps"),
      el("table", { id: "sweeps" },
        el("thead", {}, el("tr", {}, ["id", "name", "status", "progress", "best", "age"].map((h) => el("th", {}, h)))),
        el("tbody", {})));
  }
  const all = [];
  let token = "";
  do {
    const page = await api("/api/v1/sweeps?page_size=1000" + (token ? "&page_token=" + encodeURIComponent(token) : ""));
    all.push(...(page.sweeps || []));
    token = page.next_page_token;
  } while (token && all.length < 10000);
  const rows = all.map((s) => {
    const total = num(s.total_trials);
    const d = done(s.counts);
    return el("tr", { "data-id": s.id },
      el("td", {}, el("a", { href: "/sweeps/" + encodeURIComponent(s.id) }, s.id)),
      el("td", {}, s.name),
      el("td", { class: "status-" + sweepStatus(s.status) }, sweepStatus(s.status)),
      el("td", {}, el("progress", { max: String(total || 1), value: String(d) }), " " + d + "/" + total),
      el("td", { class: "num" }, s.best_objective === undefined ? "-" : fmt(s.best_objective)),
      el("td", {}, age(num(s.created_ms))));
  });
  document.querySelector("#sweeps tbody").replaceChildren(...rows);
  window.hpsearchDashboard.sweepsShown = rows.length;
}

// ------------------------------------------------------------------ sweep
//
// Built for large sweeps: the history comes thinned from the server (at most 5,000
// points, every improvement and the extremes kept), the table one page of 100 at a
// time, sorted and filtered by the server; both are fetched again only when the
// sweep's counts change.

const PAGE = 100;

// The searched parameters, in spec order.
function paramNames(sweep) {
  return ((sweep.spec && sweep.spec.parameters) || []).map((p) => p.name);
}

// Parameters with more than one value: what slice plots and importance show.
function searched(sweep) {
  return ((sweep.spec && sweep.spec.parameters) || []).filter((p) =>
    (p.range && p.range.max > p.range.min) || (p.values && (p.values.values || []).length > 1));
}

const label = (v) => (Array.isArray(v) ? "[" + v.join(",") + "]" : String(v));

// Objective against each searched parameter, from the (thinned) history's points.
function drawSlices(sweep, h) {
  const box = document.getElementById("slices");
  const params = searched(sweep);
  if (box.dataset.params !== params.map((p) => p.name).join(",")) {
    box.replaceChildren(...params.map((p) => el("div", { class: "chart small" }, el("canvas", { id: "slice-" + p.name }))));
    box.dataset.params = params.map((p) => p.name).join(",");
  }
  let shown = 0;
  for (const p of params) {
    const data = h.points.filter((pt) => pt.params && p.name in pt.params)
      .map((pt) => ({ x: p.range ? Number(pt.params[p.name]) : label(pt.params[p.name]), y: pt.y, trial: pt.trial, pruned: pt.pruned }));
    const x = p.range
      ? { type: p.range.scale === "LOG" ? "logarithmic" : "linear", title: { display: true, text: p.name } }
      : { type: "category", labels: p.values.values.map(label), title: { display: true, text: p.name } };
    const c = chart("slice-" + p.name, {
      type: "scatter",
      data: { datasets: [
        { label: "completed", data: data.filter((d) => !d.pruned), backgroundColor: "rgba(41,87,199,0.55)", radius: data.length > 2000 ? 1.5 : 2.5 },
        { label: "pruned", data: data.filter((d) => d.pruned), backgroundColor: "#d4a300", borderColor: "#d4a300", borderWidth: 2, pointStyle: "crossRot", radius: 4 },
      ] },
      options: { animation: false, maintainAspectRatio: false, parsing: false,
                 plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => "trial " + ctx.raw.trial + ": " + fmt(ctx.raw.y) } } },
                 scales: { x, y: { title: { display: true, text: h.metric } } } },
    });
    c.canvas.dataset.points = String(data.length);
    shown += 1;
  }
  window.hpsearchDashboard.slicesShown = shown;
}

// Parallel coordinates: one line per plotted trial across every searched parameter
// and the objective (log axes for log ranges, categories spread evenly). Drag along an
// axis to brush a range — lines outside every brush turn grey and the selection is
// listed; double-click an axis to clear its brush.
function axisOf(p, points) {
  if (p.range) {
    const log = p.range.scale === "LOG" && p.range.min > 0;
    const f = (v) => (log ? Math.log(v) : v);
    const lo = f(p.range.min), hi = f(p.range.max);
    return { name: p.name, log, lo: p.range.min, hi: p.range.max, pos: (v) => (hi > lo ? (f(Number(v)) - lo) / (hi - lo) : 0.5) };
  }
  const cats = p.values.values.map(label);
  return { name: p.name, cats, pos: (v) => (cats.indexOf(label(v)) + 0.5) / cats.length };
}

function drawParallel(sweep, h) {
  const params = searched(sweep);
  const ys = h.points.map((p) => p.y);
  const lo = Math.min(...ys), hi = Math.max(...ys);
  const objective = { name: h.metric, lo, hi, pos: (v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5) };
  state.parallel = { axes: [...params.map((p) => axisOf(p, h.points)), objective], points: h.points, maximize: h.maximize };
  state.brushes = state.brushes || {};
  paintParallel();
}

function parallelLayout(canvas, n) {
  const W = canvas.clientWidth, H = canvas.clientHeight, left = 60, right = 60, top = 28, bottom = 36;
  return { W, H, top, bottom, x: (i) => left + (n > 1 ? (i * (W - left - right)) / (n - 1) : 0),
           y: (pos) => top + (1 - pos) * (H - top - bottom), pos: (y) => 1 - (y - top) / (H - top - bottom) };
}

function paintParallel() {
  const canvas = document.getElementById("parallel");
  const par = state.parallel;
  if (!canvas || !par) return;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = canvas.clientWidth * dpr;
  canvas.height = canvas.clientHeight * dpr;
  const g = canvas.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  const L = parallelLayout(canvas, par.axes.length);
  const value = (pt, a) => (a === par.axes[par.axes.length - 1] ? pt.y : (pt.params || {})[a.name]);
  const inBrush = (pt) => par.axes.every((a) => {
    const b = state.brushes[a.name];
    if (!b) return true;
    const v = value(pt, a);
    if (v === undefined) return false;
    const p = a.pos(v);
    return p >= Math.min(b[0], b[1]) && p <= Math.max(b[0], b[1]);
  });
  const objective = par.axes[par.axes.length - 1];
  const selected = [], rest = [];
  for (const pt of par.points) (inBrush(pt) ? selected : rest).push(pt);
  const line = (pt) => {
    g.beginPath();
    let open = false;
    par.axes.forEach((a, i) => {
      const v = value(pt, a);
      if (v === undefined) { open = false; return; }  // inactive (conditional) parameter: a gap
      const x = L.x(i), y = L.y(a.pos(v));
      if (open) g.lineTo(x, y); else g.moveTo(x, y);
      open = true;
    });
    g.stroke();
  };
  const few = par.points.length < 500;  // few lines: thick and opaque; many: thin and light
  g.lineWidth = few ? 1.5 : 1;
  g.strokeStyle = "rgba(160,165,175," + (few ? 0.35 : 0.12) + ")";
  rest.forEach(line);
  // The best last, so they stay on top.
  selected.sort((p, q) => (par.maximize ? p.y - q.y : q.y - p.y));
  for (const pt of selected) {
    const q = objective.pos(pt.y), good = par.maximize ? q : 1 - q;  // 1: the best
    g.strokeStyle = pt.pruned ? "rgba(212,163,0,0.6)"
      : "hsla(" + Math.round(230 - 230 * good) + ", 75%, 45%, " + (few ? 0.85 : 0.35) + ")";
    line(pt);
  }
  g.fillStyle = "#1d2330";
  g.font = "12px system-ui, sans-serif";
  g.textAlign = "center";
  par.axes.forEach((a, i) => {
    const x = L.x(i);
    g.strokeStyle = "#1d2330";
    g.beginPath(); g.moveTo(x, L.y(0)); g.lineTo(x, L.y(1)); g.stroke();
    g.fillText(a.name, x, 16);
    g.textAlign = "left";
    if (a.cats) {
      a.cats.forEach((c, k) => g.fillText(c, x + 4, L.y((k + 0.5) / a.cats.length) + 4));
    } else {
      g.fillText(fmt(a.hi), x + 4, L.y(1) + 10);
      g.fillText(fmt(a.lo) + (a.log ? " (log)" : ""), x + 4, L.y(0));
    }
    g.textAlign = "center";
    const b = state.brushes[a.name];
    if (b) {
      g.fillStyle = "rgba(41,87,199,0.18)";
      const y0 = L.y(Math.max(b[0], b[1])), y1 = L.y(Math.min(b[0], b[1]));
      g.fillRect(x - 8, y0, 16, y1 - y0);
      g.fillStyle = "#1d2330";
    }
  });
  window.hpsearchDashboard.parallelLines = par.points.length;
  window.hpsearchDashboard.parallelSelected = selected.length;
  window.hpsearchDashboard.parallelSelectedCompleted = selected.filter((pt) => !pt.pruned).length;
  const note = document.getElementById("parallel-note");
  const brushed = Object.keys(state.brushes).length;
  const best = [...selected].sort((p, q) => (par.maximize ? q.y - p.y : p.y - q.y)).slice(0, 10);
  note.replaceChildren(brushed
    ? el("span", {}, selected.length + " of " + par.points.length + " trials in the brushed ranges; best: ",
        best.map((pt, k) => [k ? ", " : "", el("a", { href: "/sweeps/" + encodeURIComponent(state.sweep.id) + "/trials/" + pt.trial }, "trial " + pt.trial)]),
        " ", el("button", { id: "brush-to-table", onclick: () => setWhere(brushConditions()) }, "show them in the table"))
    : "drag along an axis to select a range; double-click it to clear");
}

// The brushed ranges as the table's conditions (the API's `where`): a range of a
// numeric axis, the categories inside the brush of a categorical one.
function brushConditions() {
  const par = state.parallel;
  const out = [];
  if (!par) return out;
  const objective = par.axes[par.axes.length - 1];
  for (const a of par.axes) {
    const b = state.brushes[a.name];
    if (!b) continue;
    const p0 = Math.min(b[0], b[1]), p1 = Math.max(b[0], b[1]);
    const key = a === objective ? "objective" : a.name;
    if (a.cats) {
      const inside = a.cats.filter((_c, k) => { const p = (k + 0.5) / a.cats.length; return p >= p0 && p <= p1; });
      out.push(key + "=" + (inside.length ? inside.join(",") : "[]"));
      continue;
    }
    // The inverse of the axis' position; the ends of the axis exactly.
    const at = (p) => {
      if (p <= 0) return a.lo;
      if (p >= 1) return a.hi;
      return a.log ? Math.exp(Math.log(a.lo) + p * (Math.log(a.hi) - Math.log(a.lo))) : a.lo + p * (a.hi - a.lo);
    };
    out.push(key + ">=" + String(at(p0)), key + "<=" + String(at(p1)));
  }
  return out;
}

// The table's conditions: from the filter box or the brushes.
function setWhere(list) {
  state.where = list;
  state.tokens = [""];
  const box = document.getElementById("where");
  if (box) box.value = list.join("; ");
  refresh();
}

function brushing(canvas) {
  let drag = null;
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    const L = parallelLayout(canvas, state.parallel ? state.parallel.axes.length : 1);
    const x = e.clientX - r.left, y = e.clientY - r.top;
    const axes = state.parallel ? state.parallel.axes : [];
    const i = axes.findIndex((_a, k) => Math.abs(L.x(k) - x) < 14);
    // Within 3% of an end counts as the end, so a brush from the top includes the maximum.
    const pos = L.pos(y);
    return { axis: i >= 0 ? axes[i] : null, pos: pos > 0.97 ? 1 : pos < 0.03 ? 0 : pos };
  };
  canvas.addEventListener("mousedown", (e) => {
    const a = at(e);
    if (!a.axis) return;
    drag = { name: a.axis.name, from: a.pos };
    e.preventDefault();
  });
  canvas.addEventListener("mousemove", (e) => {
    if (!drag) return;
    state.brushes[drag.name] = [drag.from, at(e).pos];
    paintParallel();
  });
  const end = () => {
    if (drag && state.brushes[drag.name] && Math.abs(state.brushes[drag.name][0] - state.brushes[drag.name][1]) < 0.01) {
      delete state.brushes[drag.name];
      paintParallel();
    }
    drag = null;
  };
  canvas.addEventListener("mouseup", end);
  canvas.addEventListener("mouseleave", end);
  canvas.addEventListener("dblclick", (e) => {
    const a = at(e);
    if (a.axis) { delete state.brushes[a.axis.name]; paintParallel(); }
  });
}

function drawImportance(imp) {
  const list = imp.importances || [];
  const c = chart("importance", {
    type: "bar",
    data: { labels: list.map((i) => i.param), datasets: [{ label: "importance (PED-ANOVA)", data: list.map((i) => i.importance), backgroundColor: "#2957c7" }] },
    options: { indexAxis: "y", animation: false, maintainAspectRatio: false,
               scales: { x: { min: 0, max: 1, title: { display: true, text: "share of importance (PED-ANOVA, top 10%)" } } },
               plugins: { legend: { display: false } } },
  });
  c.canvas.dataset.points = String(list.length);
  window.hpsearchDashboard.importanceShown = list.length;
}

function trialsQuery(sweepId, token, size) {
  const q = new URLSearchParams({ page_size: String(size) });
  if (state.sort.key !== "index") q.set("sort_by", state.sort.key);
  if (state.sort.desc) q.set("descending", "true");
  if (state.status) q.set("status", state.status.toUpperCase());
  for (const w of state.where) q.append("where", w);
  if (token) q.set("page_token", token);
  return "/api/v1/sweeps/" + encodeURIComponent(sweepId) + "/trials?" + q.toString();
}

function drawHistory(sweep, h) {
  const points = h.points.map((p) => ({ x: p.x, y: p.y, trial: p.trial, pruned: p.pruned, failed: p.failed }));
  const c = chart("history", {
    type: "scatter",
    data: {
      datasets: [
        { label: "completed", data: points.filter((p) => !p.pruned && !p.failed), backgroundColor: "#2957c7", radius: points.length > 2000 ? 1.5 : 3 },
        { label: "pruned", data: points.filter((p) => p.pruned), backgroundColor: "#d4a300", borderColor: "#d4a300", borderWidth: 2, pointStyle: "crossRot", radius: 5 },
        { label: "failed (last value)", data: points.filter((p) => p.failed), backgroundColor: "#b3261e", pointStyle: "triangle", radius: 5 },
        { label: "best so far", data: h.best, type: "line", borderColor: "#1f7a3a", pointRadius: 0, stepped: true },
      ],
    },
    options: {
      animation: false, maintainAspectRatio: false, parsing: false, normalized: true,
      scales: { x: { type: "linear", title: { display: true, text: "trials in finish order" } },
                y: { title: { display: true, text: h.metric } } },
      plugins: { tooltip: { callbacks: { label: (ctx) => (ctx.raw.trial !== undefined ? "trial " + ctx.raw.trial + ": " : "") + fmt(ctx.raw.y) } } },
      onClick: (_e, items) => {
        const p = items.length ? items[0].element.$context.raw : null;
        if (p && p.trial !== undefined) location.href = "/sweeps/" + encodeURIComponent(sweep.id) + "/trials/" + p.trial;
      },
    },
  });
  c.canvas.dataset.points = String(points.length);
  document.getElementById("history-note").textContent = h.total > points.length
    ? "showing " + points.length + " of " + h.total + " finished trials (every improvement and the extremes kept)" : "";
  window.hpsearchDashboard.historyPoints = points.length;
  window.hpsearchDashboard.historyTotal = h.total;
}

function drawTable(sweep, page) {
  const params = paramNames(sweep);
  const columns = ["index", "status", "objective", ...params];
  const thead = el("tr", {}, el("th", { title: "show its learning curve above" }, "curve"), columns.map((k) => {
    if (k === "status") return el("th", {}, k);
    const sorted = state.sort.key === k;
    // objective: best first, then worst first; the rest ascending, then descending.
    const arrow = sorted ? (k === "objective" ? (state.sort.desc ? " asc" : "") : (state.sort.desc ? "" : " asc")) : "";
    return el("th", {
      class: "sortable" + (sorted ? " sorted" + arrow : ""), "data-key": k,
      onclick: () => {
        state.sort = { key: k, desc: state.sort.key === k ? !state.sort.desc : false };
        state.tokens = [""];
        refresh();
      },
    }, k === "index" ? "trial" : k);
  }));
  const rows = (page.trials || []).map((t) => el("tr", { "data-trial": String(t.index) },
    el("td", {}, pickBox(sweep, num(t.index))),
    el("td", { class: "num" }, el("a", { href: "/sweeps/" + encodeURIComponent(sweep.id) + "/trials/" + t.index }, t.index)),
    el("td", { class: "status-" + trialStatus(t.status) }, trialStatus(t.status)),
    el("td", { class: "num" }, t.objective === undefined ? "-" : fmt(t.objective)),
    params.map((p) => el("td", { class: "num" }, fmt((t.params || {})[p])))));
  document.getElementById("trials").replaceChildren(el("thead", {}, thead), el("tbody", {}, rows));
  const at = state.tokens.length;
  const total = num(page.total);
  document.getElementById("page-info").textContent = total === 0 ? "no trials" :
    "trials " + ((at - 1) * PAGE + 1) + "–" + ((at - 1) * PAGE + rows.length) + " of " + total;
  state.next = page.next_page_token || "";
  document.getElementById("prev").disabled = at <= 1;
  document.getElementById("next").disabled = !state.next;
  window.hpsearchDashboard.trialsShown = rows.length;
  window.hpsearchDashboard.trialsTotal = total;
}

// A table row's checkbox: its trial's learning curve joins the chart above.
function pickBox(sweep, index) {
  const box = el("input", { type: "checkbox", class: "pick", "data-trial": String(index), title: "learning curve of trial " + index });
  box.checked = state.picked.has(index);
  box.addEventListener("change", () => {
    if (box.checked) state.picked.add(index); else state.picked.delete(index);
    drawCurves(sweep).catch((e) => setLive(false, "learning curves: " + e.message));
  });
  return box;
}

async function downloadCsv(sweep) {
  const params = paramNames(sweep);
  const lines = [["trial", "status", "objective", ...params].join(",")];
  const cell = (v) => {
    const s = v === undefined || v === null ? "" : Array.isArray(v) ? "[" + v.join(" ") + "]" : String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  let token = "";
  do {
    const page = await api(trialsQuery(sweep.id, token, 1000));
    for (const t of page.trials || []) {
      lines.push([t.index, trialStatus(t.status), t.objective, ...params.map((p) => (t.params || {})[p])].map(cell).join(","));
    }
    token = page.next_page_token;
  } while (token);
  const a = el("a", { href: URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" })), download: sweep.id + ".csv" });
  a.click();
}

// Elapsed time and, while it runs, the time left at the sweep's own rate so far (as `hpsearch status`).
function eta(sweep) {
  const end = num(sweep.finished_ms) || Date.now();
  const elapsed = Math.max(0, (end - num(sweep.created_ms)) / 1000);
  const d = done(sweep.counts), total = num(sweep.total_trials);
  let out = " · elapsed " + duration(elapsed);
  if (!num(sweep.finished_ms) && d > 0 && d < total) out += " · ETA " + duration((elapsed / d) * (total - d));
  return out;
}

// The objective per epoch of the top 5 completed trials, the 5 latest pruned ones
// (dashed, ending where they were stopped) and the ones picked in the table (dotted
// grey-violet, at most 20): one request per trial.
async function drawCurves(sweep) {
  const { metric } = objectiveOf(sweep);
  const id = encodeURIComponent(sweep.id);
  const [best, pruned] = await Promise.all([
    api("/api/v1/sweeps/" + id + "/best?k=5"),
    api("/api/v1/sweeps/" + id + "/trials?status=PRUNED&sort_by=index&descending=true&page_size=5"),
  ]);
  const shown = [...(best.trials || []), ...(pruned.trials || [])].map((t) => num(t.index));
  const picked = [...state.picked].filter((i) => !shown.includes(i)).slice(0, 20);
  const details = await Promise.all([...shown, ...picked].map((i) => api("/api/v1/sweeps/" + id + "/trials/" + i)));
  const colors = ["#2957c7", "#1f7a3a", "#8e44ad", "#c0392b", "#16a085"];
  const pickColors = ["#6a4c93", "#e76f51", "#2a9d8f", "#264653", "#f4a261", "#9d4edd"];
  let points = 0;
  const datasets = details.map((t, k) => {
    const data = (t.epochs || []).filter((e) => e.metrics && metric in e.metrics).map((e) => ({ x: e.epoch, y: e.metrics[metric] }));
    points += data.length;
    const cut = t.status === "PRUNED";
    const pick = k >= shown.length;
    return { label: "trial " + t.index + (cut ? " (pruned)" : "") + (pick ? " (picked)" : ""), data,
             borderColor: pick ? pickColors[(k - shown.length) % pickColors.length] : cut ? "#d4a300" : colors[k % colors.length],
             borderDash: pick ? [2, 3] : cut ? [5, 4] : [], pointRadius: 1.5, fill: false };
  });
  window.hpsearchDashboard.curvesPicked = picked.length;
  window.hpsearchDashboard.curvesPruned = datasets.filter((d, k) => k < shown.length && d.borderDash.length).length;
  const c = chart("curves", {
    type: "line",
    data: { datasets },
    options: { animation: false, maintainAspectRatio: false, parsing: false,
               scales: { x: { type: "linear", title: { display: true, text: "epoch" } }, y: { title: { display: true, text: metric } } },
               plugins: { legend: { position: "right" } } },
  });
  c.canvas.dataset.points = String(points);
  window.hpsearchDashboard.curvesShown = datasets.length;
  window.hpsearchDashboard.curvePointsTotal = points;
}

async function sweepPage(id) {
  const main = document.getElementById("main");
  if (state.page !== "sweep:" + id) {
    state.page = "sweep:" + id;
    state.tokens = [""];
    state.where = [];
    state.picked = new Set();
    state.signature = "";
    state.view = "";
    const filter = el("select", { id: "status-filter", onchange: (e) => { state.status = e.target.value; state.tokens = [""]; refresh(); } },
      ["", "pending", "running", "completed", "failed", "pruned", "cancelled"].map((s) => el("option", { value: s }, s || "every status")));
    const move = (forward) => () => {
      if (forward && state.next) state.tokens.push(state.next);
      if (!forward && state.tokens.length > 1) state.tokens.pop();
      refresh();
    };
    main.replaceChildren(
      el("h1", { id: "title" }, id), el("div", { class: "sub", id: "counts" }),
      el("div", { class: "charts" }, el("div", { class: "chart" }, el("canvas", { id: "history" })),
        el("div", { class: "chart" }, el("canvas", { id: "importance" }))),
      el("div", { class: "sub", id: "history-note" }),
      el("h2", {}, "Learning curves: the 5 best trials, the 5 latest pruned and those ticked in the table"),
      el("div", { class: "chart" }, el("canvas", { id: "curves" })),
      el("h2", {}, "Parallel coordinates"),
      el("div", { class: "chart wide" }, el("canvas", { id: "parallel" })), el("div", { class: "sub", id: "parallel-note" }),
      el("h2", {}, "Slices: the objective against each parameter"), el("div", { class: "slices", id: "slices" }),
      el("h2", {}, "Trials"),
      el("div", { class: "controls" }, filter,
        el("input", { id: "where", class: "where", placeholder: "filter: lr<=0.01; optimizer=adam,sgd; objective>0.85",
                      title: "conditions, separated by ;  key = != < <= > >= value; a comma-separated list for = and !=",
                      onchange: (e) => setWhere(e.target.value.split(";").map((w) => w.trim()).filter((w) => w)) }),
        el("span", { id: "where-error", class: "error" })),
      el("div", { class: "controls" },
        el("button", { id: "prev", onclick: move(false) }, "‹ previous"), el("span", { id: "page-info" }),
        el("button", { id: "next", onclick: move(true) }, "next ›"),
        el("a", { href: "#", id: "csv", onclick: (e) => { e.preventDefault(); downloadCsv(state.sweep); } }, "download CSV")),
      el("table", { id: "trials" }));
    state.brushes = {};
    state.parallel = null;
    brushing(document.getElementById("parallel"));
  }
  const sweep = await api("/api/v1/sweeps/" + encodeURIComponent(id));
  state.sweep = sweep;
  follow(sweep.id, sweepMatters, sweep.status);
  const c = sweep.counts;
  const { metric, maximize } = objectiveOf(sweep);
  document.getElementById("title").textContent = sweep.name + " (" + sweep.id + ")";
  document.getElementById("counts").textContent =
    sweepStatus(sweep.status) + " · " + done(c) + "/" + sweep.total_trials + " done · " + c.running + " running · " +
    c.completed + " completed · " + c.failed + " failed · " + c.pruned + " pruned · " + c.cancelled + " cancelled" +
    (num(c.not_started) ? " · " + c.not_started + " never started" : "") +
    eta(sweep) + " · " + (maximize ? "maximize " : "minimize ") + metric +
    (sweep.best_objective === undefined ? "" : " · best " + fmt(sweep.best_objective) + " (trial " + sweep.best_trial + ")") +
    (sweep.status_reason ? " · " + sweep.status_reason : "");
  // Fetch what changed only: the counts say whether the trials did; the table also
  // follows its own sort, filter and page.
  const counts = JSON.stringify([c, sweep.total_trials, sweep.status]);
  const view = JSON.stringify([counts, state.sort, state.status, state.where, state.tokens]);
  const started = performance.now();
  const work = [];
  if (counts !== state.signature) {
    work.push(api("/api/v1/sweeps/" + encodeURIComponent(id) + "/history?max_points=5000").then((h) => {
      drawHistory(sweep, h);
      setTimeout(() => {  // after the history and the table are on screen
        // Outcomes only: a failed trial's last value says how it failed, not how good its settings are.
        const outcomes = { ...h, points: h.points.filter((p) => !p.failed) };
        drawParallel(sweep, outcomes);
        drawSlices(sweep, outcomes);
      }, 0);
    }));
  }
  if (view !== state.view) {
    // A condition the server refuses is shown by the filter box; the table stays as it was.
    const where = document.getElementById("where-error");
    work.push(api(trialsQuery(id, state.tokens[state.tokens.length - 1], PAGE)).then((page) => {
      where.textContent = "";
      drawTable(sweep, page);
    }, (e) => {
      if (!(e instanceof ApiError) || !state.where.length) throw e;
      where.textContent = e.message;
    }));
  }
  if (!work.length) return;
  await Promise.all(work);
  if (counts !== state.signature) {
    // Importance reads every completed trial: asked for once the plot and table are drawn.
    api("/api/v1/sweeps/" + encodeURIComponent(id) + "/importance").then(drawImportance)
      .catch((e) => setLive(false, "importance: " + e.message));
    drawCurves(sweep).catch((e) => setLive(false, "learning curves: " + e.message));
  }
  state.signature = counts;
  state.view = view;
  window.hpsearchDashboard.drawMs = Math.round(performance.now() - started);
}

// What redraws the sweep page: a trial changing state (counts, history, table).
function sweepMatters(ev) { return Boolean(ev.trial); }

// ------------------------------------------------------------------ trial

function trialMatters(index) {
  const i = String(index);
  const f = (ev) => (ev.trial && String(ev.trial.index || 0) === i) || (ev.epoch && String(ev.epoch.trial || 0) === i);
  f.toString = () => "trial " + i;  // follow() compares filters by this
  return f;
}

async function trialPage(id, index) {
  const main = document.getElementById("main");
  const [sweep, t] = await Promise.all([api("/api/v1/sweeps/" + encodeURIComponent(id)),
                                        api("/api/v1/sweeps/" + encodeURIComponent(id) + "/trials/" + index)]);
  const { metric } = objectiveOf(sweep);
  // This trial's state changes and epochs redraw its page.
  follow(sweep.id, trialMatters(index), sweep.status);
  if (state.page !== "trial:" + id + "/" + index) {
    state.page = "trial:" + id + "/" + index;
    main.replaceChildren(
      el("h1", { id: "title" }), el("div", { class: "sub", id: "summary" }),
      el("div", { class: "charts" }, el("div", { class: "chart" }, el("canvas", { id: "curve" }))),
      el("h2", {}, "Activations: std of each hidden layer's output per epoch (epoch 0: at initialisation)"),
      el("div", { class: "sub", id: "heatmap-legend" }),
      el("div", { class: "scroll" }, el("table", { id: "heatmap", class: "heatmap" })),
      el("h2", {}, "Parameters"), el("table", { id: "params" }),
      el("h2", {}, "Attempts"), el("table", { id: "attempts" }));
  }
  document.getElementById("title").replaceChildren(
    el("a", { href: "/sweeps/" + encodeURIComponent(sweep.id) }, sweep.name), " / trial " + t.index);
  document.getElementById("summary").textContent = trialStatus(t.status) +
    (t.objective === undefined ? "" : " · " + metric + " " + fmt(t.objective)) +
    (t.failure_reason ? " · " + t.failure_reason : "") + " · attempt " + t.attempt + " · seed " + t.seed;
  document.getElementById("params").replaceChildren(el("tbody", {},
    Object.keys(t.params || {}).sort().map((k) => el("tr", {}, el("td", {}, k), el("td", { class: "num" }, fmt(t.params[k]))))));
  document.getElementById("attempts").replaceChildren(el("tbody", {},
    (t.attempts || []).map((a) => el("tr", {}, el("td", {}, "attempt " + a.attempt), el("td", {}, a.worker), el("td", {}, a.outcome || "running")))));
  drawHeatmap(t.diagnostics || [], String((t.params || {}).activation || "relu"));
  const epochs = t.epochs || [];
  const names = [...new Set(epochs.flatMap((e) => Object.keys(e.metrics || {})))].filter((m) => m.endsWith("loss") || m === metric).sort();
  const colors = ["#2957c7", "#d4a300", "#1f7a3a", "#b3261e", "#6b7280"];
  const c = chart("curve", {
    type: "line",
    data: {
      labels: epochs.map((e) => e.epoch),
      datasets: names.map((m, i) => ({ label: m, data: epochs.map((e) => (e.metrics || {})[m]), borderColor: colors[i % colors.length], pointRadius: 2 })),
    },
    options: { animation: false, maintainAspectRatio: false, scales: { x: { title: { display: true, text: "epoch" } } } },
  });
  c.canvas.dataset.points = String(epochs.length);
  window.hpsearchDashboard.curvePoints = epochs.length;
}

// What a layer's output spread says, by activation: bounded ones (tanh in [-1, 1],
// sigmoid in [0, 1]) saturate when their std nears its bound (the outputs pile up at
// the ends); unbounded ones explode when it grows large. Every one collapses when it
// falls towards 0.
const SATURATES = { tanh: { high: 0.85, bound: 1 }, sigmoid: { high: 0.42, bound: 0.5 } };
function heatScale(activation) {
  const b = SATURATES[activation];
  return b
    ? { high: b.high, bound: b.bound, word: "saturated", text: "std above " + b.high + ": the outputs pile up at the ends of " + activation + "'s range" }
    : { high: 2, word: "exploding", text: "std above 2" };
}

// Blue below a std of 0.1 (deep blue at 0.003: collapsed), green while alive, from
// orange to red past the scale's high mark (at the bound, or 5× the mark).
function stdColor(std, scale) {
  const hsl = (hue) => "hsl(" + Math.round(hue) + ", 65%, 42%)";
  const l = Math.log10(Math.max(std, 1e-12));
  if (l < -1) return hsl(120 + 120 * Math.min(1, (-1 - l) / 1.5));
  if (std < scale.high) return hsl(120);
  const t = scale.bound ? 0.5 + 0.5 * Math.min(1, (std - scale.high) / (scale.bound - scale.high))
                        : Math.min(1, Math.log10(std / scale.high) / 0.7);
  return hsl(120 - 120 * t);
}

function drawHeatmap(diagnostics, activation) {
  const table = document.getElementById("heatmap");
  const scale = heatScale(activation);
  document.getElementById("heatmap-legend").textContent = activation + ": blue: collapsing towards 0 (std below 0.1) · green: alive · red: " +
    scale.word + " (" + scale.text + "); hover for mean ± std";
  const layers = Math.max(0, ...diagnostics.map((d) => (d.std || []).length));
  if (!diagnostics.length || !layers) {
    table.replaceChildren(el("tbody", {}, el("tr", {}, el("td", {}, "no activation statistics for this trial"))));
    window.hpsearchDashboard.heatmapCells = 0;
    return;
  }
  const head = el("tr", {}, el("th", {}, "layer \\ epoch"), diagnostics.map((d) => el("th", {}, d.epoch)));
  const rows = [];
  let cells = 0;
  for (let l = 0; l < layers; ++l) {
    rows.push(el("tr", {}, el("th", {}, "hidden " + (l + 1)), diagnostics.map((d) => {
      const std = (d.std || [])[l], mean = (d.mean || [])[l];
      if (std === undefined) return el("td", {}, "");
      cells += 1;
      const td = el("td", { class: "num", title: "mean " + fmt(mean) + " ± std " + fmt(std) }, fmt(std));
      td.style.background = stdColor(std, scale);
      return td;
    })));
  }
  table.replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
  window.hpsearchDashboard.heatmapCells = cells;
}

// ----------------------------------------------------------------- router

// Live updates. On a sweep's pages the browser follows the sweep's event stream
// and redraws when an event that matters to the page arrives (at most every 100 ms;
// one redraw at a time); the page polls every second when there is no stream (the
// sweeps list, a finished sweep — it may be extended —, a server with too many
// streams open) and every 10 s as a safety net when there is.
const FINAL = ["SWEEP_COMPLETED", "SWEEP_FAILED", "SWEEP_CANCELLED"];
const loop = { running: false, again: false, soon: false };

function follow(sweepId, matters, status) {
  const e = state.events;
  if (FINAL.includes(status)) { unfollow(); return; }  // a finished sweep's stream would end at once
  if (e && e.sweep === sweepId && e.matters === String(matters) && e.source.readyState !== EventSource.CLOSED) return;
  unfollow();
  const source = new EventSource("/api/v1/sweeps/" + encodeURIComponent(sweepId) + "/events");
  const entry = { sweep: sweepId, matters: String(matters), source, open: false, seen: 0 };
  source.addEventListener("open", () => { entry.open = true; window.hpsearchDashboard.pushed = true; });
  source.addEventListener("sweep", (m) => {
    const ev = JSON.parse(m.data);
    window.hpsearchDashboard.events += 1;
    if (FINAL.includes(ev.sweep.status)) {
      source.close();
      entry.open = false;
      window.hpsearchDashboard.pushed = false;
    }
    // The first event is the sweep as the stream found it: what changed since the
    // page's last fetch is in it.
    if (entry.seen++ === 0 || matters(ev) || ev.skipped) soon();
  });
  source.addEventListener("error", () => {
    entry.open = false;  // it reconnects by itself unless closed
    window.hpsearchDashboard.pushed = false;
  });
  state.events = entry;
}

function unfollow() {
  if (state.events) state.events.source.close();
  state.events = null;
  window.hpsearchDashboard.pushed = false;
}

function soon() {
  if (loop.running) { loop.again = true; return; }
  if (loop.soon) return;
  loop.soon = true;
  clearTimeout(state.timer);
  state.timer = setTimeout(tick, 100);
}

async function tick() {
  loop.soon = false;
  if (loop.running) { loop.again = true; return; }
  loop.running = true;
  clearTimeout(state.timer);
  try {
    await refresh();
  } finally {
    loop.running = false;
  }
  const pushed = state.events && state.events.open;
  state.timer = setTimeout(tick, loop.again ? 100 : pushed ? 10000 : 1000);
  loop.again = false;
}

async function refresh() {
  const p = location.pathname;
  let m;
  try {
    if (p === "/" || p === "/sweeps") {
      unfollow();
      await sweepsPage();
    } else if ((m = p.match(/^\/sweeps\/([^/]+)$/))) {
      await sweepPage(decodeURIComponent(m[1]));
    } else if ((m = p.match(/^\/sweeps\/([^/]+)\/trials\/(\d+)$/))) {
      await trialPage(decodeURIComponent(m[1]), m[2]);
    } else {
      document.getElementById("main").replaceChildren(el("p", { class: "error" }, "no page at " + p));
    }
    window.hpsearchDashboard.page = state.page;
    window.hpsearchDashboard.updates += 1;
    setLive(true, "live · updated " + new Date().toLocaleTimeString());
  } catch (e) {
    if (e instanceof ApiError) {
      setLive(false, e.message);
      if (!state.page) document.getElementById("main").replaceChildren(el("p", { class: "error" }, e.message));
    } else {
      setLive(false, "server unreachable; retrying");
    }
  }
}

document.addEventListener("DOMContentLoaded", tick);
