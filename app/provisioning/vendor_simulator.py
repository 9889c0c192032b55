"""A small vendor for the webhook connector, served on loopback for tests and the curious.

    python -m app.provisioning.vendor_simulator --port 5103 --mode sync --secret s3cret

Point a product at it: ``connector = "webhook"``, ``connector_settings = {"url":
"http://127.0.0.1:5103/events", "secret": "s3cret"}``. It checks the marketplace's signature,
remembers each idempotency key (a repeat gets the same vendor reference) and answers:
``sync``: 200 done at once; ``async``: 202, then after ``--callback-delay`` seconds a signed
``POST`` to the event's ``callback_url``. ``--fail-first N`` answers 503 to the first N calls
per key. ``GET /calls`` lists the calls received per key.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import threading
import time
import urllib.request
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app.provisioning.signing import HEADER, SignatureError, signature_header, verify

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Vendor:
    def __init__(self, mode: str, secret: str, callback_delay: float, fail_first: int) -> None:
        self.mode, self.secret, self.callback_delay, self.fail_first = mode, secret, callback_delay, fail_first
        self.calls: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    @staticmethod
    def reference(key: str) -> str:
        return "SIM-" + hashlib.sha256(key.encode()).hexdigest()[:10].upper()

    def call_back(self, url: str, key: str) -> None:
        time.sleep(self.callback_delay)
        body = json.dumps({"status": "done", "vendor_reference": self.reference(key)}).encode()
        for _ in range(5):
            request = urllib.request.Request(url, data=body, method="POST", headers={
                "Content-Type": "application/json", HEADER: signature_header(self.secret, body, int(time.time()))})
            try:
                with _opener.open(request, timeout=10):
                    return
            except Exception:
                time.sleep(1)


def make_handler(vendor: Vendor):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path != "/calls":
                return self._answer(404, {"error": "not found"})
            with vendor.lock:
                return self._answer(200, dict(vendor.calls))

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                verify(vendor.secret, self.headers.get(HEADER), body, int(time.time()))
                event = json.loads(body)
                key = str(event["idempotency_key"])
            except SignatureError as error:
                return self._answer(401, {"error": str(error)})
            except (ValueError, KeyError):
                return self._answer(400, {"error": "not an event"})
            with vendor.lock:
                vendor.calls[key] += 1
                count = vendor.calls[key]
            if count <= vendor.fail_first:
                return self._answer(503, {"error": "try again later"})
            if vendor.mode == "async":
                threading.Thread(target=vendor.call_back, args=(event["callback_url"], key), daemon=True).start()
                return self._answer(202, {"status": "accepted"})
            return self._answer(200, {"status": "done", "vendor_reference": vendor.reference(key)})

        def log_message(self, format, *args):  # quiet: tests read /calls instead
            return None

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5103)
    parser.add_argument("--mode", choices=("sync", "async"), default="sync")
    parser.add_argument("--secret", default="s3cret")
    parser.add_argument("--callback-delay", type=float, default=0.5)
    parser.add_argument("--fail-first", type=int, default=0)
    options = parser.parse_args(argv)
    vendor = Vendor(options.mode, options.secret, options.callback_delay, options.fail_first)
    server = ThreadingHTTPServer(("127.0.0.1", options.port), make_handler(vendor))
    print(f"Vendor simulator ({options.mode}) on http://127.0.0.1:{options.port}/events", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
