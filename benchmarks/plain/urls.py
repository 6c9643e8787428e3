"""One signed-in page, rendered from a template, padded to PLAIN_PAGE_BYTES."""

import os

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

_TARGET = int(os.environ.get("PLAIN_PAGE_BYTES", "0"))
_padding: dict[str, str] = {}


@login_required(login_url="/login/")
def page(request: HttpRequest) -> HttpResponse:
    response = render(request, "page.html", {"padding": _padding.get("value", "")})
    if "value" not in _padding:  # first response: learn how much filler makes the size equal
        _padding["value"] = "x" * max(0, _TARGET - len(response.content))
        response = render(request, "page.html", {"padding": _padding["value"]})
    return response


urlpatterns = [path("", page)]
