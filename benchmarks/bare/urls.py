"""One view: a small HTML page of BARE_PAGE_BYTES bytes (the size of the tenant page)."""

import os

from django.http import HttpRequest, HttpResponse
from django.urls import path

_HEAD = (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    "<title>Bare</title>\n</head>\n<body>\n<main>\n<h1>Hello</h1>\n<p>"
)
_TAIL = "</p>\n</main>\n</body>\n</html>\n"
_SIZE = max(int(os.environ.get("BARE_PAGE_BYTES", "2048")), len(_HEAD) + len(_TAIL))
PAGE = (_HEAD + "x" * (_SIZE - len(_HEAD) - len(_TAIL)) + _TAIL).encode()


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]
