// Small helpers shared by the editor modules: messages, CSRF, JSON requests, live regions,
// JSON pointers.

// English fallbacks. The server supplies translations through a json_script with the id
// "editor-messages" ({"saving": "…", …}) or data-msg-<key> attributes on [data-editor] /
// [data-outline]; placeholders are written {name} (or %(name)s).
const DEFAULTS = {
  saving: "Saving…",
  saved: "All changes saved",
  offline: "Offline — your changes are kept and will be sent when the connection returns",
  retrying: "Could not save — trying again…",
  invalid: "Not saved: {problem}",
  conflict: "Someone else changed this block. Choose which text to keep.",
  conflictTitle: "This block was changed by someone else",
  yourText: "Your text",
  theirText: "Their text",
  keepMine: "Keep mine",
  keepTheirs: "Keep theirs",
  copyMine: "Copy mine",
  copied: "Copied",
  resolve: "Resolve the conflict",
  theirsDeleted: "They deleted this block.",
  youDeleted: "You deleted this block.",
  empty: "(empty)",
  unsavedLeave: "Some changes are not saved yet.",
  blockDeleted: "Block deleted.",
  undo: "Undo",
  blockMoved: "Block moved to position {position} of {total}",
  blockPickedUp: "Block picked up at position {position} of {total}. Use the arrow keys to move it, Space to drop it, Escape to cancel.",
  blockDropped: "Block dropped at position {position} of {total}",
  moveCancelled: "Move cancelled; the block is back at position {position} of {total}",
  blockAdded: "Block added",
  blockDuplicated: "Block duplicated",
  blockMovedToPage: "Block moved to the other page",
  blockNotSavedYet: "Not saved yet: fix the problems shown in this block.",
  pageChanged: "Someone else changed this page. Reload to see their changes.",
  itemMoved: "Item moved to position {position} of {total}",
  itemRemoved: "Item removed",
  itemAdded: "Item added",
  sectionMoved: "Section moved to position {position} of {total}",
  pageMoved: "Page moved to position {position} of {total} in {section}",
  movePickedUp: "Picked up at position {position} of {total}. Use the arrow keys to move, Space to drop, Escape to cancel.",
  moveFailed: "Could not move: {problem}",
  requestFailed: "Something went wrong. Please try again.",
  linkTitle: "Insert a link",
  linkLabel: "Web address",
  linkInsert: "Insert link",
  linkRemove: "Remove link",
  cancel: "Cancel",
  linkRefused: "Use a web address that starts with https://, http:// or mailto:.",
  chooseFile: "Choose a file",
  noFile: "No file chosen yet.",
  loading: "Loading…",
  presenceHere: "{name} is editing this page",
  presenceElsewhere: "{name} is on '{page}'",
  presenceElsewhereUnknown: "{name} is editing another page of this course",
};

let serverMessages = null;

function loadServerMessages() {
  if (serverMessages) return serverMessages;
  serverMessages = {};
  const script = document.getElementById("editor-messages");
  if (script) {
    try {
      serverMessages = JSON.parse(script.textContent) || {};
    } catch {
      serverMessages = {};
    }
  }
  return serverMessages;
}

function fromAttributes(key) {
  const attribute = "msg" + key.charAt(0).toUpperCase() + key.slice(1);
  for (const selector of ["[data-editor]", "[data-outline]", "[data-editor-messages]"]) {
    const element = document.querySelector(selector);
    if (element && element.dataset[attribute]) return element.dataset[attribute];
  }
  return undefined;
}

/** A user-facing message, translated when the server supplied it. */
export function msg(key, params = {}) {
  const template = loadServerMessages()[key] ?? fromAttributes(key) ?? DEFAULTS[key] ?? key;
  return template
    .replace(/%\((\w+)\)s/g, (_, name) => (name in params ? String(params[name]) : ""))
    .replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

export function csrfToken() {
  const headers = document.body && document.body.getAttribute("hx-headers");
  if (headers) {
    try {
      const token = JSON.parse(headers)["X-CSRFToken"];
      if (token) return token;
    } catch {
      // fall through to the cookie
    }
  }
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export class HttpError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** POST (or GET) JSON; resolves to the parsed body on 2xx, throws HttpError or TypeError (offline). */
export async function requestJSON(url, { method = "POST", body } = {}) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      "X-CSRFToken": csrfToken(),
      "X-Requested-With": "XMLHttpRequest",
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  let parsed = null;
  const text = await response.text();
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) throw new HttpError(response.status, parsed);
  return parsed;
}

export function problemOf(error) {
  const body = error && error.body;
  if (body && body.error && body.error.message) return body.error.message;
  if (body && body.detail) return body.detail;
  return msg("requestFailed");
}

let fallbackRegion = null;

/** Announce a message in a polite live region ([data-announce], or one made for it). */
export function announce(text) {
  let region = document.querySelector("[data-announce]");
  if (!region) {
    if (!fallbackRegion) {
      fallbackRegion = document.createElement("div");
      fallbackRegion.className = "visually-hidden";
      fallbackRegion.setAttribute("role", "status");
      fallbackRegion.setAttribute("aria-live", "polite");
      fallbackRegion.dataset.announce = "";
      document.body.appendChild(fallbackRegion);
    }
    region = fallbackRegion;
  }
  // Clearing first makes screen readers repeat an identical message.
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = text;
  }, 30);
}

// --- JSON pointers --------------------------------------------------------------------------

export function pointerParts(pointer) {
  if (!pointer || pointer === "/") return [];
  return pointer
    .replace(/^\//, "")
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function pointerSet(target, pointer, value) {
  const parts = pointerParts(pointer);
  if (!parts.length) return value;
  let node = target;
  for (let i = 0; i < parts.length - 1; i += 1) {
    const key = parts[i];
    const nextIsIndex = /^\d+$/.test(parts[i + 1]);
    if (node[key] === undefined || node[key] === null || typeof node[key] !== "object") {
      node[key] = nextIsIndex ? [] : {};
    }
    node = node[key];
  }
  node[parts[parts.length - 1]] = value;
  return target;
}

export function pointerGet(target, pointer) {
  let node = target;
  for (const part of pointerParts(pointer)) {
    if (node === undefined || node === null) return undefined;
    node = node[part];
  }
  return node;
}

/** JSON with object keys sorted: a stable text to compare two data values. */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value === undefined ? null : value);
}

export function newId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  // Secure contexts always have randomUUID; this is for plain-http hosts other than localhost.
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Plain text of an HTML fragment, parsed inertly (no scripts run, no images load). */
export function htmlToText(html) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  doc.querySelectorAll("p, h2, h3, h4, li, blockquote, br").forEach((node) => {
    node.append(doc.createTextNode("\n"));
  });
  return (doc.body.textContent || "").replace(/\n{3,}/g, "\n\n").trim();
}
