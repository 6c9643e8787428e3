// The course outline: reorder sections and pages by drag-and-drop, by keyboard on the drag
// handles, and through the server's no-JS move buttons and "Move to section" forms, which
// are enhanced to call the API instead of reloading the page.
//   POST /api/v1/sections/<uuid>/move/ {"index": i}
//   POST /api/v1/pages/<uuid>/move/    {"section": "<uuid>", "index": i}
import { makeSortable } from "./sortable.js";
import { announce, msg, problemOf, requestJSON } from "./util.js";

const NEAREST = "[data-block], [data-page], [data-section]";

function sectionsOf(outline) {
  return Array.from(outline.children).filter((el) => el.matches("[data-section]"));
}

function pagesListOf(section) {
  return Array.from(section.querySelectorAll("[data-pages]")).find((list) => list.closest("[data-section]") === section) || null;
}

function pagesOf(list) {
  return Array.from(list.children).filter((el) => el.matches("[data-page]"));
}

function titleOf(element) {
  const marked = element.querySelector("[data-section-title], [data-page-title]");
  if (marked) return marked.textContent.trim();
  const heading = element.querySelector("h2, h3, h4, a, span");
  return heading ? heading.textContent.trim() : "";
}

function apiBase(outline) {
  return (outline.dataset.apiBase || "/api/v1/").replace(/\/?$/, "/");
}

export function initOutline(outline) {
  const base = apiBase(outline);

  function tidy() {
    // "No pages in this section yet." only where that is still true.
    outline.querySelectorAll("[data-pages]").forEach((list) => {
      const empty = pagesOf(list).length === 0;
      list.querySelectorAll(":scope > .outline__empty, :scope > [data-pages-empty]").forEach((note) => {
        note.hidden = !empty;
      });
    });
  }

  async function save(item, origin) {
    tidy();
    try {
      if (item.matches("[data-section]")) {
        const index = sectionsOf(outline).indexOf(item);
        await requestJSON(`${base}sections/${item.dataset.sectionUuid}/move/`, { body: { index } });
        const total = sectionsOf(outline).length;
        announce(msg("sectionMoved", { position: index + 1, total }));
      } else {
        const section = item.closest("[data-section]");
        const list = item.parentElement;
        const index = pagesOf(list).indexOf(item);
        await requestJSON(`${base}pages/${item.dataset.pageUuid}/move/`, {
          body: { section: section.dataset.sectionUuid, index },
        });
        announce(msg("pageMoved", { position: index + 1, total: pagesOf(list).length, section: titleOf(section) }));
      }
      outline.dispatchEvent(new CustomEvent("outline:moved", { bubbles: true, detail: { item } }));
    } catch (error) {
      // Put it back where the server still has it.
      if (origin) origin.list.insertBefore(item, origin.next && origin.next.parentElement === origin.list ? origin.next : null);
      tidy();
      announce(msg("moveFailed", { problem: problemOf(error) }));
    }
  }

  const messages = (kind) => ({
    pickedUp: (position, total) => msg("movePickedUp", { position, total }),
    moved: (position, total, item) =>
      kind === "section" ? msg("sectionMoved", { position, total }) : msg("pageMoved", { position, total, section: titleOf(item.closest("[data-section]")) }),
    dropped: (position, total, item) =>
      kind === "section" ? msg("sectionMoved", { position, total }) : msg("pageMoved", { position, total, section: titleOf(item.closest("[data-section]")) }),
    cancelled: (position, total) => msg("moveCancelled", { position, total }),
  });

  makeSortable({ container: outline, lists: "[data-outline]", items: "[data-section]", handle: "[data-drag-handle]", onMove: save, messages: messages("section") });
  makeSortable({ container: outline, lists: "[data-pages]", items: "[data-page]", handle: "[data-drag-handle]", onMove: save, messages: messages("page") });

  // The no-JS move buttons: move here and tell the API.
  outline.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-action='move-up'], [data-action='move-down']") : null;
    if (!button) return;
    const item = button.closest(NEAREST);
    if (!item || item.matches("[data-block]") || !outline.contains(item)) return;
    event.preventDefault();
    const list = item.parentElement;
    const origin = { list, next: item.nextElementSibling };
    const selector = item.matches("[data-section]") ? "[data-section]" : "[data-page]";
    const siblings = Array.from(list.children).filter((el) => el.matches(selector));
    const index = siblings.indexOf(item);
    if (button.dataset.action === "move-up") {
      if (index > 0) siblings[index - 1].before(item);
      else if (selector === "[data-page]") {
        // The first page of a section goes to the end of the section above.
        const sections = sectionsOf(outline);
        const previous = sections[sections.indexOf(item.closest("[data-section]")) - 1];
        const target = previous ? pagesListOf(previous) : null;
        if (!target) return;
        target.appendChild(item);
      } else return;
    } else if (index < siblings.length - 1) siblings[index + 1].after(item);
    else if (selector === "[data-page]") {
      const sections = sectionsOf(outline);
      const next = sections[sections.indexOf(item.closest("[data-section]")) + 1];
      const target = next ? pagesListOf(next) : null;
      if (!target) return;
      target.insertBefore(item, pagesOf(target)[0] || null);
    } else return;
    button.focus();
    save(item, origin);
  });

  // "Move to section": a form with a select of sections inside a page.
  outline.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const page = form.closest("[data-page]");
    const select = form.querySelector("select[data-move-section], select[name='section']");
    if (!page || !select || !outline.contains(page)) return;
    event.preventDefault();
    const section = sectionsOf(outline).find((s) => s.dataset.sectionUuid === select.value);
    const target = section ? pagesListOf(section) : null;
    if (!target || target === page.parentElement) return;
    const origin = { list: page.parentElement, next: page.nextElementSibling };
    target.appendChild(page);
    const focusable = page.querySelector("[data-drag-handle], a, button");
    if (focusable) focusable.focus();
    save(page, origin);
  });
}
