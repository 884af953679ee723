// The sweep page's Chart.js charts: the history (objective in finish order), a slice
// plot per searched parameter and the importance bars (the learning curves are
// curves.js'). Each has a title saying what it shows and returns what it drew
// ({ chart, points, … }).
import { numberAxis } from "./charts.js";
import { panel, setTitle } from "./dom.js";
import { formatNumber, label } from "./format.js";
import { searched } from "./sweep_data.js";

// Every finished trial's objective (the server thins it to at most 5,000 points) and
// the best so far; a click on a point opens its trial.
export function drawHistory(charts, sweep, h) {
  setTitle("history", "Objective (" + h.metric + ") by trial, in finish order, and the best so far");
  const points = h.points.map((p) => ({ x: p.x, y: p.y, trial: p.trial, pruned: p.pruned, failed: p.failed }));
  const chart = charts.draw("history", {
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
      scales: { x: numberAxis("trials in finish order", false), y: numberAxis(h.metric, false) },
      plugins: { tooltip: { callbacks: { label: (ctx) => (ctx.raw.trial !== undefined ? "trial " + ctx.raw.trial + ": " : "") + formatNumber(ctx.raw.y) } } },
      onClick: (_e, items) => {
        const p = items.length ? items[0].element.$context.raw : null;
        if (p && p.trial !== undefined) location.href = "/sweeps/" + encodeURIComponent(sweep.id) + "/trials/" + p.trial;
      },
    },
  });
  document.getElementById("history-note").textContent = h.total > points.length
    ? "showing " + points.length + " of " + h.total + " finished trials (every improvement and the extremes kept)" : "";
  return { chart, points: points.length, total: h.total };
}

// Objective against each searched parameter, from the (thinned) history's points.
export function drawSlices(charts, sweep, h) {
  const box = document.getElementById("slices");
  const params = searched(sweep);
  if (box.dataset.params !== params.map((p) => p.name).join(",")) {
    box.replaceChildren(...params.map((p) => panel("slice-" + p.name, h.metric + " against " + p.name, "chart small")));
    box.dataset.params = params.map((p) => p.name).join(",");
  }
  return params.map((p) => {
    setTitle("slice-" + p.name, h.metric + " against " + p.name + (p.range && p.range.scale === "LOG" ? " (log scale)" : ""));
    const data = h.points.filter((pt) => pt.params && p.name in pt.params)
      .map((pt) => ({ x: p.range ? Number(pt.params[p.name]) : label(pt.params[p.name]), y: pt.y, trial: pt.trial, pruned: pt.pruned }));
    // Sorted by x: with parsing off, Chart.js takes a dataset as sorted and its x range
    // from the first and last points, leaving the rest off the axis otherwise.
    if (p.range) data.sort((a, b) => a.x - b.x);
    const x = p.range
      ? numberAxis(p.name, p.range.scale === "LOG")
      : { type: "category", labels: p.values.values.map(label), title: { display: true, text: p.name } };
    const chart = charts.draw("slice-" + p.name, {
      type: "scatter",
      data: { datasets: [
        { label: "completed", data: data.filter((d) => !d.pruned), backgroundColor: "rgba(41,87,199,0.55)", radius: data.length > 2000 ? 1.5 : 2.5 },
        { label: "pruned", data: data.filter((d) => d.pruned), backgroundColor: "#d4a300", borderColor: "#d4a300", borderWidth: 2, pointStyle: "crossRot", radius: 4 },
      ] },
      options: { animation: false, maintainAspectRatio: false, parsing: false,
                 plugins: { legend: { display: false }, tooltip: { callbacks: {
                   label: (ctx) => "trial " + ctx.raw.trial + ": " + formatNumber(ctx.raw.y) + " at " + p.name + " " +
                     (typeof ctx.raw.x === "number" ? formatNumber(ctx.raw.x) : ctx.raw.x) } } },
                 scales: { x, y: numberAxis(h.metric, false) } },
    });
    return { chart, points: data.length };
  });
}

// Each parameter's share of the importance (PED-ANOVA, from the server).
export function drawImportance(charts, imp) {
  const list = imp.importances || [];
  setTitle("importance", "Parameter importance (PED-ANOVA): each parameter's share");
  const chart = charts.draw("importance", {
    type: "bar",
    data: { labels: list.map((i) => i.param), datasets: [{ label: "importance (PED-ANOVA)", data: list.map((i) => i.importance), backgroundColor: "#2957c7" }] },
    options: { indexAxis: "y", animation: false, maintainAspectRatio: false,
               scales: { x: numberAxis("share of importance (PED-ANOVA, top 10%)", false, { min: 0, max: 1 }) },
               plugins: { legend: { display: false },
                          tooltip: { callbacks: { label: (ctx) => ctx.label + ": " + formatNumber(ctx.raw) } } } },
  });
  return { chart, points: list.length };
}
