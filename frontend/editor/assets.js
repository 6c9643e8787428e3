// Choosing a media-library asset for an asset field of a block form
// (templates/blocks/editor/fields/asset.html): "Choose file" opens the media picker
// (an htmx fragment, templates/authoring/media/picker.html) in a dialog; its
// [data-action="choose-asset"] buttons put the asset's uuid into the hidden input.
import { msg } from "./util.js";

const KIND_BY_ACCEPT = [
  ["image/", "image"],
  ["video/", "video"],
  ["audio/", "audio"],
  ["text/vtt", "captions"],
];

function kindFor(accept) {
  const first = (accept || "").split(",")[0];
  const match = KIND_BY_ACCEPT.find(([prefix]) => first.startsWith(prefix));
  return match ? match[1] : "";
}

let dialog = null;
let current = null; // {field, input, button}

function ensureDialog() {
  if (dialog) return dialog;
  dialog = document.querySelector("dialog[data-asset-picker]");
  if (!dialog) {
    dialog = document.createElement("dialog");
    dialog.className = "dialog asset-picker-dialog";
    dialog.dataset.assetPicker = "";
    const heading = document.createElement("h2");
    heading.id = "asset-picker-title";
    heading.textContent = msg("chooseFile");
    dialog.setAttribute("aria-labelledby", heading.id);
    const body = document.createElement("div");
    body.dataset.assetPickerBody = "";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "button button--secondary";
    close.dataset.assetPickerClose = "";
    close.textContent = msg("cancel");
    dialog.append(heading, body, close);
    document.body.appendChild(dialog);
  }
  dialog.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("[data-asset-picker-close]")) {
      dialog.close();
      return;
    }
    const choose = target.closest("[data-action='choose-asset']");
    if (choose && current) {
      event.preventDefault();
      choose_(choose);
    }
  });
  dialog.addEventListener("close", () => {
    if (current && current.button && document.contains(current.button)) current.button.focus();
    current = null;
  });
  return dialog;
}

function setPreview(field, { name, url, isImage }) {
  const preview = field.querySelector("[data-asset-preview]");
  if (!preview) return;
  const nodes = [];
  if (isImage && url) {
    const img = document.createElement("img");
    img.src = `${url}${url.includes("?") ? "&" : "?"}w=320`;
    img.alt = "";
    img.className = "asset-preview__image";
    nodes.push(img);
  }
  const label = document.createElement("span");
  label.className = name ? "asset-preview__name" : "asset-preview__name asset-preview__name--empty";
  label.textContent = name || msg("noFile");
  nodes.push(label);
  preview.replaceChildren(...nodes);
}

function choose_(button) {
  const { field, input } = current;
  input.value = button.dataset.assetUuid || "";
  const nameEl = button.closest(".media-card") ? button.closest(".media-card").querySelector(".media-card__name") : null;
  setPreview(field, {
    name: nameEl ? nameEl.textContent.trim() : button.dataset.assetUuid,
    url: button.dataset.assetUrl,
    isImage: (button.dataset.assetKind || "") === "image",
  });
  input.dispatchEvent(new Event("input", { bubbles: true }));
  dialog.close();
}

async function open(button) {
  const field = button.closest("[data-asset-field]");
  const input = field ? field.querySelector("input[data-kind='asset']") : null;
  const base = button.dataset.pickerUrl;
  if (!field || !input || !base) return;
  ensureDialog();
  current = { field, input, button };
  const url = new URL(base, window.location.href);
  const kind = kindFor(input.dataset.accept || url.searchParams.get("accept") || "");
  if (kind) url.searchParams.set("kind", kind);
  const body = dialog.querySelector("[data-asset-picker-body]");
  body.textContent = msg("loading");
  dialog.showModal();
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true", Accept: "text/html" } });
    if (!response.ok) throw new Error(String(response.status));
    // The picker is the server's own template; htmx wires its search and paging.
    body.innerHTML = await response.text();
    if (window.htmx && typeof window.htmx.process === "function") window.htmx.process(body);
    const first = body.querySelector("input[type=search], [data-action='choose-asset']");
    if (first) first.focus();
  } catch {
    body.textContent = msg("requestFailed");
  }
}

export function initAssetPicker(root) {
  root.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-action='asset-pick'], [data-action='asset-clear']") : null;
    if (!button) return;
    event.preventDefault();
    if (button.dataset.action === "asset-pick") {
      open(button);
      return;
    }
    const field = button.closest("[data-asset-field]");
    const input = field ? field.querySelector("input[data-kind='asset']") : null;
    if (!input) return;
    input.value = "";
    setPreview(field, { name: "" });
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}
