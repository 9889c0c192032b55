"""Run localstripe (a stateful Stripe stand-in, for tests and the demo) on a loopback port.

``python -m app.payments.localstripe_server --port 8420 --state-file instance/localstripe.pickle
--webhook-url http://127.0.0.1:5000/payments/stripe/webhook --webhook-secret whsec_...``

localstripe's own command line listens on every interface and keeps its state in one fixed file
in the temp folder shared by every run on the machine; this entry point binds 127.0.0.1 only,
keeps the state where it is told (or nowhere), and registers the app's webhook at start-up
(localstripe keeps webhooks in memory only). Development and test use only: never in production.
"""
from __future__ import annotations

import argparse
import logging
import pickle
from pathlib import Path


def use_state_file(path: Path | None) -> None:
    """Point localstripe's store at ``path`` (``None``: keep everything in memory only)."""
    from localstripe.resources import Store

    def try_load_from_disk(store) -> None:
        if path is None or not path.exists():
            return
        with path.open("rb") as state:
            saved = pickle.load(state)
        store.clear()
        store.update(saved)

    def dump_to_disk(store) -> None:
        if path is None:
            return
        temporary = path.with_suffix(".tmp")
        with temporary.open("wb") as state:
            pickle.dump(dict(store), state, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)

    Store.try_load_from_disk = try_load_from_disk
    Store.dump_to_disk = dump_to_disk


def serve(port: int, state_file: Path | None, webhook_url: str | None = None, webhook_secret: str | None = None) -> None:
    from aiohttp import web
    from localstripe import server
    from localstripe.resources import store
    from localstripe.webhooks import register_webhook

    use_state_file(state_file)
    store.try_load_from_disk()
    if webhook_url and webhook_secret:
        register_webhook("marketplace", webhook_url, webhook_secret, None)
    logging.basicConfig(level=logging.WARNING)
    web.run_app(server.app, host="127.0.0.1", port=port, print=None, access_log=None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--state-file", type=Path, default=None, help="where to keep the state; none: memory only")
    parser.add_argument("--webhook-url", default=None, help="deliver every event here, signed with --webhook-secret")
    parser.add_argument("--webhook-secret", default=None)
    arguments = parser.parse_args(argv)
    serve(arguments.port, arguments.state_file, arguments.webhook_url, arguments.webhook_secret)


if __name__ == "__main__":
    main()
