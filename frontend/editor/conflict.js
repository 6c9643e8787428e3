// The conflict view: someone else changed a block this author was editing.
//
// <dialog data-conflict> shows "Your text" and "Their text" field by field, and the author
// chooses: Keep mine (sent again with force over theirs), Keep theirs (their text goes into
// the form, ours is dropped) or Copy mine (to the clipboard, to merge by hand). Escape closes
// the dialog without deciding: the block stays marked, its text stays in localStorage, and a
// "Resolve the conflict" button in the block opens the view again.
import { blockData, fieldFor } from "./serialize.js";
import { announce, htmlToText, msg } from "./util.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function labelOf(block, pointer) {
  const field = block ? fieldFor(block, pointer) : null;
  if (field) {
    const control = field.matches("input, select, textarea, [contenteditable]") ? field : field.querySelector("input, select, textarea, [contenteditable]");
    if (control) {
      if (control.id) {
        const label = document.querySelector(`label[for="${CSS.escape(control.id)}"]`);
        if (label && label.textContent.trim()) return label.textContent.trim();
      }
      if (control.getAttribute("aria-label")) return control.getAttribute("aria-label");
      const labelledBy = control.getAttribute("aria-labelledby");
      if (labelledBy) {
        const text = labelledBy
          .split(" ")
          .map((id) => document.getElementById(id))
          .filter(Boolean)
          .map((el) => el.textContent.trim())
          .join(" ");
        if (text) return text;
      }
      const wrapping = control.closest("label");
      if (wrapping && wrapping.textContent.trim()) return wrapping.textContent.trim();
    }
  }
  // "/options/1/text" → "Options 2 · text"
  return pointer
    .split("/")
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? String(Number(part) + 1) : part.replace(/_/g, " ")))
    .join(" · ");
}

/** [pointer, readable text] for every piece of text in `data`, in order. */
function readable(data, prefix = "") {
  const rows = [];
  if (Array.isArray(data)) {
    data.forEach((value, index) => rows.push(...readable(value, `${prefix}/${index}`)));
  } else if (data && typeof data === "object") {
    for (const [key, value] of Object.entries(data)) {
      if (key === "id") continue;
      rows.push(...readable(value, `${prefix}/${key}`));
    }
  } else if (typeof data === "string") {
    if (!UUID.test(data)) rows.push([prefix, /<\/?[a-z][^>]*>/i.test(data) ? htmlToText(data) : data]);
  } else if (typeof data === "number" || typeof data === "boolean") {
    rows.push([prefix, String(data)]);
  }
  return rows;
}

function renderText(container, block, data, other, deletedMessage) {
  container.replaceChildren();
  if (data === null) {
    const p = document.createElement("p");
    p.textContent = msg(deletedMessage);
    container.appendChild(p);
    return "";
  }
  const otherRows = new Map(other ? readable(other) : []);
  const list = document.createElement("dl");
  list.className = "conflict-text";
  const plain = [];
  for (const [pointer, text] of readable(data)) {
    const dt = document.createElement("dt");
    dt.textContent = labelOf(block, pointer);
    const dd = document.createElement("dd");
    const lines = (text || msg("empty")).split("\n");
    lines.forEach((line, index) => {
      if (index) dd.appendChild(document.createElement("br"));
      dd.appendChild(document.createTextNode(line));
    });
    if (otherRows.get(pointer) !== text) dd.classList.add("conflict-text--differs");
    list.append(dt, dd);
    plain.push(`${dt.textContent}: ${text}`);
  }
  container.appendChild(list);
  return plain.join("\n");
}

function button(action, label, primary) {
  const el = document.createElement("button");
  el.type = "button";
  el.className = primary ? "button" : "button button--secondary";
  el.dataset.conflictAction = action;
  el.textContent = label;
  return el;
}

function ensureStructure(dialog) {
  if (dialog.querySelector("[data-conflict-mine]") && dialog.querySelector("[data-conflict-theirs]")) return;
  const uid = `conflict-${Math.random().toString(36).slice(2, 8)}`;
  const title = document.createElement("h2");
  title.id = `${uid}-title`;
  title.textContent = msg("conflictTitle");
  dialog.setAttribute("aria-labelledby", title.id);
  const columns = document.createElement("div");
  columns.className = "conflict-columns";
  const make = (label, attribute) => {
    const section = document.createElement("section");
    const heading = document.createElement("h3");
    heading.textContent = label;
    const body = document.createElement("div");
    body.setAttribute(attribute, "");
    section.append(heading, body);
    return section;
  };
  columns.append(make(msg("yourText"), "data-conflict-mine"), make(msg("theirText"), "data-conflict-theirs"));
  const actions = document.createElement("div");
  actions.className = "dialog__actions";
  actions.append(button("keep-mine", msg("keepMine"), true), button("keep-theirs", msg("keepTheirs")), button("copy-mine", msg("copyMine")));
  const status = document.createElement("p");
  status.setAttribute("role", "status");
  status.dataset.conflictStatus = "";
  dialog.append(title, columns, actions, status);
}

