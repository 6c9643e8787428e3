// The course editor's bundle (static/dist/editor.js), loaded by the page editor and the
// course outline (templates/authoring/_editor_assets.html). See frontend/editor/.
import { initEditor } from "./editor/index.js";

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initEditor);
else initEditor();
