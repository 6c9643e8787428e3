// The table block's grid: every row holds one cell per column. When the author adds, removes
// or moves a column (an item of /columns), the cells of every row (and of the new-row
// template) follow, keeping each value under its column.
import { itemsOf, templateFor } from "./serialize.js";

function lists(block) {
  const columns = block.querySelector("[data-items][data-path='/columns']");
  const rows = block.querySelector("[data-items][data-path='/rows']");
  return columns && rows ? { columns, rows } : null;
}

/** The column ids before a change, to map the cells afterwards. */
export function columnIds(block) {
  const found = lists(block);
  return found ? itemsOf(found.columns).map((item) => item.dataset.itemId) : null;
}

function cellsOf(row) {
  return Array.from(row.querySelectorAll("[data-path^='/cells/']"));
}

function newCell(row, sample, index) {
  const cell = (sample.closest("td") || sample.parentElement).cloneNode(true);
  const input = cell.querySelector("[data-path^='/cells/']");
  const label = cell.querySelector("label");
  const id = `${input.id.replace(/-\d+$/, "")}-${index}-${Math.random().toString(36).slice(2, 6)}`;
  input.id = id;
  input.value = "";
  input.setAttribute("value", "");
  if (label) {
    label.htmlFor = id;
    label.textContent = label.textContent.replace(/\d+\s*$/, String(index + 1));
  }
  return cell;
}

function rewriteRow(row, order) {
  const inputs = cellsOf(row);
  if (!inputs.length) return;
  const values = inputs.map((input) => input.value);
  const last = inputs[inputs.length - 1];
  const lastCell = last.closest("td") || last.parentElement;
  // Grow or shrink to the new width, then put each column's value back.
  for (let i = inputs.length; i < order.length; i += 1) {
    const cell = newCell(row, last, i);
    (cellsOf(row).length ? cellsOf(row)[cellsOf(row).length - 1].closest("td") || lastCell : lastCell).after(cell);
  }
  let now = cellsOf(row);
  while (now.length > order.length && now.length > 1) {
    const extra = now[now.length - 1];
    (extra.closest("td") || extra).remove();
    now = cellsOf(row);
  }
  now.forEach((input, index) => {
    input.dataset.path = `/cells/${index}`;
    const from = order[index];
    input.value = from >= 0 && from < values.length ? values[from] : "";
  });
}

/** After a change to the columns of a table block: make every row line up again. */
export function syncTable(block, before) {
  const found = lists(block);
  if (!found || !before) return;
  const after = itemsOf(found.columns).map((item) => item.dataset.itemId);
  if (after.join() === before.join()) return;
  const order = after.map((id) => before.indexOf(id));
  itemsOf(found.rows).forEach((row) => rewriteRow(row, order));
  const template = templateFor(found.rows);
  const templateRow = template && template.content.querySelector("[data-item]");
  if (templateRow) rewriteRow(templateRow, after.map(() => -1));
  // The grid's header: one "Column n" per column.
  const head = block.querySelector("thead tr");
  if (head) {
    const cells = Array.from(head.children);
    const columnHeads = cells.slice(1, -1);
    const sample = columnHeads[0] || null;
    if (sample) {
      while (columnHeads.length < after.length) {
        const th = sample.cloneNode(true);
        columnHeads[columnHeads.length - 1].after(th);
        columnHeads.push(th);
      }
      while (columnHeads.length > after.length && columnHeads.length > 1) columnHeads.pop().remove();
      columnHeads.forEach((th, index) => {
        th.textContent = th.textContent.replace(/\d+\s*$/, String(index + 1));
      });
    }
  }
}
