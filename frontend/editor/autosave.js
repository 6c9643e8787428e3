// Autosave: block-level operations sent to the page's operations endpoint
// (docs/authoring-contract.md). Nothing typed is lost:
//
// - every change is mirrored to localStorage before it is sent, and removed only once the
//   server holds it; a reload puts unsent text back and sends it with the version it was
//   based on, so someone else's change in between is a conflict, not an overwrite;
// - one request per page at a time; queued updates of a block are coalesced (latest data
//   wins), inserts, moves and deletes keep their order;
// - offline or failing requests are retried with backoff and on the `online` event;
// - 400: the problems are shown at the fields and the block is not resent until it changes;
// - 409: the conflict view lets the author choose; until then the local text stays stored.
//
// Concurrency: each block remembers the page version its form is based on (`synced`). A
// batch is sent with that version as base_version (ops are grouped so that one request only
// carries blocks with the same base), so a change someone else made to *this* block since
// is a conflict while changes to other blocks merge.
import { blockData, fill, formOf, fieldFor } from "./serialize.js";
import { HttpError, canonical, msg, problemOf, requestJSON } from "./util.js";

const DEBOUNCE_MS = 1200;
const BACKOFF_MS = [1000, 2000, 4000, 8000, 10000];
const STORAGE_PREFIX = "egl-editor";

function storageAvailable() {
  try {
    const key = `${STORAGE_PREFIX}:probe`;
    window.localStorage.setItem(key, "1");
    window.localStorage.removeItem(key);
    return true;
  } catch {
    return false;
  }
}

export class Autosave {
  constructor(editor, { onConflict, onDuplicated, onRemoteChange, onRestoreBlock } = {}) {
    this.editor = editor;
    this.list = editor.querySelector("[data-block-list]");
    this.statusEl = document.querySelector("[data-save-status]");
    this.pageUuid = editor.dataset.pageUuid;
    this.opsUrl = editor.dataset.opsUrl;
    this.version = Number(editor.dataset.pageVersion || 0);
    this.onConflict = onConflict || (() => {});
    this.onDuplicated = onDuplicated || (() => {});
    this.onRemoteChange = onRemoteChange || (() => {});
    this.onRestoreBlock = onRestoreBlock || (() => {});
    this.synced = new Map();
    this.known = new Set();
    this.queue = [];
    this.inFlight = null;
    this.timers = new Map();
    this.held = new Map(); // block id → {reason: "invalid" | "conflict", ops, conflict?, problem?}
    this.attempt = 0;
    this.retryTimer = null;
    this.offline = false;
    this.retrying = false;
    this.lastProblem = "";
    this.storage = storageAvailable();
    for (const block of this.blocks()) {
      this.known.add(block.dataset.blockId);
      this.synced.set(block.dataset.blockId, this.version);
    }
    this.serverBlocks = new Map();
    const script = document.getElementById("page-blocks");
    if (script) {
      try {
        for (const block of JSON.parse(script.textContent) || []) this.serverBlocks.set(block.id, block);
      } catch {
        // the DOM is the fallback
      }
    }
  }

  // --- DOM ----------------------------------------------------------------------------------

  blocks() {
    return this.list ? Array.from(this.list.querySelectorAll(":scope > [data-block]")) : [];
  }

  blockEl(id) {
    return this.blocks().find((block) => block.dataset.blockId === id) || null;
  }

  /** Where the server should put `id`: the count of server-known blocks before it in the DOM. */
  serverIndex(id, alsoKnown = new Set()) {
    let index = 0;
    for (const block of this.blocks()) {
      const blockId = block.dataset.blockId;
      if (blockId === id) return index;
      if (this.known.has(blockId) || alsoKnown.has(blockId)) index += 1;
    }
    return index;
  }

  // --- local storage ------------------------------------------------------------------------

  storageKey(blockId) {
    return `${STORAGE_PREFIX}:${window.location.host}:${this.pageUuid}:${blockId}`;
  }

  opsKey() {
    return this.storageKey("#structure");
  }

