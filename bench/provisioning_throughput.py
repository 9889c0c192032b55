"""Provisioning throughput beside a no-op RQ job's, on the same Redis, with 1 and 2 workers.

    .venv/bin/python bench/provisioning_throughput.py [--requests 1000] [--workers 1 2]

Each round starts N ``flask worker provisioning`` processes of one worker class, enqueues the
jobs, and measures from the first enqueue until the last one finished: fulfillment requests on
the demo vendor with zero latency (claim, vendor call, outcome, subscription activated, "new
subscription" message in the outbox with its mail job, order event), or the same number of
no-op jobs. Each is run on the app's worker class (``simple``: RQ's ``SimpleWorker``, jobs in
the worker process) and on RQ's default forking ``Worker`` (``fork``). Besides the rates, each
round reports the worker processes' CPU milliseconds per job (parents and work-horses, from
/proc; PostgreSQL's and Redis's own CPU not included). Prints JSON; ``ratio`` = provisioning
on the app's worker class / no-op jobs on RQ's default worker, ``ratio_same_class`` against
no-op jobs on the app's class.

Stores of its own, so the page targets' data survives it:
- database: BENCH_DATABASE_URL names the page targets' one; this script uses
  ``<that name>_provisioning`` on the same server, created when missing, and rebuilds only that
  one (SQLite: a sibling file ``<stem>_provisioning<suffix>``; no URL: a temporary SQLite file);
- Redis: BENCH_PROVISIONING_REDIS_URL, else the last database of BENCH_REDIS_URL's server
  (flushed before each round), never the page targets' database.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APP_CLASS, DEFAULT_CLASS = "simple", "fork"
SUFFIX = "_provisioning"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-provisioning-") as directory:
        database_url = provisioning_database_url(os.environ.get("BENCH_DATABASE_URL"), Path(directory))
        redis_url = provisioning_redis_url(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
                                           os.environ.get("BENCH_PROVISIONING_REDIS_URL"))
        os.environ.update(DATABASE_URL=database_url, REDIS_URL=redis_url, SECRET_KEY="bench", DEMO_VENDOR_LATENCY="0")
        print(json.dumps(run(options.requests, options.workers, Path(directory)), indent=2))


def provisioning_database_url(page_url: str | None, directory: Path) -> str:
    """The database this benchmark may rebuild: never the page targets' ``page_url`` itself."""
    if not page_url:
        return f"sqlite:///{directory / 'bench.sqlite3'}"
    if page_url.startswith("sqlite:///"):
        path = Path(page_url.removeprefix("sqlite:///"))
        return f"sqlite:///{path.with_name(path.stem + SUFFIX + path.suffix)}"
    import psycopg

    server_url, name = page_url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)
    name = name if name.endswith(SUFFIX) else name + SUFFIX
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"


def provisioning_redis_url(page_url: str, explicit: str | None) -> str:
    """``explicit``, else the last database of ``page_url``'s server (the one below when that is
    the page targets' own): this benchmark flushes it."""
    from redis import Redis

    if explicit:
        if explicit.rstrip("/") == page_url.rstrip("/"):
            raise SystemExit("BENCH_PROVISIONING_REDIS_URL must not be the page targets' BENCH_REDIS_URL (it is flushed)")
        return explicit
    server_url, _, page_db = page_url.rstrip("/").rpartition("/")
    if not page_db.isdigit():
        server_url, page_db = page_url.rstrip("/"), "0"
    try:
        databases = int(Redis.from_url(page_url).config_get("databases")["databases"])
    except Exception:  # CONFIG may be refused: Redis's default count
        databases = 16
    last = databases - 1 if databases - 1 != int(page_db) else databases - 2
    return f"{server_url}/{last}"


def run(count: int, worker_counts: list[int], directory: Path) -> dict:
    from flask_migrate import upgrade

    from app import create_app
    from app.config import Config

    app = create_app(Config(instance_path=directory))
    with app.app_context():
        from app.extensions import db

        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            assert db.engine.url.database.endswith(SUFFIX), "only the benchmark's own database is rebuilt"
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        plan = _catalog()
        results = []
        for workers in worker_counts:
            measured = {
                ("provisioning", APP_CLASS): _round(app, workers, count, APP_CLASS, lambda: _provisioning_jobs(plan, count)),
                ("noop", APP_CLASS): _round(app, workers, count, APP_CLASS, lambda: _noop_jobs(count)),
                ("provisioning", DEFAULT_CLASS): _round(app, workers, count, DEFAULT_CLASS,
                                                        lambda: _provisioning_jobs(plan, count)),
                ("noop", DEFAULT_CLASS): _round(app, workers, count, DEFAULT_CLASS, lambda: _noop_jobs(count)),
            }
            provisioning = measured[("provisioning", APP_CLASS)]["per_second"]
            results.append({
                "workers": workers, "worker_class": APP_CLASS,
                "provisioning_per_second": provisioning,
                "noop_per_second": measured[("noop", DEFAULT_CLASS)]["per_second"],
                "ratio": round(provisioning / measured[("noop", DEFAULT_CLASS)]["per_second"], 3),
                "noop_same_class_per_second": measured[("noop", APP_CLASS)]["per_second"],
                "ratio_same_class": round(provisioning / measured[("noop", APP_CLASS)]["per_second"], 3),
                "rounds": [{"jobs": jobs, "worker_class": worker_class, **figures}
                           for (jobs, worker_class), figures in measured.items()],
            })
        return {"requests": count, "database": db.engine.dialect.name, "connector_latency_seconds": 0,
                "app_worker_class": APP_CLASS, "default_worker_class": DEFAULT_CLASS, "results": results}


