// Presence: who else is editing this course, and on which page.
//   POST data-presence-url {"page_uuid"} → {"others": [{member_uuid, name, page_uuid, seen_at}]}
// A heartbeat every 15 s and whenever the tab becomes visible again.
import { msg, requestJSON } from "./util.js";

const HEARTBEAT_MS = 15000;

function pageTitle(uuid) {
  if (!uuid) return "";
  const element = document.querySelector(`[data-page][data-page-uuid="${CSS.escape(uuid)}"], [data-page-link][data-page-uuid="${CSS.escape(uuid)}"]`);
  if (!element) {
    // The editor's outline links to each page: /courses/<course>/pages/<page>/.
    const link = Array.from(document.querySelectorAll("a[href]")).find((a) => a.getAttribute("href").includes(`/pages/${uuid}/`));
    return link ? link.textContent.trim() : "";
  }
  const marked = element.querySelector("[data-page-title]");
  const source = marked || element.querySelector("a") || element;
  return (source.dataset && source.dataset.pageTitle) || source.textContent.trim();
}

export function render(container, others, pageUuid) {
  if (!container) return;
  const seen = new Set();
  const lines = [];
  for (const other of others || []) {
    if (seen.has(other.member_uuid)) continue;
    seen.add(other.member_uuid);
    let text;
    if (other.page_uuid && other.page_uuid === pageUuid) {
      text = msg("presenceHere", { name: other.name });
    } else {
      const title = pageTitle(other.page_uuid);
      text = title ? msg("presenceElsewhere", { name: other.name, page: title }) : msg("presenceElsewhereUnknown", { name: other.name });
    }
    lines.push(text);
  }
  const current = Array.from(container.querySelectorAll("li"), (li) => li.textContent).join("\n");
  if (current === lines.join("\n") && (lines.length > 0) === Boolean(container.querySelector("ul"))) return;
  if (!lines.length) {
    container.replaceChildren();
    container.hidden = true;
    return;
  }
  const list = document.createElement("ul");
  list.className = "presence-list";
  for (const line of lines) {
    const item = document.createElement("li");
    item.textContent = line;
    list.appendChild(item);
  }
  container.replaceChildren(list);
  container.hidden = false;
}

export function initPresence(editor) {
  const url = editor.dataset.presenceUrl;
  const pageUuid = editor.dataset.pageUuid || "";
  const container = document.querySelector("[data-presence]");
  if (!url) return;
  let timer = null;
  let busy = false;

  async function beat() {
    if (busy) return;
    busy = true;
    try {
      const body = await requestJSON(url, { body: { page_uuid: pageUuid || null } });
      render(container, (body && body.others) || [], pageUuid);
    } catch {
      // Presence is a courtesy: a failed heartbeat changes nothing else.
    } finally {
      busy = false;
    }
  }

  function schedule() {
    window.clearInterval(timer);
    timer = window.setInterval(() => {
      if (document.visibilityState === "visible") beat();
    }, HEARTBEAT_MS);
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      beat();
      schedule();
    }
  });
  beat();
  schedule();
}
