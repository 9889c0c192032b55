"""``make bench``: seed a large data set on PostgreSQL, serve the app and the framework floor under
the same gunicorn settings, drive each target in turn with wrk, and write the results.

Settings come from the environment: BENCH_DATABASE_URL (default the local ``bench`` database,
dropped and rebuilt by the migrations), BENCH_REDIS_URL, BENCH_PORT (the app; the floor uses the
next port), BENCH_WORKERS (2), BENCH_CONNECTIONS (16), BENCH_DURATION (10 s), BENCH_WARMUP (2 s),
BENCH_ROUNDS (1: how many times each target is measured; the table shows medians), BENCH_ONLY
(a substring of target names), BENCH_THREADS (1: sync workers; more: gthread workers).

``bench/provisioning_throughput.py`` (issue 4), when present, is run last with BENCH_DATABASE_URL
and BENCH_REDIS_URL; it derives stores of its own from them (``<name>_provisioning``, and another
Redis database: BENCH_PROVISIONING_REDIS_URL, else the server's last), so the pages' data
survives it. It prints one JSON object, with ``ratio`` (provisioning on the app's worker class /
no-op jobs on RQ's default worker) and ``ratio_same_class`` in each of its ``results``, compared
with the goal of half the no-op job's throughput on RQ's default worker.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from bench.browser import USER_AGENT, Session, run_steps_once
from bench.report import markdown
from bench.servers import ROOT, Server, cores, run_wrk, start_gunicorn
from bench.targets import TARGETS, Step, Target

RESULTS = ROOT / "bench" / "results"
LUA_TEMPLATE = (ROOT / "bench" / "wrk_script.lua.tmpl").read_text()


def settings() -> dict:
    env = os.environ
    return dict(
        database_url=env.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench"),
        redis_url=env.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
        port=int(env.get("BENCH_PORT", "5103")),
        workers=int(env.get("BENCH_WORKERS", "2")),
        threads=int(env.get("BENCH_THREADS", "1")),
        connections=int(env.get("BENCH_CONNECTIONS", "16")),
        duration_s=float(env.get("BENCH_DURATION", "10")),
        rounds=int(env.get("BENCH_ROUNDS", "1")),
        warmup_s=float(env.get("BENCH_WARMUP", "2")),
        only=env.get("BENCH_ONLY", ""),
        server_core=cores()[0],
        load_core=cores()[1],
    )


def prepare_database(config: dict) -> dict:
    """Drops and rebuilds the schema with the migrations, then loads demo and benchmark data."""
    import psycopg

    url = config["database_url"].replace("postgresql+psycopg://", "postgresql://")
    server_url, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": config["redis_url"]}
    flask = [sys.executable, "-m", "flask", "--app", "app:create_app"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.monotonic()
    os.environ.update(DATABASE_URL=url, REDIS_URL=config["redis_url"])
    from app import create_app
    from app.core.demo_data import seed_demo
    from app.extensions import db
    from bench.seed import seed_large

    app = create_app()
    with app.app_context():
        seed_demo()
        counts = seed_large(datetime.now(timezone.utc).replace(tzinfo=None), buyers=config["connections"])
        from sqlalchemy import text

        db.session.execute(text("ANALYZE"))
        db.session.commit()
        counts["plan_term_id"] = _a_plan_term(counts["product_slug"], "customer")
        counts["reseller_plan_term_id"] = _a_plan_term(counts["product_slug"], "reseller")
        counts.update(api_data(app, counts["reseller_plan_term_id"]))
        db.engine.dispose()
    counts["seconds"] = time.monotonic() - started
    return counts


def api_data(app, plan_term_id: int) -> dict:
    """A write API key of Reseller One's administrator, and the body of an order of one plan
    term for itself as its quote says (fingerprint and terms to accept)."""
    from app.accounts.models import User
    from app.api.keys import create_key
    from app.core.clock import current_now
    from app.extensions import db
    from bench.targets import RESELLER
    from sqlalchemy import select

    admin = db.session.scalar(select(User).where(User.email == RESELLER))
    token = create_key(admin.organisation, "bench", "write", admin, current_now()).secret
    db.session.commit()
    lines = [{"plan_term_id": plan_term_id}]
    quote = app.test_client().post("/api/v1/orders/quote", json={"lines": lines},
                                   headers={"Authorization": f"Bearer {token}"}).get_json()
    if "quote" not in quote:
        raise RuntimeError(f"the bench's API order cannot be quoted: {quote}")
    body = {"lines": lines, "fingerprint": quote["quote"]["fingerprint"],
            "accepted_terms": [terms["token"] for terms in quote["terms"]]}
    return {"api_key": token, "api_order_body": json.dumps(body)}


def _a_plan_term(slug: str, audience: str) -> int:
    from sqlalchemy import select

    from app.catalog.models import Plan, PlanTerm, Product
    from app.extensions import db

    return db.session.scalar(select(PlanTerm.id).join(Plan).join(Product)
                             .where(Product.slug == slug, Plan.audience == audience).order_by(PlanTerm.id))


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for this text


def write_script(steps: list[Step], sessions: list[Session], directory: Path) -> Path:
    step_lines = [
        f"  {{method = {_lua_string(s.method)}, path = {_lua_string(s.path)}, "
        f"body = {_lua_string(urllib.parse.urlencode(s.form) if s.method == 'POST' else '')}, "
        f"read_form = {str(s.read_form).lower()}, send_form = {str(s.send_form).lower()}, "
        f"bearer = {_lua_string(s.bearer)}, json = {_lua_string(s.json_body)}}},"
        for s in steps
    ]
    session_lines = [f"  {{cookie = {_lua_string(session.cookie_header())}, csrf = {_lua_string(session.csrf_token)}}},"
                     for session in sessions]
    script = directory / f"script-{time.monotonic_ns()}.lua"
    script.write_text(LUA_TEMPLATE.replace("--STEPS--", "\n".join(step_lines)).replace("--SESSIONS--", "\n".join(session_lines))
                      .replace("--USER_AGENT--", _lua_string(USER_AGENT)))
    return script


def measure(server: Server, steps: list[Step], sessions: Session | list[Session], config: dict, directory: Path) -> dict:
    """wrk on ``steps``: one connection per session when given several (each its own wrk thread,
    so each keeps its own cookie and form fields), else all connections on the one session."""
    sessions = sessions if isinstance(sessions, list) else [sessions]
    script = write_script(steps, sessions, directory)
    threads = len(sessions) if len(sessions) > 1 else 1
    if config["warmup_s"] > 0:
        run_wrk(server.base_url, script, config["warmup_s"], config["connections"], threads)
    cpu_before = server.cpu_seconds()
    stats = run_wrk(server.base_url, script, config["duration_s"], config["connections"], threads)
    cpu = server.cpu_seconds() - cpu_before
    requests = max(1, stats["requests"])
    return dict(rps=stats["requests"] / (stats["duration_us"] / 1e6), p50_ms=stats["p50_us"] / 1000,
                p99_ms=stats["p99_us"] / 1000, max_ms=stats["max_us"] / 1000, cpu_ms=cpu * 1000 / requests,
                requests=stats["requests"], errors=sum(stats["errors"].values()), bytes_per_request=stats["bytes"] / requests,
                error_kinds={kind: count for kind, count in stats["errors"].items() if count})


def _resolved(steps: tuple[Step, ...], data: dict) -> list[Step]:
    values = {"product": data["product_slug"], "plan_term": str(data["plan_term_id"]),
              "reseller_plan_term": str(data.get("reseller_plan_term_id")),
              "customer_subscription": str(data.get("customer_subscription_id")),
              "reseller_customer": str(data.get("customer_a_id"))}
    return [replace(step, path=step.path.format(**values), form={k: v.format(**values) for k, v in step.form.items()},
                    json_body=data.get(step.json_body, "") if step.json_body else "",
                    bearer=data.get("api_key", "") if step.api else "")
            for step in steps]


def _goal(target: Target) -> str:
    parts = []
    if target.floor_share:
        parts.append(f"≥ {target.floor_share:.0%} of floor")
    if target.p99_budget_ms:
        parts.append(f"p99 ≤ {target.p99_budget_ms:.0f} ms")
    return ", ".join(parts) or "—"


def _sessions_of(target: Target, server: Server, config: dict, sessions: dict) -> list[Session]:
    from bench.seed import bench_buyer

    users = [bench_buyer(n) for n in range(config["connections"])] if target.buyer_per_connection else [target.user]
    for user in users:
        if user not in sessions:
            sessions[user] = Session(server.base_url, user)
    return [sessions[user] for user in users]


def run_target(target: Target, server: Server, data: dict, config: dict, sessions: dict, directory: Path) -> dict:
    """One measurement of a target (set-up steps run before its first)."""
    row = dict(name=target.name, goal=_goal(target))
    steps = _resolved(target.steps, data)
    try:
        target_sessions = _sessions_of(target, server, config, sessions)
    except RuntimeError as refused:
        row["failed"] = str(refused)
        return row
    setup = [] if target.name in sessions.setdefault("set up", set()) else _resolved(target.setup, data)
    sessions["set up"].add(target.name)  # once per run, also when a target is measured in several rounds
    for step in setup + [None]:
        # The set-up steps, then the steps once as wrk will send them: a path this build does not
        # have is skipped; any other refusal fails the target.
        refused = run_steps_once(target_sessions[0], [step] if step else steps)
        if refused is not None:
            status, what = refused
            row["skipped" if status in (404, 405) else "failed"] = f"{what} answers {status} in this build"
            return row
    if target.connections:
        config = {**config, "connections": target.connections}
    row.update(measure(server, steps, target_sessions if target.buyer_per_connection else target_sessions[0], config, directory))
    return row


MEDIAN_FIGURES = ("rps", "p50_ms", "p99_ms", "max_ms", "cpu_ms", "bytes_per_request")


def combined(measured: list[dict]) -> dict:
    """One row from a target's rounds: the median of each figure, the errors added up."""
    row = dict(measured[0])
    if "rps" not in row:
        return row
    for figure in MEDIAN_FIGURES:
        row[figure] = statistics.median(m[figure] for m in measured)
    row["requests"] = sum(m["requests"] for m in measured)
    row["errors"] = sum(m["errors"] for m in measured)
    row["error_kinds"] = {kind: sum(m["error_kinds"].get(kind, 0) for m in measured)
                          for kind in {kind for m in measured for kind in m["error_kinds"]}}
    row["rounds_rps"] = [round(m["rps"], 1) for m in measured]
    return row