export class ConflictView {
  constructor(dialog, autosave) {
    this.dialog = dialog;
    this.autosave = autosave;
    this.waiting = [];
    this.current = null;
    this.returnFocus = null;
    this.mineText = "";
    if (!dialog) return;
    ensureStructure(dialog);
    dialog.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target.closest("[data-conflict-action]") : null;
      if (!target || !this.current) return;
      event.preventDefault();
      this.act(target.dataset.conflictAction);
    });
    dialog.addEventListener("cancel", () => {
      // Escape: decide later. The block keeps its mark and local copy.
      this.close(false);
    });
  }

  /** A conflict came back from the server for `blockId`. */
  show(blockId) {
    if (!this.dialog) return;
    if (this.current && this.current !== blockId) {
      if (!this.waiting.includes(blockId)) this.waiting.push(blockId);
      return;
    }
    this.addResolveButton(blockId);
    this.open(blockId);
  }

  open(blockId) {
    const conflict = this.autosave.conflictOf(blockId);
    if (!conflict) return;
    this.current = blockId;
    const block = this.autosave.blockEl(blockId);
    // No block here: this author deleted it while someone else changed it.
    const mine = block ? blockData(block) : null;
    const theirs = conflict.theirs ? conflict.theirs.data || {} : null;
    this.mineText = renderText(this.dialog.querySelector("[data-conflict-mine]"), block, mine, theirs, "youDeleted");
    renderText(this.dialog.querySelector("[data-conflict-theirs]"), block, theirs, mine, "theirsDeleted");
    const status = this.dialog.querySelector("[data-conflict-status]");
    if (status) status.textContent = "";
    this.dialog.dataset.blockId = blockId;
    if (!this.dialog.open) {
      this.returnFocus = document.activeElement;
      this.dialog.showModal();
    }
    const first = this.dialog.querySelector("[data-conflict-action='keep-mine']");
    if (first) first.focus();
  }

  addResolveButton(blockId) {
    const block = this.autosave.blockEl(blockId);
    if (!block) return;
    const area = block.querySelector("[data-block-errors]") || block;
    if (area.querySelector("[data-conflict-reopen]")) return;
    const reopen = document.createElement("button");
    reopen.type = "button";
    reopen.className = "button button--secondary";
    reopen.dataset.conflictReopen = "";
    reopen.textContent = msg("resolve");
    reopen.addEventListener("click", () => this.open(blockId));
    area.appendChild(reopen);
  }

  async act(action) {
    const blockId = this.current;
    if (action === "copy-mine") {
      const status = this.dialog.querySelector("[data-conflict-status]");
      try {
        await navigator.clipboard.writeText(this.mineText);
      } catch {
        // No clipboard permission: select the text so Ctrl+C copies it.
        const range = document.createRange();
        range.selectNodeContents(this.dialog.querySelector("[data-conflict-mine]"));
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
      if (status) status.textContent = msg("copied");
      return;
    }
    if (action === "keep-mine") this.autosave.keepMine(blockId);
    else if (action === "keep-theirs") this.autosave.keepTheirs(blockId);
    else return;
    const block = this.autosave.blockEl(blockId);
    if (block) block.querySelectorAll("[data-conflict-reopen]").forEach((el) => el.remove());
    announce(action === "keep-mine" ? msg("keepMine") : msg("keepTheirs"));
    this.close(true);
  }

  close(decided) {
    const blockId = this.current;
    this.current = null;
    if (this.dialog.open) this.dialog.close();
    const block = blockId ? this.autosave.blockEl(blockId) : null;
    const target = decided ? (block ? block.querySelector("[data-block-form] input, [data-block-form] textarea, [contenteditable]") : null) || this.returnFocus : this.returnFocus;
    if (target && typeof target.focus === "function" && document.contains(target)) target.focus();
    const next = this.waiting.shift();
    if (next) window.setTimeout(() => this.show(next), 0);
  }
}
