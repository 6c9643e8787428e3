// The platform's JavaScript: htmx, plus small behaviours wired without inline handlers (CSP).
import htmx from "htmx.org";

window.htmx = htmx;

// Confirm destructive actions: <form data-confirm="Are you sure?">.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Auto-submit filters when a <select data-autosubmit> changes.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.dataset.autosubmit !== undefined && target.form) {
    target.form.requestSubmit();
  }
});

// Copy a secret shown once: <button data-copy="#element-id">.
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (source && navigator.clipboard) {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = button.dataset.copiedLabel || "Copied";
  }
});

// The course editor and outline (frontend/editor/, bundled as dist/editor.js): only on pages
// that have one. Their templates load the bundle; should one not, it is loaded from here.
function startEditor() {
  if (!document.querySelector("[data-editor], [data-outline]")) return;
  if (document.querySelector('script[src*="dist/editor.js"]')) return;
  const own = document.querySelector('script[src*="dist/app.js"]');
  if (!own) return;
  const script = document.createElement("script");
  script.src = own.src.replace(/app\.js(\?.*)?$/, "editor.js");
  if (own.nonce) script.nonce = own.nonce;
  document.head.appendChild(script);
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startEditor);
else startEditor();
