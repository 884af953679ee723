// The sweep page's Chart.js charts: the history (objective in finish order), a slice
// plot per searched parameter, the importance bars and the learning curves. Each
// returns what it drew ({ chart, points, … }).
import { api } from "./api.js";
import { el } from "./dom.js";
import { fmt, label, num } from "./format.js";
import { objectiveOf, searched } from "./sweep_data.js";

// Every finished trial's objective (the server thins it to at most 5,000 points) and
// the best so far; a click on a point opens its trial.
export function drawHistory(charts, sweep, h) {
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
      scales: { x: { type: "linear", title: { display: true, text: "trials in finish order" } },
                y: { title: { display: true, text: h.metric } } },
      plugins: { tooltip: { callbacks: { label: (ctx) => (ctx.raw.trial !== undefined ? "trial " + ctx.raw.trial + ": " : "") + fmt(ctx.raw.y) } } },
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
    box.replaceChildren(...params.map((p) => el("div", { class: "chart small" }, el("canvas", { id: "slice-" + p.name }))));
    box.dataset.params = params.map((p) => p.name).join(",");
  }
  return params.map((p) => {
    const data = h.points.filter((pt) => pt.params && p.name in pt.params)
      .map((pt) => ({ x: p.range ? Number(pt.params[p.name]) : label(pt.params[p.name]), y: pt.y, trial: pt.trial, pruned: pt.pruned }));
    // Sorted by x: with parsing off, Chart.js takes a dataset as sorted and its x range
    // from the first and last points, leaving the rest off the axis otherwise.
    if (p.range) data.sort((a, b) => a.x - b.x);
    const x = p.range
      ? { type: p.range.scale === "LOG" ? "logarithmic" : "linear", title: { display: true, text: p.name } }
      : { type: "category", labels: p.values.values.map(label), title: { display: true, text: p.name } };
    const chart = charts.draw("slice-" + p.name, {
      type: "scatter",
      data: { datasets: [
        { label: "completed", data: data.filter((d) => !d.pruned), backgroundColor: "rgba(41,87,199,0.55)", radius: data.length > 2000 ? 1.5 : 2.5 },
        { label: "pruned", data: data.filter((d) => d.pruned), backgroundColor: "#d4a300", borderColor: "#d4a300", borderWidth: 2, pointStyle: "crossRot", radius: 4 },
      ] },
      options: { animation: false, maintainAspectRatio: false, parsing: false,
                 plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => "trial " + ctx.raw.trial + ": " + fmt(ctx.raw.y) } } },
                 scales: { x, y: { title: { display: true, text: h.metric } } } },
    });
    return { chart, points: data.length };
  });
}

// Each parameter's share of the importance (PED-ANOVA, from the server).
export function drawImportance(charts, imp) {
  const list = imp.importances || [];
  const chart = charts.draw("importance", {
    type: "bar",
    data: { labels: list.map((i) => i.param), datasets: [{ label: "importance (PED-ANOVA)", data: list.map((i) => i.importance), backgroundColor: "#2957c7" }] },
    options: { indexAxis: "y", animation: false, maintainAspectRatio: false,
               scales: { x: { min: 0, max: 1, title: { display: true, text: "share of importance (PED-ANOVA, top 10%)" } } },
               plugins: { legend: { display: false } } },
  });
  return { chart, points: list.length };
}

// The objective per epoch of the top 5 completed trials, the 5 latest pruned ones
// (dashed, ending where they were stopped) and the ones picked in the table (dotted
// grey-violet, at most 20): one request per trial.
export async function drawCurves(charts, sweep, picks) {
  const { metric } = objectiveOf(sweep);
  const id = encodeURIComponent(sweep.id);
  const [best, pruned] = await Promise.all([
    api("/api/v1/sweeps/" + id + "/best?k=5"),
    api("/api/v1/sweeps/" + id + "/trials?status=PRUNED&sort_by=index&descending=true&page_size=5"),
  ]);
  const shown = [...(best.trials || []), ...(pruned.trials || [])].map((t) => num(t.index));
  const picked = [...picks].filter((i) => !shown.includes(i)).slice(0, 20);
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
  const chart = charts.draw("curves", {
    type: "line",
    data: { datasets },
    options: { animation: false, maintainAspectRatio: false, parsing: false,
               scales: { x: { type: "linear", title: { display: true, text: "epoch" } }, y: { title: { display: true, text: metric } } },
               plugins: { legend: { position: "right" } } },
  });
  return { chart, points, shown: datasets.length, picked: picked.length,
           pruned: datasets.filter((d, k) => k < shown.length && d.borderDash.length).length };
}
