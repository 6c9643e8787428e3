// Reordering a list by drag-and-drop (HTML5, started from a drag handle) and by keyboard
// (on the focused handle: Space/Enter picks up, arrow keys move, Space/Enter drops, Escape
// cancels), with live-region announcements. Used for blocks, outline sections and pages.
import { announce } from "./util.js";

const ANY_ITEM = "[data-block], [data-section], [data-page], [data-item]";

/**
 * container:  element the listeners go on
 * lists:      selector of the lists whose children are reordered (one or several, e.g. the
 *             page lists of every section)
 * items:      selector of the reorderable children
 * handle:     selector of the drag handle inside an item
 * onMove(item, origin): called after a drop that changed the item's place; origin is
 *             {list, next} of where it was (to put it back if the server refuses)
 * messages:   {pickedUp(pos, total), moved(pos, total, item), dropped(pos, total), cancelled(pos, total)}
 */
export function makeSortable({ container, lists, items, handle, onMove, messages }) {
  let dragged = null;
  let origin = null;
  let grabbed = null; // keyboard
  let moving = false;

  const listOf = (item) => item.parentElement;
  const siblings = (item) => Array.from(listOf(item).children).filter((el) => el.matches(items));
  const position = (item) => {
    const all = siblings(item);
    return { pos: all.indexOf(item) + 1, total: all.length };
  };
  const allLists = () => Array.from(container.querySelectorAll(lists)).concat(container.matches(lists) ? [container] : []);
  const itemOf = (node) => {
    const item = node instanceof Element ? node.closest(items) : null;
    return item && container.contains(item) ? item : null;
  };
  // The item a handle belongs to is the nearest reorderable thing around it (a page handle
  // inside a section belongs to the page, not the section).
  const ownerOfHandle = (grip) => {
    const nearest = grip.closest(ANY_ITEM);
    return nearest && nearest.matches(items) && container.contains(nearest) ? nearest : null;
  };
  const changedPlace = (item, from) => from && (from.list !== listOf(item) || from.next !== item.nextElementSibling);

  // --- drag and drop --------------------------------------------------------------------------

  container.addEventListener("pointerdown", (event) => {
    const grip = event.target instanceof Element ? event.target.closest(handle) : null;
    const item = grip ? ownerOfHandle(grip) : null;
    if (item) item.setAttribute("draggable", "true");
  });
  const undrag = () => {
    container.querySelectorAll(`${items}[draggable='true']`).forEach((el) => {
      if (el !== dragged) el.removeAttribute("draggable");
    });
  };
  container.addEventListener("pointerup", undrag);

  container.addEventListener("dragstart", (event) => {
    const item = event.target instanceof Element && event.target.matches(items) ? event.target : null;
    if (!item || !container.contains(item) || item.getAttribute("draggable") !== "true") return;
    event.stopPropagation();
    dragged = item;
    origin = { list: listOf(item), next: item.nextElementSibling };
    item.classList.add("is-dragging");
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.dataset.blockId || item.dataset.pageUuid || item.dataset.sectionUuid || "");
    }
  });

  container.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const target = itemOf(event.target);
    if (target && target !== dragged && !target.contains(dragged) && !dragged.contains(target) && sameKind(target, dragged, items) && listOf(target).matches(lists)) {
      event.preventDefault();
      const rect = target.getBoundingClientRect();
      const offset = (event.clientY - rect.top) / Math.max(rect.height, 1);
      let before;
      if (offset < 0.25) before = true;
      else if (offset > 0.75) before = false;
      else {
        // The middle of an item: take its place.
        const all = Array.from(listOf(target).children);
        before = listOf(target) !== listOf(dragged) || all.indexOf(dragged) > all.indexOf(target);
      }
      const reference = before ? target : target.nextElementSibling;
      if (reference !== dragged) listOf(target).insertBefore(dragged, reference);
      return;
    }
    // An empty list (a section without pages) takes the item at its end.
    const list = event.target instanceof Element ? event.target.closest(lists) : null;
    if (list && container.contains(list) && acceptsKind(list, dragged, items, lists)) {
      event.preventDefault();
      if (!Array.from(list.children).some((el) => el.matches(items) && el !== dragged)) list.appendChild(dragged);
    }
  });

  container.addEventListener("drop", (event) => {
    if (dragged) event.preventDefault();
  });

  container.addEventListener("dragend", (event) => {
    if (!dragged) return;
    const item = dragged;
    const from = origin;
    dragged = null;
    origin = null;
    item.classList.remove("is-dragging");
    item.removeAttribute("draggable");
    if (event.dataTransfer && event.dataTransfer.dropEffect === "none" && !changedPlace(item, from)) return;
    if (changedPlace(item, from)) {
      const { pos, total } = position(item);
      announce(messages.moved(pos, total, item));
      onMove(item, from);
    }
  });

  // --- keyboard ---------------------------------------------------------------------------------

  const focusHandle = (item) => {
    const grip = Array.from(item.querySelectorAll(handle)).find((el) => ownerOfHandle(el) === item);
    if (grip) grip.focus();
  };

  const drop = (commit) => {
    const { item, from } = grabbed;
    grabbed = null;
    item.classList.remove("is-grabbed");
    const grip = item.querySelector(handle);
    if (grip) grip.setAttribute("aria-pressed", "false");
    if (!commit) {
      moving = true;
      from.list.insertBefore(item, from.next && from.next.parentElement === from.list ? from.next : null);
      focusHandle(item);
      moving = false;
      const { pos, total } = position(item);
      announce(messages.cancelled(pos, total));
      return;
    }
    const { pos, total } = position(item);
    announce(messages.dropped(pos, total, item));
    if (changedPlace(item, from)) onMove(item, from);
  };

  container.addEventListener("keydown", (event) => {
    const grip = event.target instanceof Element ? event.target.closest(handle) : null;
    const item = grip ? ownerOfHandle(grip) : null;
    if (!item || grip !== event.target) return;
    const key = event.key;
    if (!grabbed) {
      if (key === " " || key === "Enter" || key === "Spacebar") {
        event.preventDefault();
        grabbed = { item, from: { list: listOf(item), next: item.nextElementSibling } };
        item.classList.add("is-grabbed");
        grip.setAttribute("aria-pressed", "true");
        const { pos, total } = position(item);
        announce(messages.pickedUp(pos, total));
      }
      return;
    }
    if (grabbed.item !== item) return;
    if (key === " " || key === "Enter" || key === "Spacebar") {
      event.preventDefault();
      drop(true);
    } else if (key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      drop(false);
    } else if (key === "ArrowUp" || key === "ArrowDown" || key === "Home" || key === "End") {
      event.preventDefault();
      moving = true;
      try {
        moveByKey(item, key);
      } finally {
        moving = false;
      }
    }
  });

  const moveByKey = (item, key) => {
    const all = siblings(item);
    const index = all.indexOf(item);
    const list = listOf(item);
    if (key === "ArrowUp") {
      if (index > 0) list.insertBefore(item, all[index - 1]);
      else {
        // Into the previous list (a page into the section above), at its end.
        const every = allLists().filter((l) => acceptsKind(l, item, items, lists));
        const previous = every[every.indexOf(list) - 1];
        if (previous) previous.appendChild(item);
        else return;
      }
    } else if (key === "ArrowDown") {
      if (index < all.length - 1) list.insertBefore(item, all[index + 1].nextElementSibling);
      else {
        const every = allLists().filter((l) => acceptsKind(l, item, items, lists));
        const next = every[every.indexOf(list) + 1];
        if (next) next.insertBefore(item, Array.from(next.children).find((el) => el.matches(items)) || null);
        else return;
      }
    } else if (key === "Home") {
      list.insertBefore(item, all[0]);
    } else {
      list.insertBefore(item, all[all.length - 1].nextElementSibling);
    }
    focusHandle(item);
    const { pos, total } = position(item);
    announce(messages.moved(pos, total, item));
  };

  container.addEventListener(
    "blur",
    (event) => {
      if (!grabbed || moving) return;
      if (event.target instanceof Element && event.target.matches(handle) && ownerOfHandle(event.target) === grabbed.item) drop(true);
    },
    true
  );

  container.addEventListener("click", (event) => {
    // A handle does nothing on click (Space on a button would also "click" it).
    const grip = event.target instanceof Element ? event.target.closest(handle) : null;
    if (grip && ownerOfHandle(grip)) event.preventDefault();
  });
}

function sameKind(a, b, items) {
  // With a selector list like "[data-section], [data-page]", only like may swap with like.
  for (const selector of items.split(",").map((s) => s.trim())) {
    if (a.matches(selector) !== b.matches(selector)) return false;
  }
  return true;
}

function acceptsKind(list, item, items, lists) {
  // A list accepts an item when its other children (or, if empty, the lists of that kind)
  // hold the same kind of item.
  const children = Array.from(list.children).filter((el) => el.matches(items) && el !== item);
  if (children.length) return sameKind(children[0], item, items);
  return listOfKind(item, lists) === listKind(list, lists);
}

function listKind(list, lists) {
  return lists
    .split(",")
    .map((s) => s.trim())
    .find((selector) => list.matches(selector));
}

function listOfKind(item, lists) {
  return item.parentElement ? listKind(item.parentElement, lists) : undefined;
}