  readDraft(blockId) {
    if (!this.storage) return null;
    try {
      return JSON.parse(window.localStorage.getItem(this.storageKey(blockId)) || "null");
    } catch {
      return null;
    }
  }

  writeDraft(blockId, draft) {
    if (!this.storage) return;
    try {
      window.localStorage.setItem(this.storageKey(blockId), JSON.stringify({ ...draft, savedAt: Date.now() }));
    } catch {
      // storage full: the request still goes out
    }
  }

  dropDraft(blockId) {
    if (this.storage) window.localStorage.removeItem(this.storageKey(blockId));
  }

  mirror(blockId) {
    const block = this.blockEl(blockId);
    if (!block) return;
    const previous = block.previousElementSibling && block.previousElementSibling.matches("[data-block]") ? block.previousElementSibling.dataset.blockId : null;
    this.writeDraft(blockId, {
      op: this.known.has(blockId) ? "update" : "insert",
      type: block.dataset.blockType,
      data: blockData(block),
      base: this.synced.has(blockId) ? this.synced.get(blockId) : this.version,
      after: previous,
    });
  }

  structuralOps() {
    if (!this.storage) return [];
    try {
      return JSON.parse(window.localStorage.getItem(this.opsKey()) || "[]");
    } catch {
      return [];
    }
  }

  writeStructural() {
    if (!this.storage) return;
    const ops = [...(this.inFlight ? this.inFlight.ops : []), ...this.queue].filter((op) => op.op === "move" || op.op === "delete").map((op) => ({ op: op.op, block_id: op.block_id, base: this.baseOf(op), after: op.after || null }));
    if (ops.length) window.localStorage.setItem(this.opsKey(), JSON.stringify(ops));
    else window.localStorage.removeItem(this.opsKey());
  }

  draftKeys() {
    if (!this.storage) return [];
    const prefix = `${STORAGE_PREFIX}:${window.location.host}:${this.pageUuid}:`;
    const keys = [];
    for (let i = 0; i < window.localStorage.length; i += 1) {
      const key = window.localStorage.key(i);
      if (key && key.startsWith(prefix) && !key.endsWith("#structure")) keys.push(key.slice(prefix.length));
    }
    return keys;
  }

  /**
   * Put back what a previous visit could not send. `renderBlock(type, id)` makes a block
   * element for a draft whose block is not on the page (an insert that never reached the
   * server, or a block deleted meanwhile).
   */
  async restore(renderBlock) {
    const restored = [];
    for (const op of this.structuralOps()) {
      const block = this.blockEl(op.block_id);
      if (op.op === "delete" && block) {
        block.remove();
        this.queue.push({ op: "delete", block_id: op.block_id });
        this.synced.set(op.block_id, op.base);
      } else if (op.op === "move" && block) {
        this.placeAfter(block, op.after);
        this.synced.set(op.block_id, Math.min(op.base, this.synced.get(op.block_id) ?? op.base));
        this.queue.push({ op: "move", block_id: op.block_id, after: op.after });
      }
    }
    for (const blockId of this.draftKeys()) {
      const draft = this.readDraft(blockId);
      if (!draft || !draft.data) {
        this.dropDraft(blockId);
        continue;
      }
      let block = this.blockEl(blockId);
      const server = this.serverBlocks.get(blockId);
      if (block && server && canonical(server.data) === canonical(draft.data)) {
        this.dropDraft(blockId); // the server got it after all
        continue;
      }
      if (!block) {
        block = await renderBlock(draft.type, blockId);
        if (!block) continue;
        this.placeAfter(block, draft.after);
      }
      fill(formOf(block), draft.data);
      if (this.known.has(blockId)) {
        this.synced.set(blockId, Number(draft.base));
        this.queueUpdate(blockId, draft.data);
      } else if (draft.op === "update") {
        // It was deleted on the server meanwhile: send the update so the conflict view opens.
        this.known.add(blockId);
        this.synced.set(blockId, Number(draft.base));
        this.queueUpdate(blockId, draft.data);
      } else {
        this.queue.push({ op: "insert", block_id: blockId, type: draft.type, data: draft.data });
      }
      restored.push(blockId);
    }
    this.writeStructural();
    this.flush();
    return restored;
  }

