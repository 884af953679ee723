// The sweep list (/ and /sweeps): every sweep with its status, progress and best
// objective. Polled; it follows no event stream.
import { api } from "./api.js";
import { el } from "./dom.js";
import { age, fmt, num, sweepStatus } from "./format.js";
import { hooks } from "./hooks.js";
import { done } from "./sweep_data.js";

export function sweepsPage(app) {
  const state = { name: "" };

  function build() {
    state.name = "sweeps";
    document.getElementById("main").replaceChildren(
      el("h1", {}, "Sweeps"),
      el("table", { id: "sweeps" },
        el("thead", {}, el("tr", {}, ["id", "name", "status", "progress", "best", "age"].map((h) => el("th", {}, h)))),
        el("tbody", {})));
  }

  async function update() {
    app.unfollow();
    if (!state.name) build();
    const all = [];
    let token = "";
    do {
      const page = await api("/api/v1/sweeps?page_size=1000" + (token ? "&page_token=" + encodeURIComponent(token) : ""));
      all.push(...(page.sweeps || []));
      token = page.next_page_token;
    } while (token && all.length < 10000);
    const rows = all.map((s) => {
      const total = num(s.total_trials);
      const d = done(s.counts);
      return el("tr", { "data-id": s.id },
        el("td", {}, el("a", { href: "/sweeps/" + encodeURIComponent(s.id) }, s.id)),
        el("td", {}, s.name),
        el("td", { class: "status-" + sweepStatus(s.status) }, sweepStatus(s.status)),
        el("td", {}, el("progress", { max: String(total || 1), value: String(d) }), " " + d + "/" + total),
        el("td", { class: "num" }, s.best_objective === undefined ? "-" : fmt(s.best_objective)),
        el("td", {}, age(num(s.created_ms))));
    });
    document.querySelector("#sweeps tbody").replaceChildren(...rows);
    hooks.sweeps(rows.length);
  }

  return { get name() { return state.name; }, update };
}
