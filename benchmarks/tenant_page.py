"""Requests per second of a signed-in tenant page versus bare Django views.

All are served by gunicorn with the same settings (sync workers, same count, same bind)
and loaded by the same generator with the same concurrency. Two yardsticks, both reported:

- plain: a stock Django project's signed-in page (session, auth, CSRF, a template) with no
  EGL layer (benchmarks/plain/). tenant / plain is what tenancy costs: target ≥ 0.6.
- bare: a view that does no work at all (benchmarks/bare/), for reference: it shows what
  any signed-in page costs, with or without EGL.

See docs/benchmarks.md for exactly what each means, and the results.

The tenant page: GET / on acme.localhost as learner@acme.test, through the whole
middleware stack (tenant from host, Redis-cached session, user and membership from
PostgreSQL with row-level security, CSRF, locale, CSP nonce, messages, htmx) and the
template. The bare view: benchmarks/bare/, one middleware, no database, a precomputed
page of the same number of bytes.

Needs PostgreSQL and Redis (the demo database is migrated and seeded first):

    . /tmp/pgenv   # or: export DATABASE_URL=postgres://egl_app:…/egl DATABASE_OWNER_URL=… REDIS_URL=redis://…
    .venv/bin/python benchmarks/tenant_page.py [--workers 2] [--duration 10] [--rounds 3]

The load generator is wrk when it is installed (apt-get install wrk), else a small
Python one (threads, http.client, a new connection per request as gunicorn's sync
workers close them anyway). Python's resolver does not resolve *.localhost, so every
request goes to 127.0.0.1 with a Host header.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
LEARNER = "learner@acme.test"
TENANT_HOST = "acme.localhost"


@dataclass
class Target:
    name: str
    port: int
    host: str
    cookie: str
    command: list[str]
    env: dict[str, str]
    cwd: Path


@dataclass
class Measurement:
    rps: float
    requests: int
    errors: int
    p50_ms: float | None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn sync workers (both servers)"
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent client connections")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load first")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds; the median counts"
    )
    parser.add_argument(
        "--port", type=int, default=8901, help="tenant server port; bare uses port+1, plain port+2"
    )
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="cap per run (Python generator)"
    )
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-seed", action="store_true", help="skip migrate and seed_demo")
    return parser.parse_args()


def require_environment() -> None:
    problems = []
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL must point at PostgreSQL (the application role)")
    if not os.environ.get("REDIS_URL"):
        problems.append("REDIS_URL must point at Redis (cache and sessions)")
    if problems:
        sys.exit("benchmark needs PostgreSQL and Redis: " + "; ".join(problems))


def server_env(**extra: str) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "PYTEST"))
    }
    env.update({"DEBUG": "false", "EGL_HTTPS": "false", "PYTHONDONTWRITEBYTECODE": "1", **extra})
    return env


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=server_env(), check=True)


def session_cookie() -> str:
    """A real session for the learner, stored where the server looks (Redis, acme's namespace)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egl_platform.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from tenants.models import Tenant, User
    from tenants.tenancy import tenant_scope

    tenant = Tenant.objects.get(slug="acme")
    client = Client(HTTP_HOST=TENANT_HOST)
    with tenant_scope(tenant):  # the session key carries the tenant, as in a request on its host
        client.force_login(User.objects.get(email=LEARNER))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def plain_database_url() -> str:
    """The owner's URL with the database renamed: the plain project's own database."""
    owner = os.environ.get("DATABASE_OWNER_URL") or os.environ["DATABASE_URL"]
    return owner.rsplit("/", 1)[0] + "/egl_bench_plain"


def prepare_plain(page_bytes: int) -> tuple[dict[str, str], str]:
    """Create, migrate and sign in to the plain project's database; its env and cookie."""
    import psycopg

    url = plain_database_url()
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = 'egl_bench_plain'"
        ).fetchone()
        if not exists:
            connection.execute("CREATE DATABASE egl_bench_plain")
    env = server_env(
        DJANGO_SETTINGS_MODULE="plain.settings",
        PLAIN_DATABASE_URL=url,
        PLAIN_PAGE_BYTES=str(page_bytes),
    )
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0"], cwd=BENCHMARKS, env=env, check=True
    )
    sign_in = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.contrib.auth.models import User\n"
        "from django.test import Client\n"
        f"user = User.objects.filter(username={LEARNER!r}).first() or User.objects.create_user({LEARNER!r}, first_name='Emma', last_name='Visser')\n"
        "client = Client()\n"
        "client.force_login(user)\n"
        "print(settings.SESSION_COOKIE_NAME + '=' + client.cookies[settings.SESSION_COOKIE_NAME].value)\n"
    )
    cookie = subprocess.run(
        [sys.executable, "-c", sign_in],
        cwd=BENCHMARKS,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return env, cookie


def gunicorn(app: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", app,
        "--workers", str(workers), "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--backlog", "2048",
        "--log-level", "warning",
    ]  # fmt: skip


def fetch(target: Target) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=10)
    try:
        headers = {"Host": target.host}
        if target.cookie:
            headers["Cookie"] = target.cookie
        connection.request("GET", "/", headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start(target: Target) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(target.command, cwd=target.cwd, env=target.env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{target.name}: gunicorn exited with {process.returncode}")
        try:
            fetch(target)
            return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    sys.exit(f"{target.name}: gunicorn did not answer within 30 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- load generators ---------------------------------------------------------------------------


def run_wrk(target: Target, seconds: int, connections: int) -> Measurement:
    command = [
        "wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency",
        "-H", f"Host: {target.host}", f"http://127.0.0.1:{target.port}/",
    ]  # fmt: skip
    if target.cookie:
        command[-1:-1] = ["-H", f"Cookie: {target.cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    # Read errors are how wrk counts gunicorn's sync workers closing each connection: not failures.
    errors += int(socket_errors.group(1)) + int(socket_errors.group(4)) if socket_errors else 0
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", output)
    p50_ms = None
    if p50:
        p50_ms = float(p50.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
    return Measurement(rps, requests, errors, p50_ms)


def run_python(target: Target, seconds: int, connections: int, max_requests: int) -> Measurement:
    done, errors, latencies = 0, 0, []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        nonlocal done, errors
        mine: list[float] = []
        while time.monotonic() < stop_at:
            with lock:
                if done + errors >= max_requests:
                    break
            began = time.perf_counter()
            try:
                status, _body = fetch(target)
                ok = status == 200
            except OSError:
                ok = False
            mine.append(time.perf_counter() - began)
            with lock:
                if ok:
                    done += 1
                else:
                    errors += 1
        with lock:
            latencies.extend(mine)

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    p50 = statistics.median(latencies) * 1000 if latencies else None
    return Measurement(done / elapsed, done + errors, errors, p50)


def measure(target: Target, args: argparse.Namespace, generator: str) -> Measurement:
    if generator == "wrk":
        run_wrk(target, args.warmup, args.connections)
        return run_wrk(target, args.duration, args.connections)
    run_python(target, args.warmup, args.connections, args.max_requests)
    return run_python(target, args.duration, args.connections, args.max_requests)


# --- main ------------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}"


def versions() -> str:
    import django

    parts = [f"Python {platform.python_version()}", f"Django {django.get_version()}"]
    try:
        import gunicorn as gunicorn_module

        parts.append(f"gunicorn {gunicorn_module.__version__}")
    except ImportError:
        pass
    try:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            parts.append(f"PostgreSQL {cursor.fetchone()[0].split()[0]}")
    except Exception:  # noqa: S110  (a version string is a nicety)
        pass
    return ", ".join(parts)


def main() -> None:
    args = parse_args()
    require_environment()
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"
    if not args.no_seed:
        manage("migrate", "--noinput", "-v0")
        manage("seed_demo", "-v0")
    cookie = session_cookie()

    tenant_port, bare_port, plain_port = args.port, args.port + 1, args.port + 2
    for port in (tenant_port, bare_port, plain_port):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                sys.exit(f"port {port} is in use; pass --port")

    tenant = Target(
        name="tenant page",
        port=tenant_port,
        host=f"{TENANT_HOST}:{tenant_port}",
        cookie=cookie,
        command=gunicorn("egl_platform.wsgi:application", tenant_port, args.workers),
        env=server_env(
            DJANGO_SETTINGS_MODULE="egl_platform.settings", EGL_PUBLIC_PORT=str(tenant_port)
        ),
        cwd=ROOT,
    )
    # Check the page is the signed-in page, and learn its size for the bare page.
    process = start(tenant)
    try:
        status, body = fetch(tenant)
    finally:
        stop(process)
    if status != 200 or b"Welcome" not in body:
        sys.exit(
            f"the tenant page is not the signed-in home page (HTTP {status}); see the server output"
        )
    bare = Target(
        name="bare view",
        port=bare_port,
        host=f"127.0.0.1:{bare_port}",
        cookie="",
        command=gunicorn("bare.wsgi:application", bare_port, args.workers),
        env=server_env(DJANGO_SETTINGS_MODULE="bare.settings", BARE_PAGE_BYTES=str(len(body))),
        cwd=BENCHMARKS,
    )

    plain_env, plain_cookie = prepare_plain(len(body))
    plain = Target(
        name="plain Django",
        port=plain_port,
        host=f"127.0.0.1:{plain_port}",
        cookie=plain_cookie,
        command=gunicorn("plain.wsgi:application", plain_port, args.workers),
        env=plain_env,
        cwd=BENCHMARKS,
    )
    process = start(plain)
    try:
        plain_status, plain_body = fetch(plain)
    finally:
        stop(process)
    if plain_status != 200 or b"Welcome, Emma Visser" not in plain_body:
        sys.exit(f"the plain page is not its signed-in page (HTTP {plain_status})")

    load_before = os.getloadavg()[0]
    targets = (tenant, plain, bare)
    results: dict[str, list[Measurement]] = {target.name: [] for target in targets}
    for round_number in range(1, args.rounds + 1):
        for target in targets if round_number % 2 else tuple(reversed(targets)):
            process = start(target)
            try:
                result = measure(target, args, generator)
            finally:
                stop(process)
            results[target.name].append(result)
            print(
                f"round {round_number} {target.name:<12} {result.rps:9.1f} req/s  "
                f"({result.requests} requests, {result.errors} errors"
                + (f", p50 {result.p50_ms:.1f} ms)" if result.p50_ms is not None else ")")
            )

    median = {name: statistics.median(m.rps for m in runs) for name, runs in results.items()}
    errors = sum(m.errors for runs in results.values() for m in runs)
    ratio = median[tenant.name] / median[plain.name]
    bare_ratio = median[tenant.name] / median[bare.name]
    print()
    print(f"date        {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine     {machine()}")
    print(f"software    {versions()}")
    print(
        f"settings    gunicorn --workers {args.workers} --worker-class sync; {generator}, "
        f"{args.connections} connections, {args.warmup} s warm-up + {args.duration} s x {args.rounds} rounds"
    )
    print(f"page size   {len(body)} bytes (plain {len(plain_body)}, bare padded alike)")
    busy = load_before > 0.5
    print(
        f"load        {load_before:.2f} before (1-minute average)"
        + ("  BUSY: other work shares the CPUs, the numbers are low and noisy" if busy else "")
    )
    print(f"tenant page  {median[tenant.name]:9.1f} req/s (median)")
    print(f"plain Django {median[plain.name]:9.1f} req/s (median)")
    print(f"bare view    {median[bare.name]:9.1f} req/s (median)")
    print(
        f"ratio        {ratio:.2f} tenant / plain Django (target >= 0.60){'' if ratio >= 0.6 else '  BELOW TARGET'}"
    )
    print(f"reference    {bare_ratio:.2f} tenant / bare view (no work at all)")
    if errors:
        print(f"errors      {errors} failed requests: the numbers are not trustworthy")
        sys.exit(1)


if __name__ == "__main__":
    main()