def _catalog():
    from app.accounts.models import Organisation, User
    from app.catalog.models import Category, Marketplace, Plan, PlanTerm, PlanTermPrice, PriceList, Product
    from app.extensions import db

    marketplace = Marketplace(code="US", name="US", country="US", currency="USD", locale="en_US", tax_rate_bp=0)
    distributor = Organisation(name="Distributor", kind="distributor")
    customer = Organisation(name="Customer", kind="customer", parent=distributor, marketplace=marketplace)
    buyer = User(email="buyer@bench.example", name="Bench Buyer", organisation=customer, role="admin",
                 password_hash="!")  # never signs in: it places the orders, so their messages have a recipient
    product = Product(slug="bench", name="Bench", vendor="Bench", category=Category(slug="bench", name="Bench"),
                      connector="demo", connector_settings={"latency": 0})
    plan = Plan(product=product, code="bench", name="Bench plan", audience="customer")
    term = PlanTerm(plan=plan, code="monthly", name="Monthly", period_months=1, billing_frequency_months=1)
    prices = PriceList(seller=distributor, marketplace=marketplace)
    db.session.add_all([marketplace, distributor, customer, buyer, product, plan, term, prices,
                        PlanTermPrice(price_list=prices, plan_term=term, cost=800, msrp=1000)])
    db.session.commit()
    return plan


def _provisioning_jobs(plan, count: int) -> list:
    """``count`` placed orders handed off while no job may reach Redis; returns their jobs."""
    from app.accounts.models import Organisation, User
    from app.extensions import db
    from app.orders.models import Order, OrderLine
    from app.plans.models import Subscription
    from app.provisioning.dispatch import JOB_FUNCTION, SESSION_KEY
    from app.provisioning.handoff import hand_off

    customer = db.session.query(Organisation).filter_by(kind="customer").one()
    buyer = db.session.query(User).filter_by(organisation_id=customer.id).one()
    term, marketplace = plan.terms[0], customer.marketplace
    start = db.session.query(Order).count()
    for number in range(start, start + count):
        subscription = Subscription(owner=customer, payer=customer, plan=plan, plan_term=term, marketplace=marketplace, currency="USD")
        order = Order(number=f"BENCH-{number:06d}", buyer=customer, placed_by=buyer, marketplace=marketplace, currency="USD",
                      idempotency_key=f"bench-{number}")
        order.lines = [OrderLine(position=1, plan_term=term, beneficiary=customer, subscription=subscription)]
        db.session.add(order)
        hand_off(order)
    jobs = db.session.info.pop(SESSION_KEY)
    db.session.commit()
    return [("app.provisioning.jobs.run_fulfillment_request", (request_id,), job_id) for request_id, job_id, _ in jobs]


def _noop_jobs(count: int) -> list:
    return [("app.worker.noop_job", ())] * count


def _cpu_seconds(pids: list[int]) -> float:
    """CPU time of ``pids`` and of their children they have waited for (the work-horses)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


def _round(app, workers: int, count: int, worker_class: str, make_jobs) -> dict:
    """Jobs per second and worker CPU ms per job for ``count`` jobs on ``workers`` processes."""
    from rq import Queue, Worker
    from rq.registry import FinishedJobRegistry

    from app.queue import redis_connection

    connection = redis_connection(app.config["REDIS_URL"])
    connection.flushdb()
    jobs = make_jobs()
    command = [sys.executable, "-m", "flask", "--app", "app:create_app", "worker", "--worker-class", worker_class, "provisioning"]
    processes = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
    try:
        while len(Worker.all(connection=connection)) < workers:
            time.sleep(0.05)
        time.sleep(0.5)  # their schedulers start
        pids = [process.pid for process in processes]
        queue = Queue("provisioning", connection=connection)
        finished = FinishedJobRegistry("provisioning", connection=connection)
        cpu_before = _cpu_seconds(pids)
        started = time.perf_counter()
        for function, args, *job_id in jobs:
            queue.enqueue(function, *args, job_id=job_id[0] if job_id else None, job_timeout=60, result_ttl=3600)
        while finished.count < count:
            if time.perf_counter() - started > 900:
                raise SystemExit(f"only {finished.count} of {count} jobs finished in 900 s")
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        cpu = _cpu_seconds(pids) - cpu_before
        figures = {"per_second": round(count / elapsed, 1), "worker_cpu_ms_per_job": round(cpu * 1000 / count, 2)}
        print(f"{count} jobs on {workers} {worker_class} worker(s): {figures}", file=sys.stderr, flush=True)
        return figures
    finally:
        for process in processes:
            process.terminate()  # warm shutdown: the queue is empty
        for process in processes:
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
