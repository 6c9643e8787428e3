// The course player's progressive enhancement. Every block works without this script
// (authoring/rendering.py renders plain HTML); this adds what plain HTML cannot:
//   - tabs: the panels, shown one under the other, become a WAI-ARIA tablist
//     (https://www.w3.org/WAI/ARIA/apg/patterns/tabs/, automatic activation);
//   - hotspot questions: click the image, or focus it and use the arrow keys, to choose
//     a point (x and y as fractions of the image, like the regions the author drew);
//   - question forms never navigate (their scoring arrives with the player).
// Usage: import { initPlayer } from "./player.js"; initPlayer(document) — and again on any
// element htmx swaps in (it is idempotent: enhanced parts carry data-enhanced).

let tabsCount = 0;

function enhanceTabs(container) {
  const panels = Array.from(container.querySelectorAll(":scope > [data-tab-panel]"));
  if (panels.length === 0) return;
  const list = document.createElement("div");
  list.className = "player-tabs__list";
  list.setAttribute("role", "tablist");
  tabsCount += 1;
  const tabs = panels.map((panel, index) => {
    const heading = panel.querySelector(":scope > [data-tab-title]");
    const tab = document.createElement("button");
    tab.type = "button";
    tab.className = "player-tabs__tab";
    tab.id = `${panel.id || `player-tabs-${tabsCount}-${index}`}-tab`;
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", panel.id);
    tab.textContent = heading ? heading.textContent.trim() : String(index + 1);
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", tab.id);
    panel.tabIndex = 0;
    list.appendChild(tab);
    return tab;
  });

  function select(index, focus) {
    tabs.forEach((tab, i) => {
      const selected = i === index;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      panels[i].hidden = !selected;
    });
    if (focus) tabs[index].focus();
  }

  list.addEventListener("click", (event) => {
    const index = tabs.indexOf(event.target.closest('[role="tab"]'));
    if (index >= 0) select(index, false);
  });
  list.addEventListener("keydown", (event) => {
    const current = tabs.indexOf(document.activeElement);
    if (current < 0) return;
    const last = tabs.length - 1;
    const next = {
      ArrowRight: current === last ? 0 : current + 1,
      ArrowLeft: current === 0 ? last : current - 1,
      Home: 0,
      End: last,
    }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(next, true);
  });

  container.insertBefore(list, panels[0]);
  container.dataset.enhanced = "";
  select(0, false);
}

function enhanceHotspot(container) {
  const image = container.querySelector("[data-hotspot-image]");
  const marker = container.querySelector("[data-hotspot-marker]");
  const inputX = container.querySelector("[data-hotspot-x]");
  const inputY = container.querySelector("[data-hotspot-y]");
  const status = container.querySelector("[data-hotspot-status]");
  container.dataset.enhanced = "";
  if (!image || !marker || !inputX || !inputY) return;
  const clamp = (value) => Math.min(1, Math.max(0, value));
  let point = null;

  function choose(x, y) {
    point = { x: clamp(x), y: clamp(y) };
    inputX.value = point.x.toFixed(4);
    inputY.value = point.y.toFixed(4);
    // CSSOM, not a style attribute: allowed under the CSP.
    marker.style.left = `${point.x * 100}%`;
    marker.style.top = `${point.y * 100}%`;
    marker.hidden = false;
    if (status && status.dataset.template) {
      status.textContent = status.dataset.template
        .replace("%(x)s", String(Math.round(point.x * 100)))
        .replace("%(y)s", String(Math.round(point.y * 100)))
        .replace(/%%/g, "%"); // gettext's escaped percent sign
    }
  }

  image.tabIndex = 0;
  image.addEventListener("click", (event) => {
    const box = image.getBoundingClientRect();
    if (box.width && box.height) {
      choose((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
    }
  });
  image.addEventListener("keydown", (event) => {
    const step = event.shiftKey ? 0.1 : 0.02;
    const move = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[event.key];
    if (!move) return;
    event.preventDefault();
    const from = point || { x: 0.5 - move[0], y: 0.5 - move[1] }; // the first press lands mid-image
    choose(from.x + move[0], from.y + move[1]);
  });
}

export function initPlayer(root = document) {
  root.querySelectorAll("[data-tabs]:not([data-enhanced])").forEach(enhanceTabs);
  root.querySelectorAll("[data-hotspot]:not([data-enhanced])").forEach(enhanceHotspot);
  root.querySelectorAll("form[data-question]:not([data-enhanced])").forEach((form) => {
    form.dataset.enhanced = "";
    form.addEventListener("submit", (event) => event.preventDefault());
  });
}

// As its own bundle (dist/player.js: the preview frame, exported packages) it starts itself;
// htmx swaps bring new questions and tabs, so those are enhanced too.
if (typeof document !== "undefined") {
  const start = () => initPlayer(document);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:afterSwap", (event) => initPlayer(event.target));
}
