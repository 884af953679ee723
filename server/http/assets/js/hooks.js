// What each page drew, for the browser tests (tests/e2e/dashboard_test.py): they read
// window.hpsearchDashboard and each chart canvas's data-points. This module alone
// writes them; the drawing code returns what it drew, and the pages and the live
// updates hand it here.
const seen = { page: "", updates: 0, events: 0, pushed: false, historyPoints: 0, curvePoints: 0, trialsShown: 0, sweepsShown: 0 };
window.hpsearchDashboard = seen;

// A drawn chart ({ chart, points }): its canvas's data-points; its points.
function plotted(drawn) {
  drawn.chart.canvas.dataset.points = String(drawn.points);
  return drawn.points;
}

export const hooks = {
  // A page updated itself without an error ("sweeps", "sweep:<id>", "trial:<id>/<index>").
  updated(page) {
    seen.page = page;
    seen.updates += 1;
  },
  // Live updates: an event arrived; whether the page's event stream is open.
  event() { seen.events += 1; },
  pushed(open) { seen.pushed = open; },
  sweeps(rows) { seen.sweepsShown = rows; },
  // The sweep page.
  history(drawn) {
    seen.historyPoints = plotted(drawn);
    seen.historyTotal = drawn.total;
  },
  slices(drawn) {
    drawn.forEach(plotted);
    seen.slicesShown = drawn.length;
  },
  parallel(painted) {
    seen.parallelLines = painted.lines;
    seen.parallelSelected = painted.selected;
    seen.parallelSelectedCompleted = painted.selectedCompleted;
    // Each line's colour class by trial: "scale" (its final value on the colour
    // scale), "pruned" (neutral, off the scale) or "brushed-out".
    seen.parallelColours = painted.colours;
  },
  // The parallel coordinates' colour legend: { metric, min, max, maximize }.
  legend(shown) { seen.parallelLegend = shown; },
  importance(drawn) { seen.importanceShown = plotted(drawn); },
  // The Pareto panel (multi-objective sweeps): the scatter's points and front points,
  // the hypervolume history's steps; how many times it was drawn.
  pareto(drawn) {
    seen.paretoPoints = plotted(drawn.scatter);
    seen.paretoFront = drawn.scatter.front;
    if (drawn.history) seen.hypervolumePoints = plotted(drawn.history);
    seen.paretoDraws = (seen.paretoDraws || 0) + 1;
  },
  table(drawn) {
    seen.trialsShown = drawn.shown;
    seen.trialsTotal = drawn.total;
  },
  // The table's epochs column: cells filled (after the table is drawn).
  epochs(filled) {
    seen.epochsFilled = filled;
    seen.epochsFills = (seen.epochsFills || 0) + 1;
  },
  // The labels and spec: chips shown, YAML lines.
  spec(drawn) {
    seen.specLabels = drawn.labels;
    seen.specLines = drawn.specLines;
  },
  curves(drawn) {
    seen.curvesPicked = drawn.picked;
    seen.curvesPruned = drawn.pruned;
    seen.curvesShown = drawn.shown;
    seen.curvesMetric = drawn.metric;
    seen.curvesSet = drawn.set;
    seen.curvesChosen = drawn.chosen;  // trials of the set (after downsampling)
    seen.curvesDownsampled = drawn.downsampled;
    seen.curvesDraws = (seen.curvesDraws || 0) + 1;
    seen.curvePointsTotal = plotted(drawn);
  },
  // How long the sweep page's last update took to fetch and draw.
  drawMs(ms) { seen.drawMs = Math.round(ms); },
  // The trial page.
  trialCurve(drawn) { seen.curvePoints = plotted(drawn); },
  heatmap(cells) { seen.heatmapCells = cells; },
};
