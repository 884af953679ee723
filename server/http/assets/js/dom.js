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
