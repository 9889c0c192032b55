"""Provisioning throughput beside a no-op RQ job's, on the same Redis, with 1 and 2 workers.

    .venv/bin/python bench/provisioning_throughput.py [--requests 1000] [--workers 1 2]

Each round starts N ``flask worker provisioning`` processes, enqueues the jobs, and measures
from the first enqueue until the last one finished: fulfillment requests on the demo vendor
with zero latency (claim, vendor call, outcome, subscription activated, outbox message), then
the same number of no-op jobs. Prints JSON; ``ratio`` = provisioning / no-op throughput.

BENCH_DATABASE_URL (default: a fresh SQLite file in a temporary folder) and BENCH_REDIS_URL
(default redis://127.0.0.1:6379/14, flushed) choose the stores.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-provisioning-") as directory:
        os.environ.update(
            DATABASE_URL=os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(directory) / 'bench.sqlite3'}",
            REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
            SECRET_KEY="bench", DEMO_VENDOR_LATENCY="0",
        )
        print(json.dumps(run(options.requests, options.workers, Path(directory)), indent=2))


def run(count: int, worker_counts: list[int], directory: Path) -> dict:
    from flask_migrate import upgrade

    from app import create_app
    from app.config import Config

    app = create_app(Config(instance_path=directory))
    with app.app_context():
        from app.extensions import db

        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        plan = _catalog()
        results = []
        for workers in worker_counts:
            provisioning = _round(app, workers, count, lambda: _provisioning_jobs(plan, count))
            noop = _round(app, workers, count, lambda: [("app.worker.noop_job", ())] * count)
            results.append({"workers": workers, "provisioning_per_second": round(provisioning, 1),
                            "noop_per_second": round(noop, 1), "ratio": round(provisioning / noop, 3)})
        return {"requests": count, "database": db.engine.dialect.name, "connector_latency_seconds": 0,
                "results": results}


def _catalog():
    from app.accounts.models import Organisation
    from app.catalog.models import Category, Marketplace, Plan, PlanTerm, PlanTermPrice, PriceList, Product
    from app.extensions import db

    marketplace = Marketplace(code="US", name="US", country="US", currency="USD", locale="en_US", tax_rate_bp=0)
    distributor = Organisation(name="Distributor", kind="distributor")
    customer = Organisation(name="Customer", kind="customer", parent=distributor, marketplace=marketplace)
    product = Product(slug="bench", name="Bench", vendor="Bench", category=Category(slug="bench", name="Bench"),
                      connector="demo", connector_settings={"latency": 0})
    plan = Plan(product=product, code="bench", name="Bench plan", audience="customer")
    term = PlanTerm(plan=plan, code="monthly", name="Monthly", period_months=1, billing_frequency_months=1)
    prices = PriceList(seller=distributor, marketplace=marketplace)
    db.session.add_all([marketplace, distributor, customer, product, plan, term, prices,
                        PlanTermPrice(price_list=prices, plan_term=term, cost=800, msrp=1000)])
    db.session.commit()
    return plan


def _provisioning_jobs(plan, count: int) -> list:
    """``count`` placed orders handed off while no job may reach Redis; returns their jobs."""
    from app.accounts.models import Organisation
    from app.extensions import db
    from app.orders.models import Order, OrderLine
    from app.plans.models import Subscription
    from app.provisioning.dispatch import JOB_FUNCTION, SESSION_KEY
    from app.provisioning.handoff import hand_off

    customer = db.session.query(Organisation).filter_by(kind="customer").one()
    term, marketplace = plan.terms[0], customer.marketplace
    start = db.session.query(Order).count()
    for number in range(start, start + count):
        subscription = Subscription(owner=customer, payer=customer, plan=plan, plan_term=term, marketplace=marketplace, currency="USD")
        order = Order(number=f"BENCH-{number:06d}", buyer=customer, marketplace=marketplace, currency="USD", idempotency_key=f"bench-{number}")
        order.lines = [OrderLine(position=1, plan_term=term, beneficiary=customer, subscription=subscription)]
        db.session.add(order)
        hand_off(order)
    jobs = db.session.info.pop(SESSION_KEY)
    db.session.commit()
    return [(JOB_FUNCTION, (request_id,), job_id) for request_id, job_id, _ in jobs]


def _round(app, workers: int, count: int, make_jobs) -> float:
    """Jobs per second for ``count`` jobs with ``workers`` worker processes."""
    from rq import Queue, Worker
    from rq.registry import FinishedJobRegistry

    from app.queue import redis_connection

    connection = redis_connection(app.config["REDIS_URL"])
    connection.flushdb()
    jobs = make_jobs()
    command = [sys.executable, "-m", "flask", "--app", "app:create_app", "worker", "provisioning"]
    processes = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
    try:
        while len(Worker.all(connection=connection)) < workers:
            time.sleep(0.05)
        queue = Queue("provisioning", connection=connection)
        finished = FinishedJobRegistry("provisioning", connection=connection)
        started = time.perf_counter()
        for function, args, *job_id in jobs:
            queue.enqueue(function, *args, job_id=job_id[0] if job_id else None, job_timeout=60, result_ttl=3600)
        while finished.count < count:
            if time.perf_counter() - started > 600:
                raise SystemExit(f"only {finished.count} of {count} jobs finished in 600 s")
            time.sleep(0.02)
        return count / (time.perf_counter() - started)
    finally:
        for process in processes:
            process.terminate()  # warm shutdown: the queue is empty
        for process in processes:
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