def judged(row: dict, target: Target, floor_rps: float) -> dict:
    if "rps" not in row:
        return row
    row["floor_ratio"] = row["rps"] / floor_rps
    misses = []
    if target.floor_share and row["floor_ratio"] < target.floor_share:
        misses.append("req/s")
    if target.p99_budget_ms and row["p99_ms"] > target.p99_budget_ms:
        misses.append("p99")
    if row["errors"]:
        misses.append("errors")
    if not row["requests"]:  # nothing answered within wrk's time-out: no figure to judge
        misses.append("no request answered")
    row["verdict"] = "MISS: " + ", ".join(misses) if misses else "ok"
    return row


def provisioning(config: dict) -> dict | None:
    """Runs bench/provisioning_throughput.py (issue 4) after the pages, on the same servers: it
    rebuilds a database and empties a Redis database of its own, never the pages'."""
    script = ROOT / "bench" / "provisioning_throughput.py"
    if not script.exists():
        return None
    env = {**os.environ, "BENCH_DATABASE_URL": config["database_url"], "BENCH_REDIS_URL": config["redis_url"]}
    output = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=2400)
    try:
        result = json.loads(output.stdout[output.stdout.index("{"):])
    except ValueError:
        return {"summary": f"failed (exit {output.returncode}): {output.stderr.strip()[-300:]}"}
    rounds = result.get("results") or [result]
    parts = []
    for round_ in rounds:
        ratio = round_.get("ratio")
        if ratio is None and round_.get("noop_per_second"):
            ratio = round_.get("provisioning_per_second", 0) / round_["noop_per_second"]
        if ratio is None:
            continue
        workers = f"{round_['workers']} worker(s): " if "workers" in round_ else ""
        same_class = (f"; {round_['ratio_same_class']:.0%} of no-op jobs on the same class ({round_['noop_same_class_per_second']}/s)"
                      if "ratio_same_class" in round_ else "")
        parts.append(f"{workers}{round_.get('provisioning_per_second', '?')} requests/s against {round_.get('noop_per_second', '?')} "
                     f"no-op jobs/s on RQ's default worker = {ratio:.0%} ({'ok' if ratio >= 0.5 else 'MISS'}; goal ≥ 50 %)"
                     f"{same_class}")
    result["summary"] = "; ".join(parts) or json.dumps(result)
    return result


