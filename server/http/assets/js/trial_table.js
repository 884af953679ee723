// The sweep page's trial table: one page of trials as the server sorted and filtered
// them, with each one's duration and epochs run, a checkbox a row to draw the trial's
// learning curve, and the whole selection as CSV.
import { api } from "./api.js";
import { el } from "./dom.js";
import { fmt, formatNumber, num, trialDuration, trialStatus } from "./format.js";
import { paramNames } from "./sweep_data.js";

export const PAGE = 100;  // trials a page

// The API's trial list for `filter` ({ sort: { key, desc }, status, where }), from page `token`.
export function trialsQuery(sweepId, filter, token, size) {
  const q = new URLSearchParams({ page_size: String(size) });
  if (filter.sort.key !== "index") q.set("sort_by", filter.sort.key);
  if (filter.sort.desc) q.set("descending", "true");
  if (filter.status) q.set("status", filter.status.toUpperCase());
  for (const w of filter.where) q.append("where", w);
  if (token) q.set("page_token", token);
  return "/api/v1/sweeps/" + encodeURIComponent(sweepId) + "/trials?" + q.toString();
}

// Draws `page` (the API's answer) as the `at`th page sorted by `sort`, the trials in
// `picked` ticked, with the paging controls; on.sort(key) follows a click on a
// column's head, on.pick(index, ticked) a checkbox. Returns { shown, total, next }.
export function drawTable(sweep, page, { sort, picked, at }, on) {
  const params = paramNames(sweep);
  const columns = ["index", "status", "objective", "duration", "epochs", ...params];
  const unsorted = { status: "", duration: "finished − started", epochs: "epochs it reported metrics for" };
  const thead = el("tr", {}, el("th", { title: "show its learning curve above" }, "curve"), columns.map((k) => {
    if (k in unsorted) return el("th", { "data-col": k, title: unsorted[k] }, k);
    const sorted = sort.key === k;
    // objective: best first, then worst first; the rest ascending, then descending.
    const arrow = sorted ? (k === "objective" ? (sort.desc ? " asc" : "") : (sort.desc ? "" : " asc")) : "";
    return el("th", { class: "sortable" + (sorted ? " sorted" + arrow : ""), "data-key": k, "data-col": k, onclick: () => on.sort(k) },
      k === "index" ? "trial" : k);
  }));
  const rows = (page.trials || []).map((t) => el("tr", { "data-trial": String(t.index) },
    el("td", {}, pickBox(num(t.index), picked, on.pick)),
    el("td", { class: "num" }, el("a", { href: "/sweeps/" + encodeURIComponent(sweep.id) + "/trials/" + t.index }, t.index)),
    el("td", { class: "status-" + trialStatus(t.status) }, trialStatus(t.status)),
    el("td", { class: "num" }, objectiveCell(t, sweep.objective_metric)),
    el("td", { class: "num duration" }, trialDuration(t)),
    el("td", { class: "num epochs", "data-trial": String(t.index) }, num(t.epochs_run) ? String(num(t.epochs_run)) : "-"),
    params.map((p) => el("td", { class: "num" }, fmt((t.params || {})[p])))));
  document.getElementById("trials").replaceChildren(el("thead", {}, thead), el("tbody", {}, rows));
  const total = num(page.total);
  document.getElementById("page-info").textContent = total === 0 ? "no trials" :
    "trials " + ((at - 1) * PAGE + 1) + "–" + ((at - 1) * PAGE + rows.length) + " of " + total;
  const next = page.next_page_token || "";
  document.getElementById("prev").disabled = at <= 1;
  document.getElementById("next").disabled = !next;
  return { shown: rows.length, total, next };
}

// The objective as the CLI shows it: 4 significant digits, trailing zeros kept; a
// trial that did not complete shows its last value of the metric at the epoch it
// stopped ("0.4100 @2").
export function objectiveCell(t, metric) {
  if (t.objective !== undefined) return formatNumber(t.objective, 4, true);
  const last = (t.metrics || {})[metric];
  if (last !== undefined && num(t.epochs_run) > 0) return formatNumber(last, 4, true) + " @" + num(t.epochs_run);
  return "-";
}

// The epochs column as drawn (the list carries each trial's epochs_run); returns the
// cells filled.
export function fillEpochs() {
  return [...document.querySelectorAll("#trials td.epochs")].filter((td) => td.textContent !== "-").length;
}

// A row's checkbox: its trial's learning curve joins the chart above.
function pickBox(index, picked, pick) {
  const box = el("input", { type: "checkbox", class: "pick", "data-trial": String(index), title: "learning curve of trial " + index });
  box.checked = picked.has(index);
  box.addEventListener("change", () => pick(index, box.checked));
  return box;
}

// Every trial `filter` selects, as <sweep id>.csv (fetched 1,000 at a time).
export async function downloadCsv(sweep, filter) {
  const params = paramNames(sweep);
  const lines = [["trial", "status", "objective", "duration_s", ...params].join(",")];
  const cell = (v) => {
    const s = v === undefined || v === null ? "" : Array.isArray(v) ? "[" + v.join(" ") + "]" : String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  let token = "";
  do {
    const page = await api(trialsQuery(sweep.id, filter, token, 1000));
    for (const t of page.trials || []) {
      const seconds = num(t.started_ms) && num(t.finished_ms) ? (num(t.finished_ms) - num(t.started_ms)) / 1000 : undefined;
      lines.push([t.index, trialStatus(t.status), t.objective, seconds, ...params.map((p) => (t.params || {})[p])].map(cell).join(","));
    }
    token = page.next_page_token;
  } while (token);
  const a = el("a", { href: URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" })), download: sweep.id + ".csv" });
  a.click();
}
