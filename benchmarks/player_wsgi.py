"""The platform's WSGI application with a Server-Timing header, for benchmarks/player.py.

`Server-Timing: app;dur=<ms>` is the time Django spent on the request: from the WSGI call
(request object, every middleware, the view, its queries and transaction commit including the
tracking statement written on commit, the template) until the response is complete. Only
gunicorn's own HTTP parsing and the socket write are outside it. The header is added by
delaying start_response until Django returns, which WSGI allows (no body has been sent).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from egl_platform.wsgi import application as django_application


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    captured: list[Any] = []

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured[:] = [status, headers, exc_info]
        return lambda data: None  # Django never uses the legacy write callable

    started = time.perf_counter()
    body = django_application(environ, capture)
    elapsed = (time.perf_counter() - started) * 1000
    status, headers, exc_info = captured
    start_response(status, [*headers, ("Server-Timing", f"app;dur={elapsed:.2f}")], exc_info)
    return body
