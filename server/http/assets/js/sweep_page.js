// A sweep's page (/sweeps/{id}): its counts, labels and spec, the history and
// importance charts, for several objectives the Pareto front and its hypervolume
// (pareto.js), the learning curves, parallel coordinates, slice plots and the
// trial table. Every chart is a titled panel (dom.js' panel).
//
// Built for large sweeps: the history comes thinned from the server (at most 5,000
// points, every improvement and the extremes kept), the table one page of 100 at a
// time, sorted and filtered by the server; both are fetched again only when the
// sweep's counts change.
import { api, ApiError } from "./api.js";
import { Charts } from "./charts.js";
import { Curves } from "./curves.js";
import { el, panel, setLive, setTitle } from "./dom.js";
import { hooks } from "./hooks.js";
import { Parallel } from "./parallel.js";
import { multiObjective, Pareto } from "./pareto.js";
import { drawLegend, legendElement } from "./parallel_legend.js";
import { drawHistory, drawImportance, drawSlices } from "./sweep_charts.js";
import { importanceNote, summary } from "./sweep_data.js";
import { drawSpec, specElements, specYaml } from "./sweep_spec.js";
import { downloadCsv, drawTable, fillEpochs, PAGE, trialsQuery } from "./trial_table.js";

// What redraws the sweep page: a trial changing state (counts, history, table).
const matters = (ev) => Boolean(ev.trial);

// A sweep page's state: what was fetched and drawn, and the table's sort, filter and
// page (the tokens of the pages so far, the next one's).
function newState() {
  return {
    name: "",  // "sweep:<id>" once drawn
    sweep: null,  // as last fetched
    sort: { key: "index", desc: false }, status: "", where: [], tokens: [""], next: "",
    picked: new Set(),  // trials ticked in the table: their curves are drawn
    signature: "",  // the counts the plots were drawn for
    view: "",  // what the table was drawn for
    specKey: "", specText: "",  // the spec the spec file was fetched for, and the file
  };
}

// The page's elements, once.
function layout(page) {
  const { app, id, state } = page;
  state.name = "sweep:" + id;
  const filter = el("select", { id: "status-filter", onchange: (e) => { state.status = e.target.value; state.tokens = [""]; app.refresh(); } },
    ["", "pending", "running", "completed", "failed", "pruned", "cancelled"].map((s) => el("option", { value: s }, s || "every status")));
  const move = (forward) => () => {
    if (forward && state.next) state.tokens.push(state.next);
    if (!forward && state.tokens.length > 1) state.tokens.pop();
    app.refresh();
  };
  document.getElementById("main").replaceChildren(
    el("h1", { id: "title" }, id), el("div", { class: "sub", id: "counts" }), ...specElements(),
    el("div", { class: "charts" }, panel("history", "Objective by trial"), panel("importance", "Parameter importance (PED-ANOVA)")),
    el("div", { class: "sub", id: "history-note" }), el("div", { class: "sub", id: "importance-note" }),
    page.pareto.element(),
    page.curves.element(),
    panel("parallel", "Parallel coordinates", null, el("div", { class: "chart wide" }, el("canvas", { id: "parallel" })),
      legendElement("parallel-legend"), el("div", { class: "sub", id: "parallel-note" })),
    el("h2", {}, "Slices: the objective against each parameter"), el("div", { class: "slices", id: "slices" }),
    el("h2", {}, "Trials"),
    el("div", { class: "controls" }, filter,
      el("input", { id: "where", class: "where", placeholder: "filter: lr<=0.01; optimizer=adam,sgd; objective>0.85",
                    title: "conditions, separated by ;  key = != < <= > >= value; a comma-separated list for = and !=",
                    onchange: (e) => setWhere(page, e.target.value.split(";").map((w) => w.trim()).filter((w) => w)) }),
      el("span", { id: "where-error", class: "error" })),
    el("div", { class: "controls" },
      el("button", { id: "prev", onclick: move(false) }, "‹ previous"), el("span", { id: "page-info" }),
      el("button", { id: "next", onclick: move(true) }, "next ›"),
      el("a", { href: "#", id: "csv", onclick: (e) => { e.preventDefault(); downloadCsv(state.sweep, state); } }, "download CSV")),
    el("table", { id: "trials" }));
  page.parallel = new Parallel(document.getElementById("parallel"), document.getElementById("parallel-note"),
                               { painted: hooks.parallel, show: (list) => setWhere(page, list) });
}

