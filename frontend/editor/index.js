// The course editor's JavaScript; app.js loads it only on pages that have an editor or an
// outline. Each part works from the DOM the server renders (docs/authoring-contract.md).
import { initAssetPicker } from "./assets.js";
import { initPageEditor } from "./blocks.js";
import { initOutline } from "./outline.js";
import { initPresence } from "./presence.js";
import { initRichText } from "./richtext.js";
import { blockData, fill, formOf } from "./serialize.js";

export function initEditor() {
  const editor = document.querySelector("[data-editor]");
  if (editor && editor.dataset.editorInit === undefined) {
    editor.dataset.editorInit = "";
    initRichText(editor);
    const autosave = initPageEditor(editor);
    // For people debugging and for the browser tests: read or write a block's data.
    window.eglEditor = {
      autosave,
      dataOf: (blockId) => {
        const block = autosave && autosave.blockEl(blockId);
        return block ? blockData(block) : null;
      },
      fill: (blockId, data) => {
        const block = autosave && autosave.blockEl(blockId);
        if (block) fill(formOf(block), data);
      },
    };
  }
  document.querySelectorAll("[data-outline]").forEach((outline) => {
    if (outline.dataset.outlineInit !== undefined) return;
    outline.dataset.outlineInit = "";
    initOutline(outline);
  });
  if (document.querySelector("[data-asset-field], [data-editor]") && document.body.dataset.assetPickerInit === undefined) {
    document.body.dataset.assetPickerInit = "";
    initAssetPicker(document);
  }
  const presenceHost = editor && editor.dataset.presenceUrl ? editor : document.querySelector("[data-presence-url]");
  if (presenceHost && presenceHost.dataset.presenceInit === undefined) {
    presenceHost.dataset.presenceInit = "";
    initPresence(presenceHost);
  }
}
