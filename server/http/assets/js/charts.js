// A page's Chart.js charts, by canvas id. Chart.js is Debian's libjs-chart.js, loaded
// by the page before the modules (a classic script: the global Chart).
export class Charts {
  constructor() {
    this.byId = {};
  }

  // Draws `config` on canvas `id`: a chart already there gets the new data in place
  // (no re-creation, no animation), so a refresh costs one draw.
  draw(id, config) {
    const canvas = document.getElementById(id);
    const old = this.byId[id];
    if (old && old.canvas === canvas && old.data.datasets.length === config.data.datasets.length) {
      old.data.labels = config.data.labels;
      config.data.datasets.forEach((d, i) => Object.assign(old.data.datasets[i], d));
      old.update("none");
      return old;
    }
    if (old) old.destroy();
    this.byId[id] = new Chart(canvas, config);
    return this.byId[id];
  }
}
