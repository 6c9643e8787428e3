"""Course player delivery benchmarks (issue 5): page weight, server time, throughput, load.

Targets (docs/benchmarks.md §3):

1. weight: the first player page ≤ 60 KB compressed (HTML + its same-origin CSS and JS,
   gzip level 6; media excluded); a later page's HTML ≤ 15 KB (CSS and JS cached);
2. server time: p95 ≤ 50 ms per player page, on PostgreSQL holding 10,000 enrolments and
   1,000,000 xAPI statements (≥ 2,000 sequential requests; the time is Django's own, from the
   Server-Timing header benchmarks/player_wsgi.py adds);
3. throughput: player pages ≥ 0.5 × a bare Django view, same gunicorn settings, same load
   generator, measured side by side in alternating rounds (the stock signed-in Django page of
   benchmarks/plain/ and the do-nothing view of benchmarks/bare/ are both reported);
4. load: 200 signed-in virtual learners for 60 s on loopback, each paging through the course
   and answering its questions; 0 errors (non-2xx/3xx or connection errors).

Run it against a database of its own — it adds 2,000 learners, 5 courses, 10,000 enrolments
and 1,000,000 statements (refuses the dev database `egl` unless told):

    EGL_DB_NAME=egl_bench scripts/pg_setup.sh
    export DATABASE_URL=postgres://egl_app:egl-app-dev@127.0.0.1:5432/egl_bench
    export DATABASE_OWNER_URL=postgres://egl_owner:egl-owner-dev@127.0.0.1:5432/egl_bench
    export REDIS_URL=redis://127.0.0.1:6379/14
    .venv/bin/python benchmarks/player.py [--only weight,time,throughput,load]

Every request goes to 127.0.0.1 with a `Host: acme.localhost:<port>` header. The throughput
rounds use wrk when installed (a Lua script rotates learners and pages), else an asyncio
generator; the other parts always use the asyncio client of this file (one new connection per
request, as gunicorn's sync workers close them).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import tenant_page as tp  # noqa: E402  (shared gunicorn, plain/bare yardsticks, machine info)

TENANT_HOST = "acme.localhost"
AUTHOR = "author@acme.test"
LEARNER_EMAIL = "bench-learner-{n}@acme.test"
COURSE_SLUG = "bench-player-{n}"
SECTIONS, PAGES_PER_SECTION = 3, 4  # 12 pages per course; pages 3, 7, 11 ask a question
PARAGRAPH = (
    "When a customer calls, answer within three rings, give your name and the team's, and "
    "listen before you suggest anything. Write down the caller's number first: if the line "
    "drops you can call back. Summarise what you heard and agree on the next step."
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="weight,time,throughput,load", help="parts to run")
    parser.add_argument("--learners", type=int, default=2000, help="bench learners to create")
    parser.add_argument("--courses", type=int, default=5, help="courses; everyone in all")
    parser.add_argument("--statements", type=int, default=1_000_000, help="statements to load")
    parser.add_argument("--requests", type=int, default=2000, help="sequential timed requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (all)")
    parser.add_argument("--connections", type=int, default=8, help="throughput connections")
    parser.add_argument("--duration", type=int, default=10, help="seconds per throughput run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per run")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds; median counts")
    parser.add_argument("--virtual", type=int, default=200, help="virtual learners (load)")
    parser.add_argument("--load-seconds", type=int, default=60, help="length of the load run")
    parser.add_argument("--port", type=int, default=8911, help="player; bare +1, plain +2")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-seed", action="store_true", help="skip migrate and seed_demo")
    parser.add_argument(
        "--allow-any-database", action="store_true", help="also run on a database named egl"
    )
    return parser.parse_args()


def require_environment(args: argparse.Namespace) -> None:
    tp.require_environment()
    if not os.environ.get("DATABASE_OWNER_URL"):
        sys.exit("benchmark needs DATABASE_OWNER_URL (the bulk load runs as the owner role)")
    name = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
    if name == "egl" and not args.allow_any_database:
        sys.exit("refusing to load 1,000,000 statements into the dev database egl; see --help")


# --- data --------------------------------------------------------------------------------------


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egl_platform.settings")
    os.environ["DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def question(n: int) -> dict[str, Any]:
    import uuid

    options = [
        {"id": str(uuid.uuid4()), "text": text, "correct": k == 1, "feedback": ""}
        for k, text in enumerate(("Let it ring", "Answer and give your name", "Transfer it"))
    ]
    return {
        "id": str(uuid.uuid4()),
        "type": "single_choice",
        "version": 1,
        "data": {
            "prompt": f"<p>Question {n}: what do you do first when the phone rings?</p>",
            "options": options,
            "points": 1,
            "feedback": {"correct": "<p>Well done.</p>", "incorrect": "<p>Not quite.</p>"},
            "objective_ids": [],
        },
    }


def build_course(author: Any, n: int) -> Any:
    """A released course of 3 sections × 4 pages: text on every page, a question on 3."""
    import uuid

    from django.utils import timezone

    from authoring.document import course_document_build
    from authoring.models import Course, Page, Revision, Section
    from courses.models import CatalogEntry, Release

    course = Course.objects.create(
        title=f"Phone basics {n}", slug=COURSE_SLUG.format(n=n), owner=author, language="en"
    )
    number = 0
    for s in range(SECTIONS):
        section = Section.objects.create(
            tenant=course.tenant, course=course, title=f"Part {s + 1}", position=s
        )
        pages = []
        for p in range(PAGES_PER_SECTION):
            number += 1
            blocks: list[dict[str, Any]] = [
                {
                    "id": str(uuid.uuid4()),
                    "type": "rich_text",
                    "version": 1,
                    "data": {
                        "text": f"<h2>Step {number}</h2>"
                        + "".join(f"<p>{PARAGRAPH}</p>" for _ in range(3))
                    },
                }
            ]
            if number % 4 == 3:
                blocks.append(question(number))
            pages.append(
                Page(
                    tenant=course.tenant,
                    section=section,
                    title=f"Step {number}",
                    position=p,
                    kind="content",
                    blocks=blocks,
                    block_versions={b["id"]: 1 for b in blocks},
                )
            )
        Page.objects.bulk_create(pages)
    document = course_document_build(course)
    revision = Revision.objects.create(course=course, number=1, document=document)
    release = Release.objects.create(course=course, number=1, revision=revision, document=document)
    now = timezone.now()
    CatalogEntry.objects.create(
        course=course,
        live_release=release,
        title=course.title,
        language="en",
        search_text=course.title,
        first_published_at=now,
        updated_at=now,
    )
    return course


def owner_connection(tenant_id: int) -> Any:
    import psycopg

    connection = psycopg.connect(os.environ["DATABASE_OWNER_URL"], autocommit=True)
    connection.execute("SELECT set_config('egl.tenant_id', %s, false)", [str(tenant_id)])
    return connection


def populate(args: argparse.Namespace) -> None:
    """Bench learners, courses and enrolments (ORM, app role); progress and statements (SQL,
    owner role, in acme's scope); then ANALYZE. Skipped when the first bench course exists."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from authoring.models import Course
    from courses.models import CatalogEntry, Enrollment, EnrollmentStatus
    from tenants.models import Membership, MembershipStatus, Tenant, User
    from tenants.tenancy import tenant_scope

    tenant = Tenant.objects.get(slug="acme")
    with tenant_scope(tenant):
        if Course.objects.filter(slug=COURSE_SLUG.format(n=0)).exists():
            print("bench data present: not loading again")
            return
        began = time.monotonic()
        author = Membership.objects.get(user__email=AUTHOR)
        courses = [build_course(author, n) for n in range(args.courses)]
        password = make_password(None)
        users = User.objects.bulk_create(
            User(email=LEARNER_EMAIL.format(n=n), display_name=f"Learner {n}", password=password)
            for n in range(args.learners)
        )
        members = Membership.objects.bulk_create(
            Membership(tenant=tenant, user=user, status=MembershipStatus.ACTIVE) for user in users
        )
        statuses = [
            EnrollmentStatus.ENROLLED,
            EnrollmentStatus.IN_PROGRESS,
            EnrollmentStatus.IN_PROGRESS,
            EnrollmentStatus.COMPLETED,
        ]
        now = timezone.now()
        releases = {
            e.course_id: e.live_release
            for e in CatalogEntry.objects.select_related("live_release").filter(course__in=courses)
        }
        Enrollment.objects.bulk_create(
            (
                Enrollment(
                    tenant=tenant,
                    course=course,
                    learner=member,
                    release=releases[course.pk],
                    status=statuses[(i + c) % 4],
                    started_at=None if (i + c) % 4 == 0 else now,
                    completed_at=now if (i + c) % 4 == 3 else None,
                    progress_percent={0: 0, 1: 50, 2: 50, 3: 100}[(i + c) % 4],
                )
                for i, member in enumerate(members)
                for c, course in enumerate(courses)
            ),
            batch_size=2000,
        )
        enrolments = Enrollment.objects.count()
        print(f"learners, courses, {enrolments} enrolments: {time.monotonic() - began:.0f} s")
    load_progress_and_statements(tenant, args.statements, enrolments)


def load_progress_and_statements(tenant: Any, statements: int, enrolments: int) -> None:
    from analytics.models import Statement
    from authoring.models import Course
    from courses.models import Enrollment, PageProgress, Release
    from tenants.models import Membership

    statement, enrollment = Statement._meta.db_table, Enrollment._meta.db_table
    progress, release = PageProgress._meta.db_table, Release._meta.db_table
    course, membership = Course._meta.db_table, Membership._meta.db_table
    home = f"http://{tenant.slug}.localhost"
    per_enrolment = max(1, statements // max(1, enrolments))
    began = time.monotonic()
    with owner_connection(tenant.pk) as connection:
        connection.execute(f"""
            INSERT INTO {progress} (tenant_id, enrollment_id, page_id, first_seen_at, last_seen_at)
            SELECT e.tenant_id, e.id, p.id #>> '{{}}', now() - interval '3 days', now()
            FROM {enrollment} e
            JOIN {release} r ON r.id = e.release_id
            CROSS JOIN LATERAL jsonb_path_query(r.document, '$.sections[*].pages[*].id')
                WITH ORDINALITY AS p(id, n)
            WHERE e.tenant_id = {tenant.pk} AND e.status <> 'enrolled'
              AND (e.status = 'completed' OR p.n <= 6)
            ON CONFLICT DO NOTHING
        """)  # noqa: S608  (table names from the models, numbers from the database)
        ids = [
            row[0]
            for row in connection.execute(
                f"SELECT id FROM {enrollment} WHERE tenant_id = {tenant.pk} ORDER BY id"  # noqa: S608
            ).fetchall()
        ]
        chunk = max(1, 100_000 // per_enrolment)
        loaded = 0
        for start in range(0, len(ids), chunk):
            low, high = ids[start], ids[min(len(ids), start + chunk) - 1]
            connection.execute(f"""
                INSERT INTO {statement}
                    (tenant_id, statement_id, verb, object_id, actor_key, registration,
                     "timestamp", stored, payload)
                SELECT s.tenant_id, s.sid, s.verb, s.obj, s.actor, s.reg, s.ts,
                       s.ts + interval '2 seconds',
                       jsonb_build_object(
                         'id', s.sid, 'version', '1.0.3',
                         'timestamp', to_char(s.ts AT TIME ZONE 'UTC',
                                              'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                         'actor', jsonb_build_object('objectType', 'Agent', 'name', s.name,
                           'account', jsonb_build_object('homePage', '{home}',
                                                         'name', s.actor)),
                         'verb', jsonb_build_object('id', s.verb,
                           'display', jsonb_build_object('en', s.verb_name)),
                         'object', jsonb_build_object('objectType', 'Activity', 'id', s.obj,
                           'definition', jsonb_build_object(
                             'type', 'http://adlnet.gov/expapi/activities/lesson',
                             'name', jsonb_build_object('en', 'Step ' || s.page))),
                         'context', jsonb_build_object('registration', s.reg,
                           'contextActivities', jsonb_build_object('parent',
                             jsonb_build_array(jsonb_build_object('id', s.course_iri)))))
                FROM (
                  SELECT e.tenant_id, gen_random_uuid() AS sid,
                    (ARRAY['http://adlnet.gov/expapi/verbs/experienced',
                           'http://adlnet.gov/expapi/verbs/answered',
                           'http://adlnet.gov/expapi/verbs/progressed'])[1 + g % 3] AS verb,
                    (ARRAY['experienced', 'answered', 'progressed'])[1 + g % 3] AS verb_name,
                    '{home}/xapi/activities/page/'
                      || md5(c.uuid::text || (g % 12)::text)::uuid AS obj,
                    '{home}/xapi/activities/course/' || c.uuid AS course_iri,
                    m.uuid::text AS actor, 'Learner' AS name, e.registration AS reg,
                    1 + g % 12 AS page,
                    now() - g * interval '37 minutes' - (e.id % 997) * interval '1 minute' AS ts
                  FROM {enrollment} e
                  JOIN {membership} m ON m.id = e.learner_id
                  JOIN {course} c ON c.id = e.course_id
                  CROSS JOIN generate_series(1, {per_enrolment}) AS g
                  WHERE e.tenant_id = {tenant.pk} AND e.id BETWEEN {low} AND {high}
                ) s
            """)  # noqa: S608  (table names from the models, numbers from the database)
            loaded += (min(len(ids), start + chunk) - start) * per_enrolment
            print(f"  statements {loaded:,} ({time.monotonic() - began:.0f} s)", flush=True)
        connection.execute("ANALYZE")
    print(f"progress, {loaded:,} statements, ANALYZE: {time.monotonic() - began:.0f} s")


@dataclass
class PageInfo:
    id: str
    question: str = ""  # the single-choice block's id
    correct: str = ""  # its correct option's id


@dataclass
class Fixture:
    tenant_id: int
    course_uuid: str
    pages: list[PageInfo]
    cookies: list[str]  # "name=value" of one signed-in session per bench learner
    counts: dict[str, int] = field(default_factory=dict)


def fixture(sessions: int) -> Fixture:
    from django.conf import settings
    from django.test import Client

    from analytics.models import Statement
    from authoring.models import Course
    from courses.models import CatalogEntry, Enrollment
    from courses.player import document_pages
    from tenants.models import Tenant, User
    from tenants.tenancy import tenant_scope

    tenant = Tenant.objects.get(slug="acme")
    with tenant_scope(tenant):
        course = Course.objects.get(slug=COURSE_SLUG.format(n=0))
        entry = CatalogEntry.objects.select_related("live_release").get(course=course)
        document = entry.live_release.document
        pages = []
        for page in document_pages(document):
            info = PageInfo(id=str(page["id"]))
            for block in page.get("blocks") or []:
                if block.get("type") == "single_choice":
                    info.question = str(block["id"])
                    info.correct = next(o["id"] for o in block["data"]["options"] if o["correct"])
            pages.append(info)
        cookies = []
        users = User.objects.filter(email__startswith="bench-learner-").order_by("id")[:sessions]
        for user in users:
            client = Client(HTTP_HOST=TENANT_HOST)
            client.force_login(user)
            cookies.append(
                f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            )
        counts = {
            "enrolments": Enrollment.objects.count(),
            "statements": Statement.objects.count(),
        }
    return Fixture(tenant.pk, str(course.uuid), pages, cookies, counts)


# --- asyncio HTTP client -----------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    seconds: float

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    def server_ms(self) -> float | None:
        match = re.search(r"app;dur=([\d.]+)", self.header("Server-Timing"))
        return float(match.group(1)) if match else None


async def http(
    port: int,
    host: str,
    method: str,
    path: str,
    cookies: dict[str, str],
    form: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Reply:
    """One request on a new connection (Connection: close); Set-Cookie updates `cookies`."""
    began = time.perf_counter()
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
        if cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
        if form is not None:
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        data = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, content = data.partition(b"\r\n\r\n")
    if not head:
        raise ConnectionError("empty response")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(line.split(": ", 1)) for line in header_lines if ": " in line]
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key] = rest.split(";", 1)[0]
    return Reply(int(status_line.split()[1]), headers, content, time.perf_counter() - began)  # type: ignore[arg-type]


def cookie_jar(cookie: str) -> dict[str, str]:
    name, _, value = cookie.partition("=")
    return {name: value}


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- servers -----------------------------------------------------------------------------------


def player_target(port: int, workers: int) -> tp.Target:
    return tp.Target(
        name="player page",
        port=port,
        host=f"{TENANT_HOST}:{port}",
        cookie="",
        command=tp.gunicorn("benchmarks.player_wsgi:application", port, workers),
        env=tp.server_env(
            DJANGO_SETTINGS_MODULE="egl_platform.settings", EGL_PUBLIC_PORT=str(port)
        ),
        cwd=ROOT,
    )


class Server:
    """gunicorn for `target`, its output in a log file (scanned for errors afterwards)."""

    def __init__(self, target: tp.Target) -> None:
        self.target = target
        self.log = tempfile.NamedTemporaryFile(prefix="bench-player-", suffix=".log", delete=False)  # noqa: SIM115

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            self.target.command,
            cwd=self.target.cwd,
            env=self.target.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"{self.target.name}: gunicorn exited; see {self.log.name}")
            try:
                tp.fetch(self.target)
                return self
            except OSError:
                time.sleep(0.2)
        tp.stop(self.process)
        sys.exit(f"{self.target.name}: gunicorn did not answer within 30 s")

    def __exit__(self, *exc: object) -> None:
        tp.stop(self.process)
        self.log.close()

    def logged_errors(self) -> list[str]:
        text = Path(self.log.name).read_text(errors="replace")
        return [line for line in text.splitlines() if "Traceback" in line or "ERROR" in line]


def page_path(fx: Fixture, page: PageInfo) -> str:
    return f"/learn/{fx.course_uuid}/{page.id}/"


def kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def tp_percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


# --- 1. weight ---------------------------------------------------------------------------------


ASSET = re.compile(
    r'<link[^>]+rel="stylesheet"[^>]+href="(?P<css>/[^"]+)"|<script[^>]+src="(?P<js>/[^"]+)"'
)


async def weight(fx: Fixture, target: tp.Target) -> dict[str, Any]:
    cookies = cookie_jar(fx.cookies[-1])
    first = await http(target.port, target.host, "GET", page_path(fx, fx.pages[0]), cookies)
    later = await http(target.port, target.host, "GET", page_path(fx, fx.pages[2]), cookies)
    if first.status != 200 or later.status != 200:
        sys.exit(f"player pages answered HTTP {first.status} / {later.status}, not 200")
    html = first.body.decode()
    assets = []
    for match in ASSET.finditer(html):
        path = match.group("css") or match.group("js")
        reply = await http(target.port, target.host, "GET", path, {})
        assert reply.status == 200, (path, reply.status)
        assets.append((path, len(reply.body), len(gzip.compress(reply.body, 6))))
    gz = await http_gzip_probe(target, fx, cookies)
    first_html = len(gzip.compress(first.body, 6))
    return {
        "first_html": (len(first.body), first_html),
        "assets": assets,
        "first_total": first_html + sum(a[2] for a in assets),
        "later_html": (len(later.body), len(gzip.compress(later.body, 6))),
        "server_gzip": gz,
    }


async def http_gzip_probe(target: tp.Target, fx: Fixture, cookies: dict[str, str]) -> str:
    """The Content-Encoding the server itself answers `Accept-Encoding: gzip` with."""
    reader, writer = await asyncio.open_connection("127.0.0.1", target.port)
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    writer.write(
        (
            f"GET {page_path(fx, fx.pages[0])} HTTP/1.1\r\nHost: {target.host}\r\n"
            f"Cookie: {cookie}\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
        ).encode()
    )
    data = await reader.read()
    writer.close()
    match = re.search(rb"\r\ncontent-encoding: *([^\r]+)", data.partition(b"\r\n\r\n")[0], re.I)
    return match.group(1).decode() if match else "none"


# --- 2. server time ----------------------------------------------------------------------------


async def server_time(fx: Fixture, target: tp.Target, requests: int) -> dict[str, Any]:
    """Sequential GETs of player pages, 20 learners in turn, every page of the course."""
    learners = [cookie_jar(c) for c in fx.cookies[:20]]
    for jar in learners:  # warm-up: each learner's first page, each worker's first request
        await http(target.port, target.host, "GET", page_path(fx, fx.pages[0]), jar)
    server, client, bad = [], [], 0
    for n in range(requests):
        jar = learners[n % len(learners)]
        page = fx.pages[(n // len(learners)) % len(fx.pages)]
        reply = await http(target.port, target.host, "GET", page_path(fx, page), jar)
        if reply.status != 200:
            bad += 1
        ms = reply.server_ms()
        if ms is not None:
            server.append(ms)
        client.append(reply.seconds * 1000)
    return {"server": server, "client": client, "bad": bad}


# --- 3. throughput -----------------------------------------------------------------------------


WRK_SCRIPT = """
local requests = {%s}
local host = "%s"
local counter = 0
function setup(thread)
  thread:set("offset", counter * 997)
  counter = counter + 1
end
function init(args)
  position = offset or 0
end
function request()
  position = position %% #requests + 1
  local r = requests[position]
  return wrk.format("GET", r[1], {["Host"] = host, ["Cookie"] = r[2]})
end
"""


def player_wrk(
    fx: Fixture, target: tp.Target, seconds: int, connections: int, learners: int
) -> tp.Measurement:
    """wrk GETs of player pages, page-major over `learners` learners (rarely the same one twice
    at once: page_view locks the enrolment row)."""
    entries = [
        f'{{"{page_path(fx, page)}", "{cookie}"}}'
        for page in fx.pages
        for cookie in fx.cookies[:learners]
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (",".join(entries), target.host))
    command = [
        "wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency",
        "-s", script.name, f"http://127.0.0.1:{target.port}/",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    return parse_wrk(output)


def parse_wrk(output: str) -> tp.Measurement:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += int(sockets.group(1)) + int(sockets.group(4)) if sockets else 0
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", output)
    p50_ms = (
        float(p50.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)] if p50 else None
    )
    return tp.Measurement(rps, requests, errors, p50_ms)


async def player_python(
    fx: Fixture, target: tp.Target, seconds: int, connections: int, learners: int
) -> tp.Measurement:
    stop_at = time.monotonic() + seconds
    done, errors, latencies = 0, 0, []

    async def worker(k: int) -> None:
        nonlocal done, errors
        n = k
        while time.monotonic() < stop_at:
            jar = cookie_jar(fx.cookies[n % learners])
            page = fx.pages[(n // learners) % len(fx.pages)]
            n += connections
            try:
                reply = await http(target.port, target.host, "GET", page_path(fx, page), jar)
                ok = reply.status == 200
                latencies.append(reply.seconds)
            except (OSError, TimeoutError):
                ok = False
            done, errors = done + ok, errors + (not ok)

    began = time.monotonic()
    await asyncio.gather(*(worker(k) for k in range(connections)))
    elapsed = time.monotonic() - began
    p50 = statistics.median(latencies) * 1000 if latencies else None
    return tp.Measurement(done / elapsed, done + errors, errors, p50)


def throughput(
    fx: Fixture, args: argparse.Namespace, generator: str, page_bytes: int
) -> dict[str, Any]:
    learners = min(64, len(fx.cookies))
    player = player_target(args.port, args.workers)
    bare = tp.Target(
        name="bare view",
        port=args.port + 1,
        host=f"127.0.0.1:{args.port + 1}",
        cookie="",
        command=tp.gunicorn("bare.wsgi:application", args.port + 1, args.workers),
        env=tp.server_env(DJANGO_SETTINGS_MODULE="bare.settings", BARE_PAGE_BYTES=str(page_bytes)),
        cwd=BENCHMARKS,
    )
    plain_env, plain_cookie = tp.prepare_plain(page_bytes)
    plain = tp.Target(
        name="plain Django",
        port=args.port + 2,
        host=f"127.0.0.1:{args.port + 2}",
        cookie=plain_cookie,
        command=tp.gunicorn("plain.wsgi:application", args.port + 2, args.workers),
        env=plain_env,
        cwd=BENCHMARKS,
    )

    def run(target: tp.Target, seconds: int) -> tp.Measurement:
        if target is player:
            if generator == "wrk":
                return player_wrk(fx, target, seconds, args.connections, learners)
            return asyncio.run(player_python(fx, target, seconds, args.connections, learners))
        if generator == "wrk":
            return tp.run_wrk(target, seconds, args.connections)
        return tp.run_python(target, seconds, args.connections, 200_000)

    targets = (player, plain, bare)
    results: dict[str, list[tp.Measurement]] = {t.name: [] for t in targets}
    logged: list[str] = []
    for round_number in range(1, args.rounds + 1):
        for target in targets if round_number % 2 else tuple(reversed(targets)):
            with Server(target) as server:
                run(target, args.warmup)
                result = run(target, args.duration)
                logged += server.logged_errors()
            results[target.name].append(result)
            print(
                f"round {round_number} {target.name:<12} {result.rps:8.1f} req/s "
                f"({result.requests} requests, {result.errors} errors, p50 {result.p50_ms or 0:.1f} ms)",
                flush=True,
            )
    return {"results": results, "logged": logged}


# --- 4. load -----------------------------------------------------------------------------------


async def load(fx: Fixture, target: tp.Target, learners: int, seconds: int) -> dict[str, Any]:
    stop_at = time.monotonic() + seconds
    statuses: dict[int, int] = {}
    failures: dict[str, int] = {}
    latencies: list[float] = []
    server: list[float] = []
    answers = 0

    async def call(jar: dict[str, str], method: str, path: str, form: Any = None) -> Reply | None:
        try:
            reply = await http(target.port, target.host, method, path, jar, form)
        except (OSError, TimeoutError, ConnectionError) as error:
            failures[type(error).__name__] = failures.get(type(error).__name__, 0) + 1
            return None
        statuses[reply.status] = statuses.get(reply.status, 0) + 1
        latencies.append(reply.seconds * 1000)
        if (ms := reply.server_ms()) is not None:
            server.append(ms)
        return reply

    async def learner(k: int) -> None:
        nonlocal answers
        jar = cookie_jar(fx.cookies[k])
        await asyncio.sleep(k * 0.01)  # sign-ins spread over the first 2 s
        await call(jar, "GET", f"/learn/{fx.course_uuid}/")
        n = k  # each starts on a different page
        while time.monotonic() < stop_at:
            page = fx.pages[n % len(fx.pages)]
            n += 1
            reply = await call(jar, "GET", page_path(fx, page))
            if reply is None or not page.question or time.monotonic() >= stop_at:
                continue
            token = CSRF.search(reply.body)
            form = {
                "csrfmiddlewaretoken": token.group(1).decode() if token else "",
                "block_id": page.question,
                page.question: page.correct,
            }
            if await call(jar, "POST", page_path(fx, page) + "answer/", form) is not None:
                answers += 1

    began = time.monotonic()
    await asyncio.gather(*(learner(k) for k in range(learners)))
    elapsed = time.monotonic() - began
    return {
        "elapsed": elapsed,
        "statuses": statuses,
        "failures": failures,
        "latencies": latencies,
        "server": server,
        "answers": answers,
    }


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    require_environment(args)
    parts = set(args.only.split(","))
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"
    if not args.no_seed:
        tp.manage("migrate", "--noinput", "-v0")
        tp.manage("seed_demo", "-v0")
    setup_django()
    populate(args)
    fx = fixture(max(args.virtual, 64))
    if len(fx.cookies) < args.virtual:
        sys.exit(f"only {len(fx.cookies)} bench learners; --learners must be ≥ --virtual")
    for port in (args.port, args.port + 1, args.port + 2):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                sys.exit(f"port {port} is in use; pass --port")

    print(f"\ndate        {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine     {tp.machine()}")
    print(f"software    {tp.versions()}")
    print(
        f"data        {fx.counts['enrolments']:,} enrolments, {fx.counts['statements']:,} "
        f"statements; course of {len(fx.pages)} pages, "
        f"{sum(1 for p in fx.pages if p.question)} with a question"
    )
    print(f"settings    gunicorn --workers {args.workers} --worker-class sync")
    print(
        f"load avg    {' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1 / 5 / 15 min) at start"
    )
    failed = False
    player = player_target(args.port, args.workers)
    page_bytes = 0

    if parts & {"weight", "time", "throughput"}:
        with Server(player) as server:
            w = asyncio.run(weight(fx, player))
            page_bytes = w["first_html"][0]
            if "weight" in parts:
                print(
                    "\n1. weight (gzip -6; server's own Content-Encoding: " + w["server_gzip"] + ")"
                )
                print(
                    f"   first page HTML   {kb(w['first_html'][0])} raw, {kb(w['first_html'][1])} gz"
                )
                for path, raw, packed in w["assets"]:
                    print(f"   {path:<28} {kb(raw)} raw, {kb(packed)} gz")
                ok = w["first_total"] <= 60 * 1024
                print(
                    f"   first page total  {kb(w['first_total'])} (target ≤ 60 KB): {'met' if ok else 'NOT met'}"
                )
                ok2 = w["later_html"][1] <= 15 * 1024
                print(
                    f"   later page HTML   {kb(w['later_html'][0])} raw, {kb(w['later_html'][1])} gz "
                    f"(target ≤ 15 KB): {'met' if ok2 else 'NOT met'}"
                )
                failed |= not (ok and ok2)
            if "time" in parts:
                t = asyncio.run(server_time(fx, player, args.requests))
                s, c = t["server"], t["client"]
                p95 = tp_percentile(s, 0.95)
                print(f"\n2. server time, {len(s)} sequential player pages ({t['bad']} not 200)")
                print(
                    f"   server (Server-Timing) p50 {statistics.median(s):.1f} · p95 {p95:.1f} · "
                    f"p99 {tp_percentile(s, 0.99):.1f} · max {max(s):.1f} ms "
                    f"(target p95 ≤ 50 ms): {'met' if p95 <= 50 else 'NOT met'}"
                )
                print(
                    f"   client (loopback)       p50 {statistics.median(c):.1f} · p95 "
                    f"{tp_percentile(c, 0.95):.1f} ms"
                )
                failed |= p95 > 50 or t["bad"] > 0
            logged = server.logged_errors()
            if logged:
                print(f"   server log: {len(logged)} error lines, e.g. {logged[0]}")

    if "throughput" in parts:
        print(
            f"\n3. throughput ({generator}, {args.connections} connections, {args.warmup} s + {args.duration} s × {args.rounds} rounds)"
        )
        r = throughput(fx, args, generator, page_bytes or 20_000)
        median = {
            name: statistics.median(m.rps for m in runs) for name, runs in r["results"].items()
        }
        errors = sum(m.errors for runs in r["results"].values() for m in runs)
        for name, value in median.items():
            print(f"   {name:<12} {value:8.1f} req/s (median)")
        vs_bare = median["player page"] / median["bare view"]
        vs_plain = median["player page"] / median["plain Django"]
        print(
            f"   player / bare view     {vs_bare:.2f} (target ≥ 0.5): {'met' if vs_bare >= 0.5 else 'NOT met'}"
        )
        print(f"   player / plain Django  {vs_plain:.2f}")
        print(f"   errors {errors}; server log error lines {len(r['logged'])}")
        failed |= errors > 0

    if "load" in parts:
        with owner_connection(fx.tenant_id) as connection:
            before = connection.execute("SELECT count(*) FROM analytics_statement").fetchone()[0]
        load_began = os.getloadavg()[0]
        with Server(player) as server:
            result = asyncio.run(load(fx, player, args.virtual, args.load_seconds))
            logged = server.logged_errors()
        with owner_connection(fx.tenant_id) as connection:
            after = connection.execute("SELECT count(*) FROM analytics_statement").fetchone()[0]
        statuses, failures = result["statuses"], result["failures"]
        total = sum(statuses.values()) + sum(failures.values())
        bad = sum(v for k, v in statuses.items() if k >= 400) + sum(failures.values())
        lat, srv = result["latencies"], result["server"]
        print(
            f"\n4. load: {args.virtual} virtual learners, {result['elapsed']:.0f} s, no think time"
        )
        print(f"   load avg before {load_began:.2f}")
        print(
            f"   requests {total:,} ({total / result['elapsed']:.0f}/s); answers posted {result['answers']:,}"
        )
        print(f"   statuses {dict(sorted(statuses.items()))}; connection errors {failures or 0}")
        if lat:
            print(
                f"   client latency p50 {statistics.median(lat):.0f} · p95 {tp_percentile(lat, 0.95):.0f} ms; "
                f"server time p50 {statistics.median(srv):.1f} · p95 {tp_percentile(srv, 0.95):.1f} ms"
            )
        print(
            f"   statements stored during the run {after - before:,}; server log error lines {len(logged)}"
        )
        if logged:
            print(f"   e.g. {logged[0]}")
        print(f"   errors {bad} (target 0): {'met' if bad == 0 else 'NOT met'}")
        failed |= bad > 0
    print(f"\nload avg    {' / '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
