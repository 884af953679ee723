// Values as the pages show them. The API writes int64 as strings (proto3 JSON): num()
// reads them.

export const num = (v) => (v === undefined || v === null || v === "" ? null : Number(v));

// A number as the CLI prints it (client/format.cc, printf's %.4g): `digits`
// significant digits, trailing zeros dropped, exponent form below 1e-4 and from
// 1e4 up (1.992e-06, 1.235e+05); integers in full. keepZeros: printf's %#.4g
// (0.8600, 1.000: every digit kept).
export function formatNumber(v, digits = 4, keepZeros = false) {
  if (typeof v !== "number") v = Number(v);
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (!keepZeros && Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const strip = (s) => (keepZeros ? s : s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  const [mantissa, e] = v.toExponential(digits - 1).split("e");
  const x = Number(e);  // the exponent after rounding to `digits` digits
  if (x < -4 || x >= digits) return strip(mantissa) + "e" + (x < 0 ? "-" : "+") + String(Math.abs(x)).padStart(2, "0");
  const fixed = v.toFixed(Math.max(0, digits - 1 - x));
  return keepZeros ? (fixed.includes(".") ? fixed : fixed + ".") : strip(fixed);
}

// A number exactly, as the spec writer (search/spec_writer.cc) and C++'s shortest
// round-trip text write it: the shorter of the plain and the exponent form (0.001,
// 1.992e-06, 2.5e+21).
export function exactNumber(v) {
  if (!Number.isFinite(v)) return formatNumber(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return String(v);
  const sci = v.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  const plain = String(v);
  return plain.includes("e") || sci.length < plain.length ? sci : plain;
}

// A value in a cell or a label: numbers by formatNumber, lists in brackets, "-" for none.
export function fmt(v) {
  if (v === null || v === undefined) return "-";
  if (typeof v === "number") return formatNumber(v);
  if (Array.isArray(v)) return "[" + v.map(fmt).join(", ") + "]";
  return String(v);
}

// A categorical value as an axis category.
export const label = (v) => (Array.isArray(v) ? "[" + v.join(",") + "]" : String(v));

// Seconds as 850ms, 12.5s, 3m05s, 2h10m.
export function duration(s) {
  if (s < 1) return Math.round(s * 1000) + "ms";
  if (s < 59.95) return s.toFixed(1) + "s";
  const whole = Math.round(s);  // whole seconds: 119.6 s is 2m00s, not 1m60s
  if (whole < 3600) return Math.floor(whole / 60) + "m" + String(whole % 60).padStart(2, "0") + "s";
  const mins = Math.round(s / 60);
  return Math.floor(mins / 60) + "h" + String(mins % 60).padStart(2, "0") + "m";
}

// A trial's running time (finished − started; until now while it runs), or "-".
export function trialDuration(t) {
  const started = num(t.started_ms), finished = num(t.finished_ms);
  if (!started) return "-";
  return duration(Math.max(0, ((finished || Date.now()) - started) / 1000));
}

// How long ago a time (ms since the epoch) was: 40s, 5m, 2.5h, 3.0d.
export function age(ms) {
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 60) return Math.round(s) + "s";
  if (s < 3600) return Math.round(s / 60) + "m";
  if (s < 86400) return (s / 3600).toFixed(1) + "h";
  return (s / 86400).toFixed(1) + "d";
}

export const sweepStatus = (s) => String(s).replace("SWEEP_", "").toLowerCase();
export const trialStatus = (s) => String(s).toLowerCase();