  placeAfter(block, afterId) {
    const after = afterId ? this.blockEl(afterId) : null;
    if (after) after.after(block);
    else if (afterId === null || afterId === undefined) this.list.prepend(block);
    else this.list.append(block);
  }

  // --- queueing ------------------------------------------------------------------------------

  /** The form of a block changed: mirror it now, send it after a pause. */
  changed(blockId) {
    this.mirror(blockId);
    const held = this.held.get(blockId);
    if (held && held.reason === "conflict") {
      this.render();
      return; // kept locally until the author decides in the conflict view
    }
    window.clearTimeout(this.timers.get(blockId));
    this.timers.set(
      blockId,
      window.setTimeout(() => this.commit(blockId), DEBOUNCE_MS)
    );
    this.render();
  }

  /** Send a block's latest data now (after the pause, or before a duplicate / move). */
  commit(blockId) {
    window.clearTimeout(this.timers.get(blockId));
    this.timers.delete(blockId);
    const block = this.blockEl(blockId);
    if (!block) return;
    this.queueUpdate(blockId, blockData(block));
    this.flush();
  }

  commitAll() {
    for (const blockId of Array.from(this.timers.keys())) this.commit(blockId);
  }

  queueUpdate(blockId, data) {
    const held = this.held.get(blockId);
    if (held && held.reason === "conflict") return;
    if (held) {
      // Changed after a 400: try again, with the new data.
      this.held.delete(blockId);
      this.clearErrors(blockId);
      for (const op of held.ops) this.queue.push(op);
    }
    const insert = this.queue.find((op) => op.op === "insert" && op.block_id === blockId);
    if (insert) {
      insert.data = data;
      return;
    }
    const update = this.queue.find((op) => op.op === "update" && op.block_id === blockId);
    if (update) {
      update.data = data;
      return;
    }
    this.queue.push({ op: "update", block_id: blockId, data });
  }

  /** A new block element is in the list: send its insert (kept local if the server refuses it). */
  inserted(block) {
    const blockId = block.dataset.blockId;
    this.queue.push({ op: "insert", block_id: blockId, type: block.dataset.blockType, data: blockData(block) });
    this.mirror(blockId);
    this.flush();
  }

  moved(blockId) {
    const block = this.blockEl(blockId);
    if (!block) return;
    if (!this.known.has(blockId)) {
      this.mirror(blockId); // an unsaved block goes where it now is when it is sent
      return;
    }
    const previous = block.previousElementSibling && block.previousElementSibling.matches("[data-block]") ? block.previousElementSibling.dataset.blockId : null;
    this.queue = this.queue.filter((op) => !(op.op === "move" && op.block_id === blockId));
    this.queue.push({ op: "move", block_id: blockId, after: previous });
    this.writeStructural();
    this.flush();
  }

  /** The block element was removed from the DOM by the author. Returns whether the server had it. */
  deleted(blockId) {
    window.clearTimeout(this.timers.get(blockId));
    this.timers.delete(blockId);
    this.held.delete(blockId);
    this.dropDraft(blockId);
    const pendingInsert = this.queue.some((op) => op.op === "insert" && op.block_id === blockId);
    this.queue = this.queue.filter((op) => op.block_id !== blockId);
    const inFlightInsert = this.inFlight && this.inFlight.ops.some((op) => op.op === "insert" && op.block_id === blockId);
    if ((pendingInsert || !this.known.has(blockId)) && !inFlightInsert) {
      this.render();
      return false;
    }
    this.queue.push({ op: "delete", block_id: blockId });
    this.writeStructural();
    this.flush();
    return true;
  }

  /** Undo of a delete: the block element is back in the list with its data. */
  undelete(block) {
    const blockId = block.dataset.blockId;
    const data = blockData(block);
    const pending = this.queue.findIndex((op) => op.op === "delete" && op.block_id === blockId);
    if (pending >= 0) {
      // The delete never left: the server still has the block where it was.
      this.queue.splice(pending, 1);
      this.queueUpdate(blockId, data);
    } else {
      this.queue.push({ op: "insert", block_id: blockId, type: block.dataset.blockType, data });
    }
    this.mirror(blockId);
    this.writeStructural();
    this.flush();
  }

