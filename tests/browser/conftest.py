"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Playwright never downloads a browser here; it launches the system one. Chromium resolves
*.localhost to 127.0.0.1, so tenant hosts work against pytest-django's live server.
"""

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("EGL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    # Playwright's sync API runs an event loop; Django must allow sync DB access beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def tenant_url(live_server):
    """tenant_url("acme", "/path") → http://acme.localhost:<port>/path on the live server."""
    port = live_server.url.rsplit(":", 1)[1]

    def build(slug: str, path: str = "/") -> str:
        return f"http://{slug}.localhost:{port}{path}"

    return build
