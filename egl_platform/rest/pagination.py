from rest_framework.pagination import CursorPagination


class CreatedCursorPagination(CursorPagination):
    """Cursor pagination, newest first; stable under inserts, cheap on big tables."""

    ordering = "-created_at"
    page_size_query_param = "page_size"
    max_page_size = 200