  /** The block went to another page (move-to-page answered `source` {version, block_versions}). */
  movedAway(blockId, source) {
    window.clearTimeout(this.timers.get(blockId));
    this.timers.delete(blockId);
    this.queue = this.queue.filter((op) => op.block_id !== blockId);
    this.held.delete(blockId);
    this.known.delete(blockId);
    this.synced.delete(blockId);
    this.dropDraft(blockId);
    if (source && source.version !== undefined) this.absorb(Number(source.version), source.block_versions || {}, new Map(), new Set());
    this.render();
  }

  /** Ask the server for a copy (after the block's latest text). False while the block is not saved. */
  duplicate(blockId) {
    if (this.held.has(blockId)) return false;
    this.commit(blockId);
    if (this.held.has(blockId)) return false;
    this.queue.push({ op: "duplicate", block_id: blockId });
    this.flush();
    return true;
  }

  /** Run `task` (an async function) in turn with the operations: nothing else is in flight. */
  exclusive(task) {
    return new Promise((resolve, reject) => {
      this.queue.push({ op: "call", task, resolve, reject });
      this.flush();
    });
  }

  // --- sending ------------------------------------------------------------------------------

  baseOf(op) {
    if (op.op === "insert") return null;
    return this.synced.has(op.block_id) ? this.synced.get(op.block_id) : this.version;
  }

  nextBatch() {
    const batch = [];
    let base = null;
    while (this.queue.length) {
      const op = this.queue[0];
      if (op.op === "call") break;
      if (op.op === "update" && op.data === undefined) {
        this.queue.shift();
        continue;
      }
      const opBase = this.baseOf(op);
      if (opBase !== null && base !== null && opBase !== base) break;
      // An op on a block inserted earlier in this batch must wait for the insert's answer.
      if (op.op !== "insert" && batch.some((b) => b.op === "insert" && b.block_id === op.block_id)) break;
      if (opBase !== null) base = opBase;
      batch.push(this.queue.shift());
    }
    return { ops: batch, base: base === null ? this.version : base };
  }

  wire(op, inBatch) {
    switch (op.op) {
      case "insert":
        return { op: "insert", index: this.serverIndex(op.block_id, inBatch), block: { id: op.block_id, type: op.type, data: op.data } };
      case "update":
        return { op: "update", block_id: op.block_id, data: op.data, force: Boolean(op.force) };
      case "move":
        return { op: "move", block_id: op.block_id, index: this.serverIndex(op.block_id, inBatch) };
      default:
        return { op: op.op, block_id: op.block_id };
    }
  }

  flush() {
    this.render();
    if (this.inFlight || this.retryTimer) return;
    if (!this.queue.length) return;
    if (this.queue[0].op === "call") {
      const call = this.queue.shift();
      this.inFlight = { ops: [], call };
      Promise.resolve()
        .then(() => call.task())
        .then(call.resolve, call.reject)
        .finally(() => {
          this.inFlight = null;
          this.flush();
        });
      return;
    }
    const { ops, base } = this.nextBatch();
    if (!ops.length) {
      this.render();
      return;
    }
    const inBatch = new Set();
    const operations = ops.map((op) => {
      const wire = this.wire(op, inBatch);
      if (op.op === "insert") inBatch.add(op.block_id);
      return wire;
    });
    this.inFlight = { ops, base };
    this.render();
    requestJSON(this.opsUrl, { body: { base_version: base, operations } })
      .then((body) => this.succeeded(ops, body || {}))
      .catch((error) => this.failed(ops, error))
      .finally(() => {
        this.inFlight = null;
        this.writeStructural();
        this.flush();
      });
  }

