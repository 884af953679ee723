// Values as the pages show them. The API writes int64 as strings (proto3 JSON): num()
// reads them.

export const num = (v) => (v === undefined || v === null || v === "" ? null : Number(v));

// A value in a cell or a label: 4 significant digits, lists in brackets, "-" for none.
export function fmt(v) {
  if (v === null || v === undefined) return "-";
  if (typeof v !== "number") return Array.isArray(v) ? "[" + v.join(", ") + "]" : String(v);
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(4)).toString();
}

// A categorical value as an axis category.
export const label = (v) => (Array.isArray(v) ? "[" + v.join(",") + "]" : String(v));

// Seconds as 850ms, 12.5s, 3m05s, 2h10m.
export function duration(s) {
  if (s < 1) return Math.round(s * 1000) + "ms";
  if (s < 60) return s.toFixed(1) + "s";
  if (s < 3600) return Math.floor(s / 60) + "m" + String(Math.round(s % 60)).padStart(2, "0") + "s";
  return Math.floor(s / 3600) + "h" + String(Math.round((s % 3600) / 60)).padStart(2, "0") + "m";
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
