// A page's Chart.js charts, by canvas id. Chart.js is Debian's libjs-chart.js, loaded
// by the page before the modules (a classic script: the global Chart).
import { formatNumber } from "./format.js";

export class Charts {
  constructor() {
    this.byId = {};
  }

  // Draws `config` on canvas `id`: a chart already there gets the new data in place
  // and options in place (no re-creation, no animation), so a refresh costs one draw.
  draw(id, config) {
    const canvas = document.getElementById(id);
    const old = this.byId[id];
    if (old && old.canvas === canvas && old.data.datasets.length === config.data.datasets.length) {
      old.data.labels = config.data.labels;
      config.data.datasets.forEach((d, i) => Object.assign(old.data.datasets[i], d));
      old.options = config.options;  // titles and axes follow the data (a metric changed)
      old.update("none");
      return old;
    }
    if (old) old.destroy();
    this.byId[id] = new Chart(canvas, config);
    return this.byId[id];
  }
}

// An axis' tick labels as the CLI prints numbers (formatNumber: 1.992e-06, not
// 0.000001992). A log axis keeps Chart.js' choice of which ticks to label.
export function numberTicks(log) {
  return {
    callback(value, index, ticks) {
      if (log && Chart.Ticks.formatters.logarithmic.call(this, value, index, ticks) === "") return "";
      return formatNumber(Number(value));
    },
  };
}

// A numeric axis titled `text` (log: a logarithmic one), its ticks by formatNumber.
export function numberAxis(text, log, more) {
  return { type: log ? "logarithmic" : "linear", title: { display: true, text }, ticks: numberTicks(log), ...(more || {}) };
}
