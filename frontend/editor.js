// The course editor's bundle (static/dist/editor.js), loaded by the page editor and the
// course outline (templates/authoring/_editor_assets.html). See frontend/editor/.
import { initComments } from "./editor/comments.js";
import { initEditor } from "./editor/index.js";

function start() {
  initEditor();
  initComments(); // review comment threads beside their blocks (reviews app's fragment)
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
