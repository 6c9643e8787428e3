// A block's form ↔ its JSON `data` (docs/authoring-contract.md, "The editor page's DOM").
//
// Inputs carry data-path (a JSON pointer) and data-kind. Inside an item of a list
// (<ol data-items data-path="/options"> → <li data-item data-item-id>), paths are relative to
// the item; an item's `id` comes from data-item-id. Items are read in DOM order.
import { newId, pointerGet, pointerParts, pointerSet } from "./util.js";
import { sanitizeHtml } from "./richtext.js";

const SCOPE = "[data-item], [data-block-form], [data-block]";

function ownerOf(element) {
  return element.parentElement ? element.parentElement.closest(SCOPE) : null;
}

function isInScope(element, scope) {
  return ownerOf(element) === scope;
}

/** The [data-path] elements that belong directly to `scope` (not to an item inside it). */
function fieldsOf(scope) {
  return Array.from(scope.querySelectorAll("[data-path]")).filter((el) => !(el instanceof HTMLButtonElement) && !(el instanceof HTMLTemplateElement) && isInScope(el, scope));
}

function isList(element) {
  return element.hasAttribute("data-items");
}

export function itemsOf(list) {
  return Array.from(list.children).filter((el) => el.hasAttribute("data-item"));
}

function isEditable(element) {
  return element.isContentEditable || element.getAttribute("contenteditable") === "true" || element.hasAttribute("contenteditable");
}

function editableHtml(element) {
  const text = (element.textContent || "").trim();
  if (!text && !element.querySelector("hr")) return "";
  return element.innerHTML.trim();
}

function groupOf(scope, element) {
  const path = element.dataset.path;
  return fieldsOf(scope).filter((el) => el.dataset.path === path && !isList(el));
}

function readValue(scope, element) {
  const kind = element.dataset.kind || "text";
  const type = (element.getAttribute("type") || "").toLowerCase();
  if (kind === "html") {
    return isEditable(element) ? editableHtml(element) : element.value;
  }
  if (kind === "bool") {
    if (type === "checkbox") return element.checked;
    if (type === "radio") {
      const checked = groupOf(scope, element).find((el) => el.checked);
      return checked ? checked.value === "true" : undefined;
    }
    if (element.value === "") return undefined;
    return element.value === "true";
  }
  if (kind === "uuid-list") {
    if (element instanceof HTMLSelectElement) {
      return Array.from(element.selectedOptions, (option) => option.value).filter(Boolean);
    }
    if (type === "checkbox") {
      return groupOf(scope, element)
        .filter((el) => el.checked)
        .map((el) => el.value);
    }
    const raw = (element.value || "").trim();
    if (!raw) return [];
    if (raw.startsWith("[")) {
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    }
    return raw.split(/[\s,]+/).filter(Boolean);
  }
  if (type === "radio") {
    const checked = groupOf(scope, element).find((el) => el.checked);
    return checked ? checked.value : undefined;
  }
  const raw = isEditable(element) ? element.textContent || "" : element.value ?? "";
  if (kind === "number") {
    if (raw.trim() === "") return undefined;
    const number = Number(raw);
    return Number.isFinite(number) ? number : raw;
  }
  if (kind === "choice" || kind === "asset") {
    return raw === "" ? undefined : raw;
  }
  if (kind === "json") {
    if (raw.trim() === "") return undefined;
    try {
      return JSON.parse(raw);
    } catch {
      return raw; // the server answers with a clear problem for this field
    }
  }
  if (kind === "lines") {
    return raw
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
  }
  return raw;
}

/** The `data` of a block form, or of one item inside it. */
export function serialize(scope) {
  const data = {};
  const done = new Set();
  if (scope.hasAttribute("data-item") && scope.hasAttribute("data-item-id") && scope.dataset.itemId) {
    data.id = scope.dataset.itemId;
  }
  for (const element of fieldsOf(scope)) {
    const path = element.dataset.path;
    if (isList(element)) {
      const items = itemsOf(element).map((item) => serialize(item));
      if (!items.length && element.hasAttribute("data-optional")) continue;
      pointerSet(data, path, items);
      continue;
    }
    const kind = element.dataset.kind || "text";
    const type = (element.getAttribute("type") || "").toLowerCase();
    const grouped = type === "radio" || (type === "checkbox" && kind === "uuid-list");
    if (grouped) {
      if (done.has(path)) continue;
      done.add(path);
    }
    if (element.disabled && element.dataset.keepDisabled === undefined) continue;
    const value = readValue(scope, element);
    if (value === undefined) continue;
    // A flag the data does not hold yet, still off, stays left out (the data round-trips).
    if (element.hasAttribute("data-absent") && value === false) continue;
    // An optional field left empty is left out, as the server's defaults do.
    if (element.hasAttribute("data-optional") && (value === "" || (Array.isArray(value) && !value.length))) continue;
    pointerSet(data, path, value);
  }
  return data;
}

/** The form of a block element. */
export function formOf(block) {
  return block.querySelector("[data-block-form]") || block;
}

export function blockData(block) {
  return serialize(formOf(block));
}

// --- data → form ----------------------------------------------------------------------------

