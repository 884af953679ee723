// A trial's page (/sweeps/{id}/trials/{index}): its status, learning curves (the
// losses and the objective per epoch), activation heat map, parameters and attempts;
// a command trial's output instead of the heat map.
// Redrawn as its state changes and its epochs arrive.
import { api } from "./api.js";
import { Charts, numberAxis } from "./charts.js";
import { el, panel, setTitle } from "./dom.js";
import { fmt, formatNumber, trialDuration, trialStatus } from "./format.js";
import { convLayers, drawHeatmap } from "./heatmap.js";
import { hooks } from "./hooks.js";
import { objectiveOf } from "./sweep_data.js";
import { epochsRun } from "./trial_cache.js";
import { TrialOutput } from "./trial_output.js";

// What redraws trial `index`'s page: its state changes and its epochs.
function matters(index) {
  const i = String(index);
  return (ev) => (ev.trial && String(ev.trial.index || 0) === i) || (ev.epoch && String(ev.epoch.trial || 0) === i);
}

export function trialPage(app, id, index) {
  const state = { name: "", output: null };  // name: "trial:<id>/<index>" once drawn
  const charts = new Charts();

  // A command trial (trainer.command) has output and no activation statistics.
  function build(command) {
    state.name = "trial:" + id + "/" + index;
    state.output = command ? new TrialOutput(id, index) : null;
    document.getElementById("main").replaceChildren(
      el("h1", { id: "title" }), el("div", { class: "sub", id: "summary" }),
      el("div", { class: "charts" }, panel("curve", "Learning curves")),
      ...(command ? state.output.element() : [
        panel("heatmap", "Activations: std of each layer's output per epoch (conv layers, then hidden; epoch 0: at initialisation)", null,
          el("div", { class: "sub", id: "heatmap-legend" }),
          el("div", { class: "scroll" }, el("table", { id: "heatmap", class: "heatmap" })))]),
      el("h2", {}, "Parameters"), el("table", { id: "params" }),
      el("h2", {}, "Attempts"), el("table", { id: "attempts" }));
  }

  // The trial's losses and objective per epoch.
  function drawCurve(t, metric) {
    const epochs = t.epochs || [];
    const names = [...new Set(epochs.flatMap((e) => Object.keys(e.metrics || {})))].filter((m) => m.endsWith("loss") || m === metric).sort();
    const colors = ["#2957c7", "#d4a300", "#1f7a3a", "#b3261e", "#6b7280"];
    setTitle("curve", "Trial " + t.index + ": " + (names.length ? names.join(", ") : metric) + " per epoch");
    const chart = charts.draw("curve", {
      type: "line",
      data: {
        labels: epochs.map((e) => e.epoch),
        datasets: names.map((m, i) => ({ label: m, data: epochs.map((e) => (e.metrics || {})[m]), borderColor: colors[i % colors.length], pointRadius: 2 })),
      },
      options: { animation: false, maintainAspectRatio: false,
                 scales: { x: { title: { display: true, text: "epoch" } }, y: numberAxis("value", false) },
                 plugins: { tooltip: { callbacks: { label: (ctx) => ctx.dataset.label + ": " + formatNumber(ctx.raw) } } } },
    });
    return { chart, points: epochs.length };
  }

  async function update() {
    const [sweep, t] = await Promise.all([api("/api/v1/sweeps/" + encodeURIComponent(id)),
                                          api("/api/v1/sweeps/" + encodeURIComponent(id) + "/trials/" + index)]);
    const { metric } = objectiveOf(sweep);
    app.follow(sweep.id, "trial " + index, matters(index), sweep.status);
    if (!state.name) build(Boolean(sweep.spec && sweep.spec.trainer && sweep.spec.trainer.command));
    document.getElementById("title").replaceChildren(
      el("a", { href: "/sweeps/" + encodeURIComponent(sweep.id) }, sweep.name), " / trial " + t.index);
    document.getElementById("summary").textContent = trialStatus(t.status) +
      (t.objective === undefined ? "" : " · " + metric + " " + fmt(t.objective)) +
      (t.failure_reason ? " · " + t.failure_reason : "") + " · attempt " + t.attempt + " · seed " + t.seed +
      " · duration " + trialDuration(t) + " · " + epochsRun(t) + " epochs";
    document.getElementById("params").replaceChildren(el("tbody", {},
      Object.keys(t.params || {}).sort().map((k) => el("tr", {}, el("td", {}, k), el("td", { class: "num" }, fmt(t.params[k]))))));
    document.getElementById("attempts").replaceChildren(el("tbody", {},
      (t.attempts || []).map((a) => el("tr", {}, el("td", {}, "attempt " + a.attempt), el("td", {}, a.worker), el("td", {}, a.outcome || "running")))));
    if (state.output) await state.output.update();
    else hooks.heatmap(drawHeatmap(t.diagnostics || [], String((t.params || {}).activation || "relu"), convLayers(t.params || {})));
    hooks.trialCurve(drawCurve(t, metric));
  }

  return { get name() { return state.name; }, update };
}
