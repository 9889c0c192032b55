"""Profile one page in process, as a benchmark viewer sees it: CPU time per request, SQL
statements per request and the top functions of a cProfile run (CPU clock).

Run from the project root against a database the bench seeded (``make bench`` or a part of it):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/12 \
        python -m bench.profile_page /catalog/ admin@reseller-one.example

The viewer signs in through the sign-in form (anonymous when no e-mail is given); the page is
asked for a few times first (caches warm), then ``PROFILE_REQUESTS`` times (default 2,000) timed
with the process CPU clock, then the same number under cProfile.
"""
from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import sys
import time
from collections import Counter

from sqlalchemy import event

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def signed_in_client(app, email: str | None):
    from app.core.demo_data import DEMO_PASSWORD

    client = app.test_client()
    if email:
        token = CSRF_FIELD.search(client.get("/sign-in").get_data(as_text=True)).group(1)
        response = client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
        if response.status_code >= 400 or client.get_cookie("session") is None:
            raise SystemExit(f"could not sign in as {email} ({response.status_code})")
    return client


def count_statements(engine) -> Counter:
    statements: Counter = Counter()

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        statements[" ".join(statement.split())[:90]] += 1

    return statements


def main(path: str, email: str | None) -> None:
    from app import create_app
    from app.extensions import db

    requests = int(os.environ.get("PROFILE_REQUESTS", "2000"))
    app = create_app()
    with app.app_context():
        engine = db.engine
    client = signed_in_client(app, email)
    for _ in range(20):
        response = client.get(path)
        assert response.status_code == 200, response.status_code
    statements = count_statements(engine)
    started = time.process_time()
    for _ in range(requests):
        client.get(path)
    cpu_ms = (time.process_time() - started) * 1000 / requests
    per_request = sum(statements.values()) / requests
    print(f"{path} as {email or 'anonymous'}: {cpu_ms:.3f} ms CPU per request (in process, test client), "
          f"{per_request:g} statements per request")
    for statement, count in statements.most_common():
        print(f"  {count / requests:g} x {statement}")
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(int(os.environ.get("PROFILE_TOP", "45")))
    print(out.getvalue())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
