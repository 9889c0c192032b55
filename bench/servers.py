"""Processes of a benchmark run: gunicorn servers pinned to one core, wrk pinned to another,
and the server CPU time they use and their workers' memory, read from /proc."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def cores() -> tuple[str, str]:
    """(server core, load-generator core): different cores when the machine has two or more."""
    count = os.cpu_count() or 1
    return ("0", "1") if count >= 2 else ("0", "0")


def pinned(core: str, command: list[str]) -> list[str]:
    return (["taskset", "-c", core] if shutil.which("taskset") else []) + command


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """utime + stime of the gunicorn master and its workers so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        return sum(_process_ticks(pid) for pid in [self.process.pid, *_children(self.process.pid)]) / ticks

    def worker_rss_kib(self) -> list[int]:
        """The resident set size (VmRSS, KiB) of each worker process, in process-id order."""
        return [rss for rss in (_rss_kib(pid) for pid in sorted(_children(self.process.pid))) if rss is not None]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])  # "VmRSS:   123456 kB"
    except OSError:
        pass
    return None


def _process_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))


def start_gunicorn(name: str, app_spec: str, port: int, workers: int, env: dict, ready_path: str = "/",
                   threads: int = 1) -> Server:
    """gunicorn pinned to the server core: sync workers, or gthread workers with ``threads`` each."""
    worker = ["--worker-class", "sync"] if threads <= 1 else ["--worker-class", "gthread", "--threads", str(threads)]
    command = pinned(cores()[0], [GUNICORN, "--no-control-socket", "--workers", str(workers), *worker,
                                  "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning", app_spec])
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    server = Server(name, port, process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} server exited with {process.returncode}")
        try:
            urllib.request.urlopen(server.base_url + ready_path, timeout=2).read()
            return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} server did not answer on port {port}")


def run_wrk(url: str, script: Path, duration: float, connections: int, threads: int = 1) -> dict:
    """Runs wrk pinned to the load-generator core; returns the JSON its script's done() printed."""
    command = pinned(cores()[1], ["wrk", "--threads", str(threads), "--connections", str(connections),
                                  "--duration", f"{max(1, round(duration))}s", "--timeout", "5s", "--script", str(script), url])
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    return json.loads(line[len("BENCH_JSON "):])