// The table's conditions: from the filter box or the brushes.
function setWhere(page, list) {
  page.state.where = list;
  page.state.tokens = [""];
  const box = document.getElementById("where");
  if (box) box.value = list.join("; ");
  page.app.refresh();
}

function drawCurves(page) {
  page.curves.draw(page.state.sweep, page.state.picked).then((drawn) => { if (drawn) hooks.curves(drawn); })
    .catch((e) => setLive(false, "learning curves: " + e.message));
}

// The history, then (once it and the table are on screen) the parallel coordinates
// and the slices.
async function drawPlots(page, sweep) {
  const h = await api("/api/v1/sweeps/" + encodeURIComponent(page.id) + "/history?max_points=5000");
  hooks.history(drawHistory(page.charts, sweep, h));
  setTimeout(() => {
    // Outcomes only: a failed trial's last value says how it failed, not how good its settings are.
    const outcomes = { ...h, points: h.points.filter((p) => !p.failed) };
    const scale = page.parallel.draw(sweep, outcomes);
    setTitle("parallel", "Parallel coordinates: the searched parameters and " + h.metric + ", a line a trial");
    hooks.legend(drawLegend("parallel-legend", scale));
    hooks.slices(drawSlices(page.charts, sweep, outcomes));
  }, 0);
}

// One page of the table. A condition the server refuses is shown by the filter box;
// the table stays as it was.
async function drawTrials(page, sweep) {
  const { state } = page;
  const where = document.getElementById("where-error");
  try {
    const rows = await api(trialsQuery(page.id, state, state.tokens[state.tokens.length - 1], PAGE));
    where.textContent = "";
    const drawn = drawTable(sweep, rows, { sort: state.sort, picked: state.picked, at: state.tokens.length }, page.table);
    state.next = drawn.next;
    hooks.table(drawn);
    hooks.epochs(fillEpochs());
  } catch (e) {
    if (!(e instanceof ApiError) || !state.where.length) throw e;
    where.textContent = e.message;
  }
}

// Importance reads every completed trial: asked for once the plot and table are drawn.
function drawImportanceLater(page) {
  api("/api/v1/sweeps/" + encodeURIComponent(page.id) + "/importance").then((imp) => {
    document.getElementById("importance-note").textContent = importanceNote(imp);
    hooks.importance(drawImportance(page.charts, imp));
  }).catch((e) => setLive(false, "importance: " + e.message));
}

async function update(page) {
  const { app, id, state } = page;
  if (!state.name) layout(page);
  const sweep = await api("/api/v1/sweeps/" + encodeURIComponent(id));
  state.sweep = sweep;
  app.follow(sweep.id, "sweep", matters, sweep.status);
  document.getElementById("title").textContent = sweep.name + " (" + sweep.id + ")";
  document.getElementById("counts").textContent = summary(sweep);
  // The spec file changes only with an extend: fetched again when the spec does.
  const specKey = JSON.stringify(sweep.spec);
  if (state.specKey !== specKey) {
    state.specText = await specYaml(sweep.id);
    state.specKey = specKey;
  }
  hooks.spec(drawSpec(sweep, state.specText));
  // Fetch what changed only: the counts say whether the trials did; the table also
  // follows its own sort, filter and page.
  const counts = JSON.stringify([sweep.counts, sweep.total_trials, sweep.status]);
  const view = JSON.stringify([counts, state.sort, state.status, state.where, state.tokens]);
  const started = performance.now();
  const work = [];
  if (counts !== state.signature) work.push(drawPlots(page, sweep));
  if (counts !== state.signature && multiObjective(sweep)) work.push(page.pareto.draw(sweep));
  if (view !== state.view) work.push(drawTrials(page, sweep));
  if (!work.length) return;
  await Promise.all(work);
  if (counts !== state.signature) {
    drawImportanceLater(page);
    drawCurves(page);
  }
  state.signature = counts;
  state.view = view;
  hooks.drawMs(performance.now() - started);
}

export function sweepPage(app, id) {
  const page = { app, id, state: newState(), charts: new Charts(), parallel: null };
  page.pareto = new Pareto(page.charts, { drawn: hooks.pareto });
  page.curves = new Curves(id, page.charts, { change: () => drawCurves(page) });
  page.table = {
    sort(key) {
      page.state.sort = { key, desc: page.state.sort.key === key ? !page.state.sort.desc : false };
      page.state.tokens = [""];
      app.refresh();
    },
    pick(index, ticked) {
      if (ticked) page.state.picked.add(index); else page.state.picked.delete(index);
      drawCurves(page);
    },
  };
  return { get name() { return page.state.name; }, update: () => update(page) };
}
