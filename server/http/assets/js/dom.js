// DOM helpers: an element in one call, and the header's "live" line.

// <tag attrs>children</tag>: "class" sets the class name, "on…" adds a listener, any
// other attribute is set as given; children are nodes or text (nested arrays are
// flattened, null and undefined left out).
export function el(tag, attrs, ...children) {
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

// The header's status: "live · updated …", or what went wrong (in red).
export function setLive(ok, text) {
  const live = document.getElementById("live");
  live.textContent = text;
  live.className = ok ? "live" : "live error";
}

// A chart with its title: <figure class="panel"> holding a <figcaption> (id
// `<id>-title`, the title saying what the chart shows) and `body`, by default a
// canvas `id` in a box of class `cls` (Chart.js sizes itself to that box).
export function panel(id, title, cls, ...body) {
  const content = body.length ? body : [el("div", { class: cls || "chart" }, el("canvas", { id }))];
  return el("figure", { class: "panel", "data-chart": id }, el("figcaption", { class: "chart-title", id: id + "-title" }, title), content);
}

// Sets the title of chart `id` (made by panel).
export function setTitle(id, text) {
  const t = document.getElementById(id + "-title");
  if (t && t.textContent !== text) t.textContent = text;
}
