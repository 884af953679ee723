// The sweep page's spec and labels: the labels as key=value chips under the title,
// and the spec as a spec file (the server's /spec.yaml: what `hpsearch spec` prints,
// with extend's changes) in a collapsible box.
import { api } from "./api.js";
import { el } from "./dom.js";

// The elements: the labels' line and the spec's box.
export function specElements() {
  return [el("div", { class: "labels", id: "labels" }),
          el("details", { id: "spec" }, el("summary", {}, "Spec (as a spec file, with extend's changes)"),
             el("pre", { class: "spec", id: "spec-text" }))];
}

// The spec file text of sweep `id`.
export async function specYaml(id) {
  const r = await fetch("/api/v1/sweeps/" + encodeURIComponent(id) + "/spec.yaml", { credentials: "same-origin" });
  if (!r.ok) return api("/api/v1/sweeps/" + encodeURIComponent(id) + "/spec.yaml");  // its JSON error, as ApiError
  return r.text();
}

// Fills them from `sweep` and its spec file `text`; returns { labels, specLines }.
export function drawSpec(sweep, text) {
  const labels = Object.entries((sweep.spec || {}).labels || {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const box = document.getElementById("labels");
  const chips = labels.map(([k, v]) => el("span", { class: "chip", "data-key": k, title: "label " + k }, k + "=" + v));
  if (box.dataset.shown !== JSON.stringify(labels)) {
    box.replaceChildren(labels.length ? "labels: " : "no labels", ...chips);
    box.dataset.shown = JSON.stringify(labels);
  }
  const pre = document.getElementById("spec-text");
  if (pre.textContent !== text) pre.textContent = text;
  return { labels: labels.length, specLines: text.split("\n").length - 1 };
}
