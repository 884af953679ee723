// A command trial's output on its page: what the program wrote to stdout and stderr,
// as the server keeps it (the last 1 MiB of each stream; /trials/{n}/log). Each
// update reads on from where the last one ended, so only what is new is fetched;
// a new attempt starts the panel over. Shown as text, never as markup.
import { api } from "./api.js";
import { el } from "./dom.js";

const kPageBytes = 1 << 20;  // the most one read returns
const kMaxShown = 1 << 20;   // characters kept per stream in the page

function freshStream() {
  return { offset: 0, text: "", decoder: new TextDecoder("utf-8") };
}

// base64 (the JSON mapping of `bytes`) → bytes.
function bytesOf(b64) {
  const raw = atob(b64 || "");
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export class TrialOutput {
  constructor(sweepId, index) {
    this.route = "/api/v1/sweeps/" + encodeURIComponent(sweepId) + "/trials/" + index + "/log";
    this.attempt = 0;
    this.streams = { stdout: freshStream(), stderr: freshStream() };
  }

  // The panel: a heading, a line saying what is shown, a box per stream.
  element() {
    return [
      el("h2", {}, "Output"), el("div", { class: "sub", id: "output-summary" }),
      el("div", { class: "outputs" },
        el("div", {}, el("div", { class: "sub" }, "stdout"), el("pre", { class: "output", id: "stdout" })),
        el("div", {}, el("div", { class: "sub" }, "stderr"), el("pre", { class: "output", id: "stderr" }))),
    ];
  }

  async update() {
    await this.read("stdout", "OUTPUT_STREAM_STDOUT");
    await this.read("stderr", "OUTPUT_STREAM_STDERR");
    const s = this.streams;
    document.getElementById("output-summary").textContent = this.attempt === 0
      ? "the trial has not started"
      : "attempt " + this.attempt + " · stdout " + s.stdout.offset + " bytes · stderr " + s.stderr.offset +
        " bytes" + (this.finished ? "" : " · running (refreshed with each epoch)");
    for (const name of ["stdout", "stderr"]) {
      const pre = document.getElementById(name);
      if (pre.textContent.length === s[name].text.length) continue;
      const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.textContent = s[name].text;
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    }
  }

  // Reads one stream on to its end; the first stream read names the attempt shown.
  async read(name, stream) {
    for (;;) {
      const s = this.streams[name];
      const pinned = name === "stdout" ? "" : "&attempt=" + this.attempt;
      const r = await api(this.route + "?stream=" + stream + "&offset=" + s.offset + "&max_bytes=" + kPageBytes +
                          (this.attempt ? pinned : ""));
      if (r.attempt !== this.attempt) {  // a new attempt: start over
        this.attempt = r.attempt;
        this.streams = { stdout: freshStream(), stderr: freshStream() };
        if (Number(r.offset) !== 0) continue;
      }
      const t = this.streams[name];
      const offset = Number(r.offset);
      if (offset > t.offset) t.text += "[" + (offset - t.offset) + " earlier bytes of output dropped]\n";
      const bytes = bytesOf(r.data);
      t.text += t.decoder.decode(bytes, { stream: true });
      if (t.text.length > kMaxShown) t.text = t.text.slice(t.text.length - kMaxShown);
      t.offset = offset + bytes.length;
      this.finished = r.finished;
      if (t.offset >= Number(r.end)) return;
    }
  }
}
