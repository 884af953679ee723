// Parallel coordinates: one line per plotted trial across every searched parameter
// and the objective (log axes for log ranges, categories spread evenly), drawn on a
// canvas. Completed trials are coloured by their final objective (parallel_legend.js:
// the scale and its legend); pruned ones, stopped early, are dashed grey, off the
// scale. Drag along an axis to brush a range — lines outside every brush turn light
// grey and the selection is listed; double-click an axis to clear its brush.
import { el } from "./dom.js";
import { fmt, label } from "./format.js";
import { colorScale, PRUNED_COLOR, PRUNED_DASH, scaleColor } from "./parallel_legend.js";
import { searched } from "./sweep_data.js";

function axisOf(p) {
  if (p.range) {
    const log = p.range.scale === "LOG" && p.range.min > 0;
    const f = (v) => (log ? Math.log(v) : v);
    const lo = f(p.range.min), hi = f(p.range.max);
    return { name: p.name, log, lo: p.range.min, hi: p.range.max, pos: (v) => (hi > lo ? (f(Number(v)) - lo) / (hi - lo) : 0.5) };
  }
  const cats = p.values.values.map(label);
  return { name: p.name, cats, pos: (v) => (cats.indexOf(label(v)) + 0.5) / cats.length };
}

function layout(canvas, n) {
  const W = canvas.clientWidth, H = canvas.clientHeight, left = 60, right = 60, top = 28, bottom = 36;
  return { W, H, top, bottom, x: (i) => left + (n > 1 ? (i * (W - left - right)) / (n - 1) : 0),
           y: (pos) => top + (1 - pos) * (H - top - bottom), pos: (y) => 1 - (y - top) / (H - top - bottom) };
}

// On `canvas`, with the selection listed in `note`. on.painted({ lines, selected,
// selectedCompleted, colours }) follows every paint (colours: each line's colour
// class, "scale", "pruned" or "brushed-out", by trial); on.show(conditions) is the
// note's "show them in the table".
export class Parallel {
  constructor(canvas, note, on) {
    this.canvas = canvas;
    this.note = note;
    this.on = on;
    this.plot = null;  // { axes, points, maximize, sweepId }
    this.brushes = {};  // axis name → [from, to] in axis positions (0: bottom, 1: top)
    this.listen();
  }

  // The history's points `h` of `sweep` (its outcomes: no failed trial). The
  // objective's axis spans every value; the colour scale the completed trials' final
  // values only (returned, for the legend).
  draw(sweep, h) {
    const ys = h.points.map((p) => p.y);
    const lo = Math.min(...ys), hi = Math.max(...ys);
    const objective = { name: h.metric, lo, hi, pos: (v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5) };
    const scale = colorScale(h.metric, h.points.filter((p) => !p.pruned).map((p) => p.y), h.maximize);
    this.plot = { axes: [...searched(sweep).map(axisOf), objective], points: h.points, maximize: h.maximize, sweepId: sweep.id, scale };
    this.paint();
    return scale;
  }

  paint() {
    const { canvas, plot: par, brushes } = this;
    if (!par) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = canvas.clientWidth * dpr;
    canvas.height = canvas.clientHeight * dpr;
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const L = layout(canvas, par.axes.length);
    const value = (pt, a) => (a === par.axes[par.axes.length - 1] ? pt.y : (pt.params || {})[a.name]);
    const inBrush = (pt) => par.axes.every((a) => {
      const b = brushes[a.name];
      if (!b) return true;
      const v = value(pt, a);
      if (v === undefined) return false;
      const p = a.pos(v);
      return p >= Math.min(b[0], b[1]) && p <= Math.max(b[0], b[1]);
    });
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
    const colours = {};  // trial → its line's colour class
    g.lineWidth = few ? 1.5 : 1;
    g.strokeStyle = "rgba(160,165,175," + (few ? 0.35 : 0.12) + ")";
    for (const pt of rest) { colours[pt.trial] = "brushed-out"; line(pt); }
    // Pruned trials under the completed ones, dashed and neutral: their early value is
    // no final value.
    g.setLineDash(PRUNED_DASH);
    g.strokeStyle = PRUNED_COLOR;
    for (const pt of selected) if (pt.pruned) { colours[pt.trial] = "pruned"; line(pt); }
    g.setLineDash([]);
    // The completed ones by their final value, the best last so that they stay on top.
    const completed = selected.filter((pt) => !pt.pruned).sort((p, q) => (par.maximize ? p.y - q.y : q.y - p.y));
    for (const pt of completed) {
      g.strokeStyle = scaleColor(par.scale.good(pt.y), few ? 0.85 : 0.35);
      colours[pt.trial] = "scale";
      line(pt);
    }
    this.paintAxes(g, L);
    this.list(selected);
    this.on.painted({ lines: par.points.length, selected: selected.length, selectedCompleted: completed.length, colours });
  }

  // Each axis with its name, its ends (or categories) and its brush.
  paintAxes(g, L) {
    g.fillStyle = "#1d2330";
    g.font = "12px system-ui, sans-serif";
    g.textAlign = "center";
    this.plot.axes.forEach((a, i) => {
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
      const b = this.brushes[a.name];
      if (b) {
        g.fillStyle = "rgba(41,87,199,0.18)";
        const y0 = L.y(Math.max(b[0], b[1])), y1 = L.y(Math.min(b[0], b[1]));
        g.fillRect(x - 8, y0, 16, y1 - y0);
        g.fillStyle = "#1d2330";
      }
    });
  }

  // The note under the plot: the best 10 selected trials while something is brushed.
  list(selected) {
    const par = this.plot;
    const brushed = Object.keys(this.brushes).length;
    const best = [...selected].sort((p, q) => (par.maximize ? q.y - p.y : p.y - q.y)).slice(0, 10);
    this.note.replaceChildren(brushed
      ? el("span", {}, selected.length + " of " + par.points.length + " trials in the brushed ranges; best: ",
          best.map((pt, k) => [k ? ", " : "", el("a", { href: "/sweeps/" + encodeURIComponent(par.sweepId) + "/trials/" + pt.trial }, "trial " + pt.trial)]),
          " ", el("button", { id: "brush-to-table", onclick: () => this.on.show(this.conditions()) }, "show them in the table"))
      : "drag along an axis to select a range; double-click it to clear");
  }

  // The brushed ranges as the table's conditions (the API's `where`): a range of a
  // numeric axis, the categories inside the brush of a categorical one.
  conditions() {
    const par = this.plot;
    const out = [];
    if (!par) return out;
    const objective = par.axes[par.axes.length - 1];
    for (const a of par.axes) {
      const b = this.brushes[a.name];
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

  // Brushing with the mouse.
  listen() {
    const canvas = this.canvas;
    let drag = null;
    const at = (e) => {
      const r = canvas.getBoundingClientRect();
      const axes = this.plot ? this.plot.axes : [];
      const L = layout(canvas, this.plot ? axes.length : 1);
      const x = e.clientX - r.left, y = e.clientY - r.top;
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
      this.brushes[drag.name] = [drag.from, at(e).pos];
      this.paint();
    });
    const end = () => {
      const b = drag && this.brushes[drag.name];
      if (b && Math.abs(b[0] - b[1]) < 0.01) {
        delete this.brushes[drag.name];
        this.paint();
      }
      drag = null;
    };
    canvas.addEventListener("mouseup", end);
    canvas.addEventListener("mouseleave", end);
    canvas.addEventListener("dblclick", (e) => {
      const a = at(e);
      if (a.axis) { delete this.brushes[a.axis.name]; this.paint(); }
    });
  }
}
