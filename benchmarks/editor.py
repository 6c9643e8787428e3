"""Editor load and autosave latency (p50 / p95) for a 10-page and a 200-page course.

Target (issue 3): the large course within 3× of the small one, for both measurements.

Each request goes through the whole Django stack in-process (WSGI handler via Django's test
client: tenant from the host, Redis session, membership, CSRF, CSP, the view or API, the
template) against PostgreSQL with row-level security in force as the application role.
No network hop and no gunicorn: this measures what the server does per request, which is
what grows with the course's size.

- editor load: GET of the page editor (outline of the whole course + one page's blocks).
- autosave: POST /api/v1/pages/<uuid>/operations/ with one "update" of a rich-text block,
  based on the version the previous save returned (what the editor sends after a pause).

Both courses have 10 blocks per page (the large one: 200 pages, 2,000 blocks).

    . /tmp/pgenv   # DATABASE_URL (app role), DATABASE_OWNER_URL, REDIS_URL
    .venv/bin/python benchmarks/editor.py [--requests 200] [--no-seed]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AUTHOR = "author@acme.test"
TENANT_HOST = "acme.localhost"
BLOCKS_PER_PAGE = 10
PAGES_PER_SECTION = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="measured requests per case")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests first")
    parser.add_argument("--no-seed", action="store_true", help="skip migrate and seed_demo")
    return parser.parse_args()


def require_environment() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("benchmark needs PostgreSQL: DATABASE_URL must point at it (the application role)")
    if not os.environ.get("REDIS_URL"):
        sys.exit("benchmark needs Redis: set REDIS_URL (cache and sessions)")


def manage(*args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PYTEST"))}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def rich_text(page: int, block: int) -> dict[str, Any]:
    words = " ".join(["Answer", "the", "phone", "within", "three", "rings", "and", "smile."] * 4)
    return {
        "id": str(uuid.uuid4()),
        "type": "rich_text",
        "version": 1,
        "data": {"text": f"<h2>Page {page}, block {block}</h2><p>{words}</p>"},
    }


def build_course(author: Any, title: str, pages: int) -> Any:
    """A course of `pages` pages × 10 rich-text blocks, written with bulk_create."""
    from authoring.models import Course, Page, Section

    course = Course.objects.create(
        title=title, slug=f"bench-{uuid.uuid4().hex[:12]}", owner=author, language="en"
    )
    sections = Section.objects.bulk_create(
        Section(tenant=course.tenant, course=course, title=f"Section {n + 1}", position=n)
        for n in range((pages + PAGES_PER_SECTION - 1) // PAGES_PER_SECTION)
    )
    rows = []
    for n in range(pages):
        blocks = [rich_text(n, b) for b in range(BLOCKS_PER_PAGE)]
        rows.append(
            Page(
                tenant=course.tenant,
                section=sections[n // PAGES_PER_SECTION],
                title=f"Page {n + 1}",
                position=n % PAGES_PER_SECTION,
                blocks=blocks,
                block_versions={b["id"]: 1 for b in blocks},
            )
        )
    Page.objects.bulk_create(rows)
    return course


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure(call: Any, *, warmup: int, requests: int) -> tuple[float, float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), percentile(samples, 0.95)


def measure_course(
    client: Any, course: Any, args: argparse.Namespace
) -> dict[str, tuple[float, float]]:
    """Editor load and autosave of the course's last page."""
    from django.urls import reverse

    page = course.sections.order_by("position").last().pages.order_by("position").last()
    editor_url = reverse(
        "authoring:page-edit", kwargs={"course_uuid": course.uuid, "page_uuid": page.uuid}
    )
    ops_url = f"/api/v1/pages/{page.uuid}/operations/"
    block_id = page.blocks[0]["id"]
    state = {"version": page.version, "n": 0}

    def load() -> None:
        response = client.get(editor_url)
        assert response.status_code == 200, response.status_code

    def autosave() -> None:
        state["n"] += 1
        body = {
            "base_version": state["version"],
            "operations": [
                {
                    "op": "update",
                    "block_id": block_id,
                    "data": {"text": f"<p>Edit number {state['n']}, still typing.</p>"},
                }
            ],
        }
        response = client.post(ops_url, json.dumps(body), content_type="application/json")
        assert response.status_code == 200, response.content[:300]
        state["version"] = response.json()["version"]

    return {
        "editor load": measure(load, warmup=args.warmup, requests=args.requests),
        "autosave": measure(autosave, warmup=args.warmup, requests=args.requests),
    }


def run(args: argparse.Namespace) -> dict[str, dict[str, tuple[float, float]]]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egl_platform.settings")
    os.environ["DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    from tenants.models import Membership, Tenant, User
    from tenants.tenancy import tenant_scope

    tenant = Tenant.objects.get(slug="acme")
    results: dict[str, dict[str, tuple[float, float]]] = {}
    with tenant_scope(tenant):
        author = Membership.objects.get(user__email=AUTHOR)
        client = Client(HTTP_HOST=TENANT_HOST, enforce_csrf_checks=False)
        client.force_login(User.objects.get(email=AUTHOR))
        for label, pages in (("10 pages", 10), ("200 pages", 200)):
            course = build_course(author, f"Benchmark {label}", pages)
            try:
                results[label] = measure_course(client, course, args)
            finally:  # never leave benchmark courses in the demo
                course.delete()
    return results


def report(results: dict[str, dict[str, tuple[float, float]]]) -> None:
    today = datetime.now(UTC).date().isoformat()
    print(f"\n{today} · Python {platform.python_version()} · {platform.machine()}")
    print("| what | 10 pages p50 / p95 | 200 pages p50 / p95 | ratio (p50) | ratio (p95) |")
    print("|---|---|---|---|---|")
    for what in ("editor load", "autosave"):
        small, large = results["10 pages"][what], results["200 pages"][what]
        print(
            f"| {what} | {small[0]:.1f} / {small[1]:.1f} ms | {large[0]:.1f} / {large[1]:.1f} ms "
            f"| {large[0] / small[0]:.2f} | {large[1] / small[1]:.2f} |"
        )
    worst = max(
        results["200 pages"][w][i] / results["10 pages"][w][i]
        for w in ("editor load", "autosave")
        for i in (0, 1)
    )
    print(f"\nlargest ratio {worst:.2f} (target ≤ 3): {'met' if worst <= 3 else 'NOT met'}")


def main() -> None:
    args = parse_args()
    require_environment()
    if not args.no_seed:
        manage("migrate", "--noinput", "-v0")
        manage("seed_demo")
    report(run(args))


if __name__ == "__main__":
    main()