function writeValue(scope, element, value) {
  const kind = element.dataset.kind || "text";
  const type = (element.getAttribute("type") || "").toLowerCase();
  if (kind === "html" && isEditable(element)) {
    element.innerHTML = typeof value === "string" ? sanitizeHtml(value) : "";
    return;
  }
  if (type === "checkbox") {
    if (kind === "uuid-list") {
      element.checked = Array.isArray(value) && value.includes(element.value);
    } else {
      element.checked = value === true;
    }
    return;
  }
  if (type === "radio") {
    element.checked = value !== undefined && String(value) === element.value;
    return;
  }
  if (element instanceof HTMLSelectElement && element.multiple) {
    const wanted = new Set(Array.isArray(value) ? value : []);
    Array.from(element.options).forEach((option) => {
      option.selected = wanted.has(option.value);
    });
    return;
  }
  let text;
  if (value === undefined || value === null) text = "";
  else if (kind === "json") text = JSON.stringify(value);
  else if (kind === "lines" && Array.isArray(value)) text = value.join("\n");
  else if (kind === "uuid-list" && Array.isArray(value)) text = element.value.trim().startsWith("[") ? JSON.stringify(value) : value.join(",");
  else text = String(value);
  if (isEditable(element)) element.textContent = text;
  else element.value = text;
}

/** The <template data-item-template> of an item list: in its [data-items-field], not a nested one. */
export function templateFor(list) {
  if (list.dataset.template) {
    const byId = document.getElementById(list.dataset.template);
    if (byId) return byId;
  }
  const field = list.closest("[data-items-field]");
  if (field) {
    const own = Array.from(field.querySelectorAll("template[data-item-template]")).find((t) => t.closest("[data-items-field]") === field);
    if (own) return own;
  }
  const inside = list.querySelector(":scope > template[data-item-template]");
  if (inside) return inside;
  let sibling = list.nextElementSibling;
  while (sibling) {
    if (sibling.matches("template[data-item-template]")) return sibling;
    sibling = sibling.nextElementSibling;
  }
  return null;
}

/** The item list an "add" button (or anything in an items field) belongs to. */
export function listFor(control) {
  const field = control.closest("[data-items-field]");
  if (field) {
    return Array.from(field.querySelectorAll("[data-items]")).find((l) => l.closest("[data-items-field]") === field) || null;
  }
  const item = control.closest("[data-item]");
  return item ? item.parentElement : null;
}

function replacePlaceholder(root, id) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  const nodes = [root];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  for (const node of nodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      if (node.textContent.includes("__id__")) node.textContent = node.textContent.replace(/__id__/g, id);
      continue;
    }
    for (const attribute of Array.from(node.attributes)) {
      if (/__prefix__|__item__|__id__/.test(attribute.value)) {
        node.setAttribute(attribute.name, attribute.value.replace(/__prefix__|__item__|__id__/g, id));
      }
    }
    if (node instanceof HTMLInputElement && /__id__/.test(node.value)) node.value = node.value.replace(/__id__/g, id);
  }
}

/** A new item for `list` from its <template data-item-template>, with a fresh id. */
export function newItem(list) {
  const template = templateFor(list);
  if (!template) return null;
  const source = template.content.querySelector("[data-item]") || template.content.firstElementChild;
  if (!source) return null;
  const item = source.cloneNode(true);
  const id = newId();
  replacePlaceholder(item, id);
  if (item.hasAttribute("data-item-id") || !list.dataset.itemKey) item.dataset.itemId = id;
  // Hidden ids the item owns besides its own (the right-hand id of a matching pair).
  item.querySelectorAll("[data-fresh-id]").forEach((input) => {
    input.value = newId();
  });
  return item;
}

/** Put `data` into the form (or an item): used for restoring local drafts and "keep theirs". */
export function fill(scope, data) {
  const done = new Set();
  for (const element of fieldsOf(scope)) {
    const path = element.dataset.path;
    const value = pointerGet(data, path);
    if (isList(element)) {
      fillList(element, Array.isArray(value) ? value : []);
      continue;
    }
    const type = (element.getAttribute("type") || "").toLowerCase();
    if (type === "radio" || type === "checkbox") {
      // every member of a group is written
      writeValue(scope, element, value);
      continue;
    }
    if (done.has(path)) continue;
    done.add(path);
    writeValue(scope, element, value);
  }
}

function fillList(list, values) {
  const existing = itemsOf(list);
  const byId = new Map(existing.filter((li) => li.dataset.itemId).map((li) => [li.dataset.itemId, li]));
  const used = new Set();
  const ordered = values.map((value, index) => {
    let item = value && value.id ? byId.get(value.id) : undefined;
    if (!item && !(value && value.id)) item = existing[index];
    if (!item || used.has(item)) {
      item = newItem(list);
      if (!item) return null;
    }
    used.add(item);
    if (value && value.id) item.dataset.itemId = value.id;
    fill(item, value || {});
    return item;
  });
  existing.filter((li) => !used.has(li)).forEach((li) => li.remove());
  // Re-append in order; a <template> kept inside the list stays last.
  const template = list.querySelector(":scope > template");
  ordered.filter(Boolean).forEach((item) => list.insertBefore(item, template));
}

/** The element of a field named by a pointer into the block's data, e.g. /options/1/text. */
export function fieldFor(block, pointer) {
  const form = formOf(block);
  let scope = form;
  let parts = pointerParts(pointer);
  let best = null;
  while (parts.length) {
    const fields = fieldsOf(scope);
    let matched = null;
    let used = 0;
    for (let n = parts.length; n >= 1; n -= 1) {
      const path = `/${pointerPath(parts.slice(0, n))}`;
      const element = fields.find((f) => f.dataset.path === path);
      if (element) {
        matched = element;
        used = n;
        break;
      }
    }
    if (!matched) return best;
    best = matched;
    parts = parts.slice(used);
    if (parts.length && isList(matched) && /^\d+$/.test(parts[0])) {
      const item = itemsOf(matched)[Number(parts[0])];
      if (!item) return matched;
      best = item;
      scope = item;
      parts = parts.slice(1);
      continue;
    }
    return matched;
  }
  return best;
}

function pointerPath(parts) {
  return parts.map((part) => String(part).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}