  succeeded(ops, body) {
    this.attempt = 0;
    this.offline = false;
    this.retrying = false;
    const version = Number(body.version ?? this.version);
    const sent = new Set(ops.filter((op) => op.op !== "delete").map((op) => op.block_id));
    for (const op of ops) {
      if (op.op === "delete") {
        this.known.delete(op.block_id);
        this.synced.delete(op.block_id);
      } else if (op.op === "insert") {
        this.known.add(op.block_id);
      }
    }
    const serverBlocks = Array.isArray(body.blocks) ? body.blocks : [];
    const byId = new Map(serverBlocks.map((block) => [block.id, block]));
    const remote = this.absorb(version, body.block_versions || {}, byId, sent) && !ops.some((op) => op.op === "duplicate");
    for (const op of ops) {
      if (op.op === "duplicate") {
        const index = serverBlocks.findIndex((block) => block.id === op.block_id);
        const copy = index >= 0 ? serverBlocks[index + 1] : null;
        if (copy && !this.blockEl(copy.id)) {
          this.known.add(copy.id);
          this.synced.set(copy.id, version);
          this.onDuplicated(op.block_id, copy);
        }
      }
      if (op.op === "update" || op.op === "insert") {
        this.clearErrors(op.block_id);
        const draft = this.readDraft(op.block_id);
        if (draft && canonical(draft.data) === canonical(op.data) && !this.isPending(op.block_id, true)) {
          this.dropDraft(op.block_id);
        } else if (draft) {
          this.writeDraft(op.block_id, { ...draft, op: "update", base: this.synced.get(op.block_id) });
        }
      }
    }
    if (remote) this.onRemoteChange();
    // The course-health panel (and anything else) refreshes on this.
    document.body.dispatchEvent(new CustomEvent("editor:saved", { bubbles: true, detail: { version } }));
  }

  /**
   * Take in the page's new version and block versions after a write of ours. Blocks we did
   * not send that someone else changed get their text (when ours is not pending); the rest
   * are now known to be current as of `version`. Returns whether blocks appeared that this
   * page does not show (someone else inserted them).
   */
  absorb(version, blockVersions, byId, sent) {
    this.version = Math.max(this.version, version);
    this.editor.dataset.pageVersion = String(this.version);
    let remote = false;
    for (const [blockId, changedAt] of Object.entries(blockVersions)) {
      if (sent.has(blockId)) {
        this.synced.set(blockId, version);
        continue;
      }
      const was = this.synced.get(blockId);
      if (was === undefined) {
        if (!this.blockEl(blockId)) remote = true;
        continue;
      }
      if (Number(changedAt) > was) {
        const block = this.blockEl(blockId);
        if (block && !this.isPending(blockId) && byId.has(blockId)) {
          fill(formOf(block), byId.get(blockId).data || {});
          this.synced.set(blockId, version);
        }
      } else {
        this.synced.set(blockId, version);
      }
    }
    return remote;
  }

  isPending(blockId, ignoreInFlight = false) {
    return (
      this.timers.has(blockId) ||
      this.held.has(blockId) ||
      this.queue.some((op) => op.block_id === blockId) ||
      (!ignoreInFlight && Boolean(this.inFlight && this.inFlight.ops.some((op) => op.block_id === blockId)))
    );
  }

