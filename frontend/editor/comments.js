// Review comment threads: in the page editor and in review mode (frontend/review.js).
//
// - Editor: templates/reviews/editor_threads.html arrives by htmx into [data-editor-threads];
//   each block's group ([data-threads-for-block="<id>"]) moves into that block's <li>, after
//   its form — beside the block on wide screens, under it on narrow ones (static/css/review.css).
//   Threads of removed blocks and page comments stay at the top. Nothing here talks to the
//   editor's autosave: the thread forms are plain forms outside [data-block-form].
// - Everywhere: a refused thread form (400 invalid, 409 conflict) comes back as a fragment
//   with the message and the typed text; htmx swaps it in (it skips error answers by
//   default). After a swap, focus goes to what the server marked [data-focus-after-swap].

export function allowErrorSwaps() {
  if (window.eglThreadSwaps) return;
  window.eglThreadSwaps = true;
  document.addEventListener("htmx:beforeSwap", (event) => {
    const detail = event.detail;
    const status = detail.xhr ? detail.xhr.status : 0;
    const elt = detail.elt instanceof Element ? detail.elt : null;
    if ((status === 400 || status === 409) && elt && elt.closest("[data-threads], [data-thread]")) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSettle", () => {
    const target = document.querySelector("[data-focus-after-swap]");
    if (!target) return;
    target.removeAttribute("data-focus-after-swap");
    if (!target.matches("textarea, input, button, a, [tabindex]")) target.setAttribute("tabindex", "-1");
    target.focus();
  });
}

export function placeThreads(root) {
  const scope = root || document;
  scope.querySelectorAll("[data-threads-for-block]").forEach((group) => {
    const id = group.dataset.threadsForBlock;
    const block = document.querySelector(`[data-block-list] > [data-block][data-block-id="${CSS.escape(id)}"]`);
    if (!block || block.contains(group)) return;
    block.appendChild(group);
    block.classList.add("has-threads");
    // "…on block 3 (Text)" would go stale when blocks move: inside the block, say "this block".
    const title = group.querySelector("[data-in-block-title]");
    if (title) title.textContent = title.dataset.inBlockTitle;
  });
}

export function initComments() {
  allowErrorSwaps();
  const container = document.querySelector("[data-editor-threads-host]");
  if (!container || container.dataset.threadsInit !== undefined) return;
  container.dataset.threadsInit = "";
  document.addEventListener("htmx:afterSettle", (event) => {
    const target = event.detail && event.detail.elt;
    if (target instanceof Element && (target === container || container.contains(target))) placeThreads(container);
  });
  placeThreads(container);
}