def main() -> int:
    config = settings()
    started_at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    print(f"Seeding {config['database_url'].rsplit('/', 1)[-1]} …", flush=True)
    data = prepare_database(config)
    print(f"Seeded in {data['seconds']:.1f} s: {data['products']} products, {data['subscriptions']} subscriptions", flush=True)
    env = {"DATABASE_URL": config["database_url"], "REDIS_URL": config["redis_url"], "SECRET_KEY": "bench-secret-key"}
    servers: list[Server] = []
    try:
        app_server = start_gunicorn("app", "app:create_app()", config["port"], config["workers"], env, "/sign-in",
                                    config["threads"])
        servers.append(app_server)
        page_bytes = len(urllib.request.urlopen(app_server.base_url + "/catalog/").read())
        floor_server = start_gunicorn("floor", "bench.floor_app:app", config["port"] + 1, config["workers"],
                                      {"FLOOR_PAGE_BYTES": str(page_bytes)}, threads=config["threads"])
        servers.append(floor_server)
        targets = [t for t in TARGETS if not config["only"] or config["only"] in t.name]
        measured: dict[str, list[dict]] = {t.name: [] for t in targets}
        with tempfile.TemporaryDirectory(prefix="bench-") as directory:
            anonymous_floor = Session(floor_server.base_url, None)
            floors = [measure(floor_server, [Step("/")], anonymous_floor, config, Path(directory))]
            print(f"floor: {floors[-1]['rps']:.0f} req/s", flush=True)
            sessions: dict = {}
            for number in range(config["rounds"]):
                # The pages in turn, then the floor again: each round is compared with the floor
                # measured around it, and the table takes medians (figures drift on shared machines).
                for target in targets:
                    if measured[target.name] and "rps" not in measured[target.name][0]:
                        continue  # skipped or failed in the first round
                    row = run_target(target, app_server, data, config, sessions, Path(directory))
                    measured[target.name].append(row)
                    print(f"[{number + 1}/{config['rounds']}] {target.name}: " + (row.get("skipped") or row.get("failed") or
                          f"{row['rps']:.0f} req/s, p99 {row['p99_ms']:.1f} ms, {row['cpu_ms']:.2f} ms CPU"), flush=True)
                floors.append(measure(floor_server, [Step("/")], anonymous_floor, config, Path(directory)))
                print(f"floor: {floors[-1]['rps']:.0f} req/s", flush=True)
        floor_rps = statistics.median(f["rps"] for f in floors)
        rows = [judged(combined(measured[t.name]), t, floor_rps) for t in targets]
        # Each worker's resident memory once every target has run (what a worker grows to).
        memory = dict(app_workers_kib=app_server.worker_rss_kib(), floor_workers_kib=floor_server.worker_rss_kib())
    finally:
        for server in servers:
            server.stop()
    result = dict(
        started_at=started_at, machine=f"{platform.machine()}, {os.cpu_count()} cores, {_cpu_model()}",
        settings={k: v for k, v in config.items() if k not in ("database_url", "redis_url", "only")},
        data={k: v for k, v in data.items()},
        floor=dict(page_bytes=page_bytes, measurements=floors, rps=floor_rps,
                   cpu_ms=statistics.median(f["cpu_ms"] for f in floors)),
        targets=rows, memory=memory, provisioning=provisioning(config),
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for name in (f"{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(result, indent=2))
    table = markdown(result)
    (RESULTS / "latest.md").write_text(table)
    print("\n" + table)
    return 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
