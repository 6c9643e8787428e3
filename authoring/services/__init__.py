"""Writes of the authoring app (STYLE.md: services). One module per concern:

- `courses`: create, update, delete, create from a document, estimated minutes;
- `coauthors`: co-authors and ownership;
- `structure`: sections and pages (create, rename, settings, move, delete);
- `blocks`: block operations on a page, moving a block to another page;
- `revisions`: immutable snapshots, restore, autosave revisions.

Every service takes keyword-only arguments with `actor` (a Membership) first, runs in one
transaction, checks permission through `authoring.access`, raises `egl_platform.errors`.
"""
