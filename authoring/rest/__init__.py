"""The authoring API (/api/v1/): courses, sections, pages, block operations, revisions,
authors, presence and the course document."""
