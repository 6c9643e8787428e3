// The page editor: palette, block toolbar (move, duplicate, delete with undo, move to
// another page), drag-and-drop and keyboard reordering, item lists inside block forms, and
// the wiring of autosave, the conflict view and rich text.
import { Autosave } from "./autosave.js";
import { ConflictView } from "./conflict.js";
import { blockData, fill, formOf, itemsOf, listFor, newItem } from "./serialize.js";
import { makeSortable } from "./sortable.js";
import { columnIds, syncTable } from "./table.js";
import { HttpError, announce, msg, problemOf, requestJSON } from "./util.js";

const UNDO_MS = 10000;
const FIELD = "input:not([type=hidden]):not([disabled]), textarea:not([disabled]), select:not([disabled]), [contenteditable]";

function firstField(block) {
  return formOf(block).querySelector(FIELD);
}

function focusBlock(block) {
  const field = firstField(block);
  if (field) field.focus();
  else block.focus();
}

function parseBlock(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const block = template.content.querySelector("[data-block]");
  if (block && window.htmx && typeof window.htmx.process === "function") {
    // htmx attributes inside are processed once the block is in the document (see place()).
    block.dataset.needsHtmx = "";
  }
  return block;
}

export function initPageEditor(editor) {
  const list = editor.querySelector("[data-block-list]");
  if (!list) return null;
  const newUrl = editor.dataset.blockNewUrl;
  let lastFocused = null;
  let undoState = null;

  const processHtmx = (block) => {
    if (block.dataset.needsHtmx !== undefined) {
      delete block.dataset.needsHtmx;
      window.htmx.process(block);
    }
  };

  async function renderBlock(type, id) {
    if (!newUrl) return null;
    const url = new URL(newUrl, window.location.href);
    url.searchParams.set("type", type);
    let response = null;
    // A busy server (or a blip in the connection) gets two more tries before the author is told.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        response = await fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true", Accept: "text/html" } });
        if (response.ok || response.status < 500) break;
      } catch (error) {
        if (attempt === 2) throw error;
      }
      await new Promise((resolve) => window.setTimeout(resolve, 300 * (attempt + 1)));
    }
    if (!response || !response.ok) throw new Error(`HTTP ${response ? response.status : 0}`);
    const block = parseBlock(await response.text());
    if (block && id) {
      const old = block.dataset.blockId;
      block.dataset.blockId = id;
      if (old) {
        // Element ids made from the block id stay unique and match the new id.
        block.querySelectorAll("[id], [for], [aria-labelledby], [aria-describedby], [aria-controls]").forEach((el) => {
          for (const attribute of ["id", "for", "aria-labelledby", "aria-describedby", "aria-controls"]) {
            const value = el.getAttribute(attribute);
            if (value && value.includes(old)) el.setAttribute(attribute, value.split(old).join(id));
          }
        });
      }
    }
    return block;
  }

  let conflicts = null;
  const autosave = new Autosave(editor, {
    onConflict: (blockId) => conflicts.show(blockId),
    onDuplicated: async (originalId, copy) => {
      try {
        const block = await renderBlock(copy.type, copy.id);
        if (!block) return;
        fill(formOf(block), copy.data || {});
        const original = autosave.blockEl(originalId);
        if (original) original.after(block);
        else list.append(block);
        processHtmx(block);
        focusBlock(block);
        announce(msg("blockDuplicated"));
      } catch {
        announce(msg("pageChanged"));
      }
    },
    onRemoteChange: () => announce(msg("pageChanged")),
    onRestoreBlock: async (theirs) => {
      // "Keep theirs" after this author deleted the block: it comes back with their text.
      try {
        const block = await renderBlock(theirs.type, theirs.id);
        if (!block) return;
        fill(formOf(block), theirs.data || {});
        const kept = undoState && undoState.block.dataset.blockId === theirs.id ? undoState : null;
        const previous = kept && kept.previousId ? autosave.blockEl(kept.previousId) : null;
        if (previous) previous.after(block);
        else list.append(block);
        if (kept) clearUndo();
        processHtmx(block);
        autosave.known.add(theirs.id);
      } catch {
        announce(msg("pageChanged"));
      }
    },
  });
  conflicts = new ConflictView(document.querySelector("[data-conflict]"), autosave);

  // --- typing -------------------------------------------------------------------------------

  const onChange = (event) => {
    const target = event.target;
    if (!(target instanceof Element) || !target.closest("[data-block-form]")) return;
    const block = target.closest("[data-block]");
    if (block && list.contains(block)) autosave.changed(block.dataset.blockId);
  };
  list.addEventListener("input", onChange);
  list.addEventListener("change", onChange);
  // Enter in a one-line field must not submit the block's form (there is nothing to submit).
  list.addEventListener("submit", (event) => {
    if (event.target instanceof Element && event.target.matches("[data-block-form]")) event.preventDefault();
  });
  editor.addEventListener("focusin", (event) => {
    const block = event.target instanceof Element ? event.target.closest("[data-block]") : null;
    if (block && list.contains(block)) lastFocused = block;
  });

  // --- actions --------------------------------------------------------------------------------

  async function insertBlock(type, trigger) {
    let block;
    try {
      block = await renderBlock(type, null);
    } catch (error) {
      announce(problemOf(error));
      return;
    }
    if (!block) return;
    if (lastFocused && list.contains(lastFocused)) lastFocused.after(block);
    else list.append(block);
    document.querySelectorAll("[data-block-list-empty]").forEach((note) => note.remove());
    processHtmx(block);
    autosave.inserted(block);
    focusBlock(block);
    announce(msg("blockAdded"));
    if (trigger) trigger.blur();
  }

  function moveBy(block, delta, button) {
    const sibling = delta < 0 ? block.previousElementSibling : block.nextElementSibling;
    if (!sibling || !sibling.matches("[data-block]")) return;
    if (delta < 0) sibling.before(block);
    else sibling.after(block);
    autosave.moved(block.dataset.blockId);
    const blocks = autosave.blocks();
    announce(msg("blockMoved", { position: blocks.indexOf(block) + 1, total: blocks.length }));
    if (button) button.focus();
  }

  function showUndo(state) {
    const area = document.querySelector("[data-undo]");
    if (undoState) window.clearTimeout(undoState.timer);
    undoState = state;
    if (!area) return;
    const text = document.createElement("span");
    text.textContent = `${msg("blockDeleted")} `;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    button.dataset.action = "undo-delete";
    button.textContent = msg("undo");
    area.replaceChildren(text, button);
    area.hidden = false;
    state.timer = window.setTimeout(clearUndo, UNDO_MS);
  }

  function clearUndo() {
    const area = document.querySelector("[data-undo]");
    if (area) {
      area.replaceChildren();
      area.hidden = true;
    }
    if (undoState) window.clearTimeout(undoState.timer);
    undoState = null;
  }

  function deleteBlock(block) {
    const next = block.nextElementSibling && block.nextElementSibling.matches("[data-block]") ? block.nextElementSibling : null;
    const previous = block.previousElementSibling && block.previousElementSibling.matches("[data-block]") ? block.previousElementSibling : null;
    const blockId = block.dataset.blockId;
    const data = blockData(block);
    const index = autosave.blocks().indexOf(block);
    block.remove();
    const wasSaved = autosave.deleted(blockId);
    showUndo({ block, data, index, wasSaved, previousId: previous && previous.dataset.blockId });
    const focus = next || previous;
    if (focus) focusBlock(focus);
    else {
      const palette = editor.querySelector("[data-action='insert']");
      if (palette) palette.focus();
    }
    announce(`${msg("blockDeleted")} ${msg("undo")}?`);
  }

  function undoDelete() {
    if (!undoState) return;
    const { block, data, index, previousId } = undoState;
    clearUndo();
    const previous = previousId ? autosave.blockEl(previousId) : null;
    const blocks = autosave.blocks();
    if (previous) previous.after(block);
    else if (index < blocks.length) blocks[index].before(block);
    else list.append(block);
    fill(formOf(block), data);
    autosave.undelete(block);
    focusBlock(block);
    announce(msg("blockAdded"));
  }

  async function moveToPage(block, button) {
    const container = button.closest("[data-move-to-page]") || block;
    const select = container.querySelector("select[data-move-target], select[name='target_page']") || block.querySelector("select[data-move-target], select[name='target_page']");
    const target = select ? select.value : button.dataset.targetPage;
    if (!target) {
      if (select) select.focus();
      return;
    }
    const blockId = block.dataset.blockId;
    const url = button.dataset.url || autosave.opsUrl.replace(/operations\/?$/, `blocks/${blockId}/move-to-page/`);
    autosave.commit(blockId);
    try {
      await autosave.exclusive(async () => {
        let body = null;
        // A server error rolled the move back: try twice more before telling the author.
        for (let attempt = 0; ; attempt += 1) {
          try {
            body = await requestJSON(url, { body: { target_page: target, index: null } });
            break;
          } catch (error) {
            if (attempt >= 2 || !(error instanceof HttpError) || error.status < 500) throw error;
            await new Promise((resolve) => window.setTimeout(resolve, 400 * (attempt + 1)));
          }
        }
        autosave.movedAway(blockId, body && body.source);
      });
      const next = block.nextElementSibling || block.previousElementSibling;
      block.remove();
      if (next && next.matches("[data-block]")) focusBlock(next);
      announce(msg("blockMovedToPage"));
    } catch (error) {
      announce(msg("moveFailed", { problem: problemOf(error) }));
      const status = document.querySelector("[data-save-status]");
      if (status) status.textContent = msg("moveFailed", { problem: problemOf(error) });
    }
  }

  function itemAction(button, action) {
    const block = button.closest("[data-block]");
    const columnsBefore = block ? columnIds(block) : null;
    if (action === "item-add") {
      const itemList = listFor(button);
      if (!itemList) return;
      const max = Number(itemList.dataset.maxItems || 0);
      if (max && itemsOf(itemList).length >= max) return;
      const item = newItem(itemList);
      if (!item) return;
      const template = itemList.querySelector(":scope > template");
      itemList.insertBefore(item, template);
      renumber(itemList);
      const field = item.querySelector(FIELD);
      if (field) field.focus();
      announce(msg("itemAdded"));
    } else {
      const item = button.closest("[data-item]");
      if (!item) return;
      const itemList = item.parentElement;
      const items = itemsOf(itemList);
      const index = items.indexOf(item);
      if (action === "item-remove") {
        const focusTarget = items[index + 1] || items[index - 1];
        item.remove();
        renumber(itemList);
        const field = focusTarget ? focusTarget.querySelector("[data-action='item-remove']") : null;
        const add = itemList.closest("[data-items-field]") ? itemList.closest("[data-items-field]").querySelector("[data-action='item-add']") : null;
        (field || add || block).focus();
        announce(msg("itemRemoved"));
      } else if (action === "item-up" || action === "item-down") {
        const other = items[index + (action === "item-up" ? -1 : 1)];
        if (!other) return;
        if (action === "item-up") other.before(item);
        else other.after(item);
        renumber(itemList);
        button.focus();
        const now = itemsOf(itemList);
        announce(msg("itemMoved", { position: now.indexOf(item) + 1, total: now.length }));
      }
    }
    if (block && columnsBefore) syncTable(block, columnsBefore);
    if (block) autosave.changed(block.dataset.blockId);
  }

  function renumber(itemList) {
    // Titles such as "Option 3" follow the order; a new item's title has no number yet.
    itemsOf(itemList).forEach((item, index) => {
      const title = item.querySelector("[data-item-title]");
      if (!title || title.closest("[data-item]") !== item) return;
      const base = title.dataset.baseTitle || title.textContent.replace(/\s*\d+\s*$/, "");
      title.dataset.baseTitle = base;
      title.textContent = `${base} ${index + 1}`;
    });
  }

  editor.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-action]") : null;
    if (!button || !editor.contains(button)) return;
    const action = button.dataset.action;
    const block = button.closest("[data-block]");
    switch (action) {
      case "insert":
        event.preventDefault();
        insertBlock(button.dataset.blockType, button);
        break;
      case "move-up":
      case "move-down":
        if (!block) return;
        event.preventDefault();
        moveBy(block, action === "move-up" ? -1 : 1, button);
        break;
      case "duplicate":
        if (!block) return;
        event.preventDefault();
        if (!autosave.duplicate(block.dataset.blockId)) announce(msg("blockNotSavedYet"));
        break;
      case "delete":
        if (!block) return;
        event.preventDefault();
        deleteBlock(block);
        break;
      case "move-to-page":
        if (!block) return;
        event.preventDefault();
        moveToPage(block, button);
        break;
      case "item-add":
      case "item-remove":
      case "item-up":
      case "item-down":
        event.preventDefault();
        itemAction(button, action);
        break;
      default:
    }
  });
  // The undo button may sit outside the editor element.
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-action='undo-delete']") : null;
    if (button) {
      event.preventDefault();
      undoDelete();
    }
  });

  makeSortable({
    container: list,
    lists: "[data-block-list]",
    items: "[data-block]",
    handle: "[data-drag-handle]",
    onMove: (block) => autosave.moved(block.dataset.blockId),
    messages: {
      pickedUp: (position, total) => msg("blockPickedUp", { position, total }),
      moved: (position, total) => msg("blockMoved", { position, total }),
      dropped: (position, total) => msg("blockDropped", { position, total }),
      cancelled: (position, total) => msg("moveCancelled", { position, total }),
    },
  });

  // --- leaving, connection ------------------------------------------------------------------

  window.addEventListener("beforeunload", (event) => {
    autosave.commitAll();
    if (autosave.hasUnsaved()) {
      event.preventDefault();
      event.returnValue = msg("unsavedLeave");
      return msg("unsavedLeave");
    }
    return undefined;
  });
  window.addEventListener("online", () => autosave.retryNow());
  window.addEventListener("offline", () => {
    if (autosave.hasUnsaved()) {
      autosave.offline = true;
      autosave.render();
    }
  });

  autosave.render();
  autosave.restore(renderBlock).catch(() => {});
  editor.dataset.editorReady = "";
  return autosave;
}
