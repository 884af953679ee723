// The read-only JSON API (/api/v1/), with the browser's session cookie. Without a
// session the browser goes to the login form, and back here after it.

// An answer of the API's own: its message is meant for the user.
export class ApiError extends Error {}

export async function api(path) {
  const r = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (r.status === 401) {
    location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    throw new ApiError("login required");
  }
  const body = await r.json();
  if (!r.ok) throw new ApiError(body.error ? body.error.message : r.statusText);
  return body;
}