  failed(ops, error) {
    if (error instanceof HttpError && error.status === 409 && error.body && error.body.conflict) {
      this.attempt = 0;
      this.offline = false;
      this.retrying = false;
      const conflict = error.body.conflict;
      const blockId = conflict.block_id;
      const mine = ops.filter((op) => op.block_id === blockId);
      const others = ops.filter((op) => op.block_id !== blockId);
      this.queue.unshift(...others);
      const block = this.blockEl(blockId);
      if (conflict.theirs && block && mine.every((op) => op.op === "move") && !this.timers.has(blockId) && !this.readDraft(blockId)) {
        // We only moved it; they changed its text. Nothing to choose: take their text, move again.
        fill(formOf(block), conflict.theirs.data || {});
        this.synced.set(blockId, Number(conflict.version));
        this.queue.push(...mine);
        return;
      }
      this.held.set(blockId, { reason: "conflict", ops: mine, conflict });
      this.markConflict(blockId, true);
      this.onConflict(blockId, conflict);
      return;
    }
    if (error instanceof HttpError && error.status === 400) {
      this.attempt = 0;
      this.offline = false;
      this.retrying = false;
      const body = error.body || {};
      const problem = problemOf(error);
      const fields = (body.error && body.error.fields) || {};
      const byBlock = new Map();
      for (const [key, messages] of Object.entries(fields)) {
        const match = key.match(/^\/blocks\/([^/]+)(?:\/data)?(\/.*)?$/);
        if (!match) continue;
        if (!byBlock.has(match[1])) byBlock.set(match[1], []);
        byBlock.get(match[1]).push({ pointer: match[2] || "", messages: [].concat(messages) });
      }
      const failing = new Set(byBlock.keys());
      if (!failing.size || !ops.some((op) => failing.has(op.block_id))) {
        ops.forEach((op) => failing.add(op.block_id));
      }
      for (const blockId of failing) {
        const blockOps = ops.filter((op) => op.block_id === blockId);
        if (!blockOps.length && !this.blockEl(blockId)) continue;
        const problems = byBlock.get(blockId) || [{ pointer: "", messages: [problem] }];
        this.held.set(blockId, { reason: "invalid", ops: blockOps, problem });
        this.showErrors(blockId, problems);
      }
      this.queue.unshift(...ops.filter((op) => !failing.has(op.block_id)));
      this.lastProblem = problem;
      return;
    }
    // Offline, a server error, an expired session: keep everything and try again.
    this.queue.unshift(...ops);
    this.offline = !(error instanceof HttpError);
    this.retrying = true;
    this.lastProblem = error instanceof HttpError ? problemOf(error) : "";
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = null;
      this.flush();
    }, delay);
  }

  /** The connection is back: send now rather than after the backoff. */
  retryNow() {
    if (this.retryTimer) {
      window.clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.flush();
  }

  // --- conflicts --------------------------------------------------------------------------------

  markConflict(blockId, on) {
    const block = this.blockEl(blockId);
    if (!block) return;
    if (on) block.dataset.conflict = "";
    else delete block.dataset.conflict;
  }

  /** "Keep mine": send the local text again over theirs. */
  keepMine(blockId) {
    const held = this.held.get(blockId);
    if (!held || held.reason !== "conflict") return;
    this.held.delete(blockId);
    this.markConflict(blockId, false);
    const { conflict } = held;
    const block = this.blockEl(blockId);
    this.synced.set(blockId, Number(conflict.version));
    if (conflict.version !== undefined && Number(conflict.version) > this.version) this.version = Number(conflict.version);
    const structural = held.ops.filter((op) => op.op === "move" || op.op === "delete");
    const edited = held.ops.some((op) => op.op === "update" || op.op === "insert");
    if (!block) {
      this.queue.push(...structural); // our delete, over their edit
    } else if (!conflict.theirs) {
      // They deleted it: put it back, with our text.
      this.known.delete(blockId);
      this.queue.push({ op: "insert", block_id: blockId, type: block.dataset.blockType, data: blockData(block) });
    } else {
      if (edited) this.queue.push({ op: "update", block_id: blockId, data: blockData(block), force: true });
      this.queue.push(...structural.filter((op) => op.op === "move"));
    }
    if (block) this.mirror(blockId);
    this.flush();
  }

  /** "Keep theirs": their text replaces ours in the form; ours is dropped. */
  keepTheirs(blockId) {
    const held = this.held.get(blockId);
    if (!held || held.reason !== "conflict") return;
    this.held.delete(blockId);
    this.markConflict(blockId, false);
    const { conflict } = held;
    const block = this.blockEl(blockId);
    window.clearTimeout(this.timers.get(blockId));
    this.timers.delete(blockId);
    this.queue = this.queue.filter((op) => op.block_id !== blockId);
    this.dropDraft(blockId);
    if (!conflict.theirs) {
      if (block) block.remove();
      this.known.delete(blockId);
      this.synced.delete(blockId);
    } else {
      if (block) fill(formOf(block), conflict.theirs.data || {});
      else this.onRestoreBlock(conflict.theirs); // we had deleted it: theirs comes back
      this.synced.set(blockId, Number(conflict.version));
    }
    this.clearErrors(blockId);
    this.render();
  }

  conflictOf(blockId) {
    const held = this.held.get(blockId);
    return held && held.reason === "conflict" ? held.conflict : null;
  }

  // --- problems at the fields -------------------------------------------------------------------

  clearErrors(blockId) {
    const block = this.blockEl(blockId);
    if (!block) return;
    block.querySelectorAll("[data-generated-error]").forEach((node) => node.remove());
    block.querySelectorAll("[aria-invalid='true']").forEach((node) => {
      node.removeAttribute("aria-invalid");
      const describedBy = (node.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.startsWith("err-"));
      if (describedBy.length) node.setAttribute("aria-describedby", describedBy.join(" "));
      else node.removeAttribute("aria-describedby");
    });
    const summary = block.querySelector("[data-block-errors]");
    if (summary) summary.replaceChildren();
    delete block.dataset.invalid;
  }

  showErrors(blockId, problems) {
    const block = this.blockEl(blockId);
    if (!block) return;
    this.clearErrors(blockId);
    block.dataset.invalid = "";
    const summary = block.querySelector("[data-block-errors]");
    const list = document.createElement("ul");
    list.className = "errorlist";
    for (const { pointer, messages } of problems) {
      const field = pointer ? fieldFor(block, pointer) : null;
      for (const message of messages) {
        const item = document.createElement("li");
        item.textContent = message;
        list.appendChild(item);
      }
      if (field && field !== formOf(block)) {
        const id = `err-${blockId.slice(0, 8)}-${Math.random().toString(36).slice(2, 8)}`;
        const error = document.createElement("p");
        error.className = "field-error";
        error.id = id;
        error.dataset.generatedError = "";
        error.textContent = messages.join(" ");
        const target = field.closest("[data-field], .field") && field.closest("[data-field], .field") !== field.closest("[data-item]") ? field.closest("[data-field], .field") : null;
        if (target && block.contains(target) && target !== block) target.appendChild(error);
        else field.after(error);
        const focusable = field.matches("input, select, textarea, [contenteditable]") ? field : field.querySelector("input, select, textarea, [contenteditable]");
        if (focusable) {
          focusable.setAttribute("aria-invalid", "true");
          const describedBy = (focusable.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
          describedBy.push(id);
          focusable.setAttribute("aria-describedby", describedBy.join(" "));
        }
      }
    }
    if (summary) {
      const lead = document.createElement("p");
      lead.textContent = msg("blockNotSavedYet");
      summary.replaceChildren(lead, list);
    }
  }

  // --- state ------------------------------------------------------------------------------------

  hasUnsaved() {
    return Boolean(this.inFlight && this.inFlight.ops.length) || this.queue.length > 0 || this.timers.size > 0 || this.held.size > 0;
  }

  state() {
    const conflicts = Array.from(this.held.values()).some((h) => h.reason === "conflict");
    const invalid = Array.from(this.held.values()).filter((h) => h.reason === "invalid");
    if (this.offline) return { state: "offline", text: msg("offline") };
    if (conflicts) return { state: "conflict", text: msg("conflict") };
    if (this.retrying) return { state: "retrying", text: this.lastProblem ? msg("invalid", { problem: this.lastProblem }) : msg("retrying") };
    if ((this.inFlight && this.inFlight.ops.length) || this.queue.length || this.timers.size) return { state: "saving", text: msg("saving") };
    if (invalid.length) return { state: "invalid", text: msg("invalid", { problem: invalid[invalid.length - 1].problem || this.lastProblem }) };
    return { state: "saved", text: msg("saved") };
  }

  render() {
    if (!this.statusEl) return;
    const { state, text } = this.state();
    if (this.statusEl.dataset.state !== state || this.statusEl.textContent !== text) {
      this.statusEl.dataset.state = state;
      this.statusEl.textContent = text;
    }
  }
}
