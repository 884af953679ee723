// The sweep page's trial table: one page of trials as the server sorted and filtered
// them, a checkbox a row to draw the trial's learning curve, and the whole selection
// as CSV.
import { api } from "./api.js";
import { el } from "./dom.js";
import { fmt, num, trialStatus } from "./format.js";
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
  const columns = ["index", "status", "objective", ...params];
  const thead = el("tr", {}, el("th", { title: "show its learning curve above" }, "curve"), columns.map((k) => {
    if (k === "status") return el("th", {}, k);
    const sorted = sort.key === k;
    // objective: best first, then worst first; the rest ascending, then descending.
    const arrow = sorted ? (k === "objective" ? (sort.desc ? " asc" : "") : (sort.desc ? "" : " asc")) : "";
    return el("th", { class: "sortable" + (sorted ? " sorted" + arrow : ""), "data-key": k, onclick: () => on.sort(k) },
      k === "index" ? "trial" : k);
  }));
  const rows = (page.trials || []).map((t) => el("tr", { "data-trial": String(t.index) },
    el("td", {}, pickBox(num(t.index), picked, on.pick)),
    el("td", { class: "num" }, el("a", { href: "/sweeps/" + encodeURIComponent(sweep.id) + "/trials/" + t.index }, t.index)),
    el("td", { class: "status-" + trialStatus(t.status) }, trialStatus(t.status)),
    el("td", { class: "num" }, t.objective === undefined ? "-" : fmt(t.objective)),
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
  const lines = [["trial", "status", "objective", ...params].join(",")];
  const cell = (v) => {
    const s = v === undefined || v === null ? "" : Array.isArray(v) ? "[" + v.join(" ") + "]" : String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  let token = "";
  do {
    const page = await api(trialsQuery(sweep.id, filter, token, 1000));
    for (const t of page.trials || []) {
      lines.push([t.index, trialStatus(t.status), t.objective, ...params.map((p) => (t.params || {})[p])].map(cell).join(","));
    }
    token = page.next_page_token;
  } while (token);
  const a = el("a", { href: URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" })), download: sweep.id + ".csv" });
  a.click();
}
