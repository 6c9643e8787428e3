// Rich text: a contenteditable with a small toolbar (data-rt-command buttons).
//
// Commands: bold, italic, h2, h3, paragraph, ul, ol, blockquote, link, unlink. The server
// sanitises everything it stores (authoring/sanitize.py); pasting is cleaned here too, so the
// author sees what will be kept.
import { msg } from "./util.js";

const ALLOWED = new Set(["P", "BR", "H2", "H3", "H4", "STRONG", "EM", "U", "S", "SUB", "SUP", "UL", "OL", "LI", "BLOCKQUOTE", "PRE", "CODE", "A", "HR"]);
const RENAME = { B: "STRONG", I: "EM", H1: "H2", H5: "H4", H6: "H4", DIV: "P" };
const DROP = new Set(["SCRIPT", "STYLE", "IFRAME", "OBJECT", "EMBED", "SVG", "MATH", "TEMPLATE", "NOSCRIPT", "TITLE", "META", "LINK", "HEAD", "BUTTON", "INPUT", "SELECT", "TEXTAREA", "FORM", "IMG", "VIDEO", "AUDIO", "CANVAS"]);

/** Whether a link target is allowed (the server's rule: http, https, mailto, tel, relative). */
export function safeHref(href) {
  const value = (href || "").trim();
  if (!value) return null;
  if (/^(https?:|mailto:|tel:)/i.test(value)) return value;
  if (/^\/(?!\/)/.test(value) || value.startsWith("#")) return value;
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return null; // javascript:, data:, vbscript:, …
  if (/^[\w-]+(\.[\w-]+)+(\/|$)/.test(value)) return `https://${value}`; // "example.com/x"
  return null;
}

function cleanInto(source, target, doc) {
  for (const node of Array.from(source.childNodes)) {
    if (node.nodeType === Node.TEXT_NODE) {
      target.appendChild(doc.createTextNode(node.textContent));
      continue;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) continue;
    const name = node.tagName.toUpperCase();
    if (DROP.has(name)) continue;
    const tag = RENAME[name] || name;
    if (!ALLOWED.has(tag)) {
      cleanInto(node, target, doc); // unwrap: keep the text, lose the element
      continue;
    }
    const clean = doc.createElement(tag.toLowerCase());
    if (tag === "A") {
      const href = safeHref(node.getAttribute("href"));
      if (!href) {
        cleanInto(node, target, doc);
        continue;
      }
      clean.setAttribute("href", href);
    }
    cleanInto(node, clean, doc);
    target.appendChild(clean);
  }
}

