"""``flask`` commands: demo data, the all-in-one development runner, worker and scheduler."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from app.accounts.models import Organisation
from app.core.demo_data import DEMO_LOGINS, DEMO_PASSWORD, seed_demo
from app.core.demo_history import seed_history
from app.extensions import db
from app.queue import redis_connection
from app.worker import QUEUE_NAMES, WORKER_CLASSES, run_scheduler, run_worker

REDIS_HINT = (
    "Redis is not reachable at {url}: background jobs are off. Start it with "
    "`redis-server --daemonize yes --bind 127.0.0.1 --port 6379` and run `make run` again."
)


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(dev_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(scheduler_command)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database holds no organisation yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo distributor, resellers, customers and catalog (safe to run twice)."""
    if if_empty and db.session.scalar(select(func.count(Organisation.id))):
        click.echo("Demo data: the database already has organisations; left as it is.")
        return
    created = seed_demo()
    if created:
        click.echo("Demo data: a year of reseller one's business (orders, renewals, invoices)…")
        seed_history()
    click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")
    click.echo(f"Demo password for every demo user: {DEMO_PASSWORD}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--worker-class", type=click.Choice(sorted(WORKER_CLASSES)), default=None,
              help="simple: jobs run in the worker process; fork: a work-horse per job (default: WORKER_CLASS).")
@click.argument("queues", nargs=-1)
def worker_command(burst: bool, worker_class: str | None, queues: tuple[str, ...]) -> None:
    """Run an RQ worker (with RQ's scheduler for delayed retries) in the app context."""
    run_worker(current_app._get_current_object(), queues or QUEUE_NAMES, burst=burst, worker_class_name=worker_class)


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the periodic duties (renewals, expiries, sweeps) on RQ's cron scheduler."""
    run_scheduler(current_app._get_current_object())


def redis_reachable(url: str) -> bool:
    try:
        return bool(redis_connection(url).ping())
    except Exception:
        return False


def localstripe_process(web_port: int, stripe_port: int) -> tuple[list[str], str] | None:
    """The command that runs localstripe for the demo on a loopback port, delivering its webhooks
    to the web process, and its API base; ``None`` when STRIPE_API_BASE is set (a real or
    separately run Stripe) or localstripe is not installed."""
    import importlib.util

    if os.environ.get("STRIPE_API_BASE"):
        return None
    if importlib.util.find_spec("localstripe") is None:
        click.secho("localstripe is not installed (`make install` adds it): card payments are off.", fg="yellow")
        return None
    command = [sys.executable, "-m", "app.payments.localstripe_server", "--port", str(stripe_port),
               "--state-file", os.path.join(current_app.instance_path, "localstripe.pickle"),
               "--webhook-url", f"http://127.0.0.1:{web_port}/payments/stripe/webhook",
               "--webhook-secret", current_app.config["STRIPE_WEBHOOK_SECRET"]]
    return command, f"http://127.0.0.1:{stripe_port}"


@click.command("dev")
@click.option("--port", default=5000, show_default=True)
@click.option("--stripe-port", default=8420, show_default=True, help="localstripe's port, when STRIPE_API_BASE is not set")
def dev_command(port: int, stripe_port: int) -> None:
    """Start web, worker and scheduler together (and localstripe); Ctrl-C stops them all."""
    flask = [sys.executable, "-m", "flask", "--app", "app:create_app"]
    processes: dict[str, list[str]] = {}
    environment = os.environ.copy()
    environment.setdefault("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "1")  # a developer's receivers listen on loopback
    stripe = localstripe_process(port, stripe_port)
    if stripe:
        processes["localstripe"], environment["STRIPE_API_BASE"] = stripe
    processes["web"] = flask + ["run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"]
    redis_url = current_app.config["REDIS_URL"]
    if redis_reachable(redis_url):
        processes["worker"] = flask + ["worker"]
        processes["scheduler"] = flask + ["scheduler"]
    else:
        click.secho(REDIS_HINT.format(url=redis_url), fg="yellow")

    def stop_on_terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_terminate)  # `kill` stops the children as Ctrl-C does
    running = {name: subprocess.Popen(command, env=environment) for name, command in processes.items()}
    time.sleep(1.5)
    click.echo("")
    click.secho(f"Cloud Marketplace is running at http://127.0.0.1:{port}/", fg="green", bold=True)
    click.echo(f"Demo logins (password {DEMO_PASSWORD}):")
    for email, what in DEMO_LOGINS:
        click.echo(f"  {email:<32} {what}")
    if stripe:
        click.echo(f"Card payments: Stripe test mode on localstripe at {environment['STRIPE_API_BASE']} "
                   "(card 4242 4242 4242 4242, any future date; set STRIPE_API_BASE to use another).")
    else:
        click.echo(f"Card payments: Stripe API at {environment.get('STRIPE_API_BASE', current_app.config['STRIPE_API_BASE'])}.")
    mail = current_app.config
    outbox = f"http://127.0.0.1:{port}/staff/outbox"
    click.echo(f"E-mail: sent through {mail['MAIL_SERVER']}:{mail['MAIL_PORT']}; every message is also kept at {outbox}."
               if mail["MAIL_BACKEND"] == "smtp"
               else f"E-mail: kept in the outbox, not sent: read it at {outbox} as staff (set MAIL_SERVER to send).")
    click.echo(f"Started: {', '.join(running)}. Press Ctrl-C to stop them all.")
    try:
        while all(process.poll() is None for process in running.values()):
            time.sleep(0.5)
        stopped = [name for name, process in running.items() if process.poll() is not None]
        click.secho(f"{', '.join(stopped)} stopped; stopping the rest.", fg="red")
    except KeyboardInterrupt:
        click.echo("Stopping…")
    finally:
        for process in running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.time() + 10
        for process in running.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                process.kill()
