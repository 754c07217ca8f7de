// Talking to the server from a module, the way htmx does for a form: with the page's form token
// (CSRF), and JSON both ways. And base64url, the way bytes travel in JSON and in the vault's
// files: WebAuthn's challenges and answers, the vault's salts, IVs and ciphertexts.

/** The form token, as htmx sends it from <body hx-headers>; fetch() sends the same header. */
export function csrfHeader() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  } catch {
    return {};
  }
}

/**
 * {ok, status, answer}: the answer is the JSON the server sent, or null for anything else. No
 * signal rejects, as fetch() does.
 */
export async function fetchJSON(url, options = {}) {
  const response = await fetch(url, {
    credentials: "same-origin",
    cache: "no-store",
    ...options,
    headers: { Accept: "application/json", ...csrfHeader(), ...(options.headers || {}) },
  });
  const type = response.headers.get("Content-Type") || "";
  const json = type.startsWith("application/json");
  const answer = json ? await response.json().catch(() => null) : null;
  return { ok: response.ok, status: response.status, answer };
}

export function postJSON(url, body) {
  return fetchJSON(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

// Base64url without padding (RFC 4648 §5).
export function toBase64url(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (let start = 0; start < view.length; start += 0x8000) {
    binary += String.fromCharCode(...view.subarray(start, start + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes `text` spells, or null when it is not base64url. */
export function fromBase64url(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    return null;
  }
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