/** An HTML fragment reduced to the rich-text allowlist, parsed inertly (nothing runs). */
export function sanitizeHtml(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html || ""}</body>`, "text/html");
  const out = document.implementation.createHTMLDocument("");
  const container = out.createElement("div");
  cleanInto(parsed.body, container, out);
  return container.innerHTML;
}

// --- the toolbar ----------------------------------------------------------------------------

function editorFor(control) {
  const toolbar = control.closest("[data-rt-toolbar], [role=toolbar]");
  const controls = toolbar && toolbar.getAttribute("aria-controls");
  if (controls) {
    const byId = document.getElementById(controls);
    if (byId) return byId;
  }
  const wrapper = control.closest("[data-rt], [data-field], .field, [data-block-form]");
  return wrapper ? wrapper.querySelector("[contenteditable][data-kind='html'], [contenteditable]") : null;
}

function toolbarsFor(editor) {
  const wrapper = editor.closest("[data-rt], [data-field], .field") || editor.parentElement;
  return wrapper ? Array.from(wrapper.querySelectorAll("[data-rt-command]")) : [];
}

function blockAncestor(editor) {
  const selection = window.getSelection();
  if (!selection || !selection.rangeCount) return null;
  let node = selection.getRangeAt(0).startContainer;
  const found = new Set();
  while (node && node !== editor) {
    if (node.nodeType === Node.ELEMENT_NODE) found.add(node.tagName.toLowerCase());
    node = node.parentNode;
  }
  return node === editor ? found : null;
}

function updatePressed(editor) {
  const tags = blockAncestor(editor);
  if (!tags) return;
  const state = {
    bold: tags.has("strong") || tags.has("b"),
    italic: tags.has("em") || tags.has("i"),
    h2: tags.has("h2"),
    h3: tags.has("h3"),
    ul: tags.has("ul"),
    ol: tags.has("ol"),
    blockquote: tags.has("blockquote"),
    link: tags.has("a"),
  };
  for (const button of toolbarsFor(editor)) {
    const command = ALIASES[button.dataset.rtCommand] || button.dataset.rtCommand;
    if (command in state) button.setAttribute("aria-pressed", String(state[command]));
  }
}

function inSelection(editor) {
  const selection = window.getSelection();
  return selection && selection.rangeCount && editor.contains(selection.getRangeAt(0).commonAncestorContainer);
}

function changed(editor) {
  editor.dispatchEvent(new Event("input", { bubbles: true }));
  updatePressed(editor);
}

// The names the server's toolbar uses (authoring/editor_forms.py) and their short forms.
const ALIASES = { bulletList: "ul", orderedList: "ol", quote: "blockquote", unorderedList: "ul" };

function run(editor, name) {
  const command = ALIASES[name] || name;
  editor.focus();
  const tags = blockAncestor(editor) || new Set();
  switch (command) {
    case "bold":
    case "italic":
      document.execCommand(command);
      break;
    case "h2":
    case "h3":
    case "blockquote":
      document.execCommand("formatBlock", false, tags.has(command) ? "p" : command);
      break;
    case "paragraph":
      document.execCommand("formatBlock", false, "p");
      break;
    case "ul":
      document.execCommand("insertUnorderedList");
      break;
    case "ol":
      document.execCommand("insertOrderedList");
      break;
    case "unlink":
      document.execCommand("unlink");
      break;
    case "link":
      askForLink(editor);
      return;
    default:
      return;
  }
  changed(editor);
}

// --- the link dialog ------------------------------------------------------------------------

let linkDialog = null;

function buildLinkDialog() {
  const dialog = document.createElement("dialog");
  dialog.className = "dialog rt-link-dialog";
  dialog.dataset.rtLinkDialog = "";
  const uid = `rt-link-${Math.random().toString(36).slice(2, 8)}`;
  dialog.setAttribute("aria-labelledby", `${uid}-title`);
  const form = document.createElement("form");
  form.method = "dialog";
  const title = document.createElement("h2");
  title.id = `${uid}-title`;
  title.textContent = msg("linkTitle");
  const label = document.createElement("label");
  label.htmlFor = `${uid}-url`;
  label.textContent = msg("linkLabel");
  const input = document.createElement("input");
  input.type = "text";
  input.inputMode = "url";
  input.id = `${uid}-url`;
  input.name = "url";
  input.autocomplete = "url";
  input.setAttribute("aria-describedby", `${uid}-error`);
  const error = document.createElement("p");
  error.id = `${uid}-error`;
  error.className = "field-error";
  error.setAttribute("role", "alert");
  const actions = document.createElement("div");
  actions.className = "dialog__actions";
  const ok = document.createElement("button");
  ok.type = "submit";
  ok.value = "insert";
  ok.className = "button";
  ok.textContent = msg("linkInsert");
  const remove = document.createElement("button");
  remove.type = "submit";
  remove.value = "remove";
  remove.className = "button button--secondary";
  remove.textContent = msg("linkRemove");
  const cancel = document.createElement("button");
  cancel.type = "submit";
  cancel.value = "cancel";
  cancel.className = "button button--secondary";
  cancel.textContent = msg("cancel");
  actions.append(ok, remove, cancel);
  form.append(title, label, input, error, actions);
  dialog.append(form);
  document.body.appendChild(dialog);
  return dialog;
}

function askForLink(editor) {
  const selection = window.getSelection();
  const range = selection && selection.rangeCount ? selection.getRangeAt(0).cloneRange() : null;
  if (!linkDialog) linkDialog = buildLinkDialog();
  const dialog = linkDialog;
  const input = dialog.querySelector("input");
  const error = dialog.querySelector(".field-error");
  const tags = blockAncestor(editor) || new Set();
  let existing = "";
  if (tags.has("a") && range) {
    let node = range.startContainer;
    while (node && node !== editor && !(node.nodeType === 1 && node.tagName === "A")) node = node.parentNode;
    if (node && node.tagName === "A") existing = node.getAttribute("href") || "";
  }
  input.value = existing;
  error.textContent = "";
  input.removeAttribute("aria-invalid");

  const restore = () => {
    editor.focus();
    if (range) {
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
  };
  const onSubmit = (event) => {
    const action = event.submitter ? event.submitter.value : "insert";
    if (action === "insert") {
      const href = safeHref(input.value);
      if (!href) {
        event.preventDefault();
        error.textContent = msg("linkRefused");
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      dialog.returnValue = "";
      finish(() => {
        if (range && range.collapsed) {
          const link = document.createElement("a");
          link.href = href;
          link.textContent = href;
          range.insertNode(link);
        } else {
          document.execCommand("createLink", false, href);
        }
      });
      return;
    }
    finish(action === "remove" ? () => document.execCommand("unlink") : null);
  };
  const finish = (action) => {
    dialog.removeEventListener("submit", onSubmit);
    dialog.removeEventListener("cancel", onCancel);
    window.setTimeout(() => {
      restore();
      if (action) {
        action();
        changed(editor);
      }
    }, 0);
  };
  const onCancel = () => finish(null);
  dialog.addEventListener("submit", onSubmit);
  dialog.addEventListener("cancel", onCancel);
  dialog.showModal();
  input.focus();
}

// --- paste ------------------------------------------------------------------------------------

function onPaste(event) {
  const editor = event.target instanceof Element ? event.target.closest("[contenteditable]") : null;
  if (!editor || editor.dataset.kind !== "html") return;
  const data = event.clipboardData;
  if (!data) return;
  event.preventDefault();
  const html = data.getData("text/html");
  if (html) {
    document.execCommand("insertHTML", false, sanitizeHtml(html));
  } else {
    document.execCommand("insertText", false, data.getData("text/plain"));
  }
  changed(editor);
}

// --- wiring -----------------------------------------------------------------------------------

export function initRichText(root = document) {
  try {
    document.execCommand("defaultParagraphSeparator", false, "p");
    document.execCommand("styleWithCSS", false, false);
  } catch {
    // old browsers: harmless
  }
  root.addEventListener("mousedown", (event) => {
    // Keep the selection in the editor when a toolbar button is pressed with the mouse.
    const button = event.target instanceof Element ? event.target.closest("[data-rt-command]") : null;
    if (button) event.preventDefault();
  });
  root.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-rt-command]") : null;
    if (!button) return;
    event.preventDefault();
    const editor = editorFor(button);
    if (!editor) return;
    if (!inSelection(editor)) {
      editor.focus();
      const selection = window.getSelection();
      selection.selectAllChildren(editor);
      selection.collapseToEnd();
    }
    run(editor, button.dataset.rtCommand);
  });
  root.addEventListener("keydown", (event) => {
    const editor = event.target instanceof Element ? event.target.closest("[contenteditable][data-kind='html']") : null;
    if (!editor || !(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    const command = { b: "bold", i: "italic", k: "link" }[key];
    if (!command) return;
    event.preventDefault();
    run(editor, command);
  });
  root.addEventListener("paste", onPaste);
  document.addEventListener("selectionchange", () => {
    const selection = window.getSelection();
    if (!selection || !selection.rangeCount) return;
    const node = selection.getRangeAt(0).startContainer;
    const element = node.nodeType === 1 ? node : node.parentElement;
    const editor = element ? element.closest("[contenteditable][data-kind='html']") : null;
    if (editor) updatePressed(editor);
  });
}
