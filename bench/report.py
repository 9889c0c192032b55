"""The Markdown table of a benchmark run (``bench/results/latest.md``)."""
from __future__ import annotations


def _errors(row: dict) -> str:
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(row.get("error_kinds", {}).items()))
    return f"{row['errors']} ({kinds})" if kinds else str(row["errors"])


def _number(value, digits=1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _workers(settings: dict) -> str:
    threads = settings.get("threads", 1)
    kind = "sync workers" if threads <= 1 else f"gthread workers of {threads} threads"
    return f"{settings['workers']} {kind}"


def _rounds(settings: dict) -> str:
    rounds = settings.get("rounds", 1)
    return "each target once" if rounds <= 1 else f"each target {rounds} times in turn (medians shown)"


def _mib(kib_values: list[int]) -> str:
    return ", ".join(f"{kib / 1024:,.1f}" for kib in kib_values) or "—"


def _memory(memory: dict | None) -> str:
    """Each worker's resident memory (VmRSS) after the run, the app's beside the floor's."""
    if not memory:
        return "Memory per worker: not measured in this run."
    return (f"Memory per worker after the run (VmRSS, MiB): app {_mib(memory['app_workers_kib'])}; "
            f"framework floor {_mib(memory['floor_workers_kib'])}.")


def markdown(result: dict) -> str:
    settings = result["settings"]
    floor = result["floor"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {result['started_at']} UTC on {result['machine']}. `make bench` writes this file; see README.",
        "",
        f"gunicorn {_workers(settings)} pinned to core {settings['server_core']}; wrk pinned to core "
        f"{settings['load_core']}, {settings['connections']} connections, {settings['duration_s']:.0f} s per target after a "
        f"{settings['warmup_s']:.0f} s warm-up, {_rounds(settings)}. PostgreSQL and Redis on loopback. "
        f"Data: {result['data']['products']:,} products "
        f"({result['data']['prices']:,} prices), one reseller with {result['data']['customers']:,} customers and "
        f"{result['data']['subscriptions']:,} subscriptions, plus the demo data (seeded in {result['data']['seconds']:.1f} s).",
        "",
        f"Framework floor: a bare Flask view rendering a {floor['page_bytes']:,}-byte Jinja page (the catalog page's size) "
        f"from memory, measured before the pages and after each round: "
        f"{', '.join(_number(m['rps'], 0) for m in floor['measurements'])} req/s; the ratios use their median, "
        f"{_number(floor['rps'])} req/s ({_number(floor['cpu_ms'], 2)} ms CPU per request).",
        "",
        "| Target | req/s | vs floor | p50 ms | p99 ms | CPU ms/req | errors | goal | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in result["targets"]:
        if row.get("skipped") or row.get("failed"):
            why = f"skipped: {row['skipped']}" if row.get("skipped") else f"FAILED: {row['failed']}"
            lines.append(f"| {row['name']} | | | | | | | {row['goal']} | {why} |")
            continue
        lines.append(
            f"| {row['name']} | {_number(row['rps'])} | {_number(row['floor_ratio'] * 100, 0)} % | {_number(row['p50_ms'])} "
            f"| {_number(row['p99_ms'])} | {_number(row['cpu_ms'], 2)} | {_errors(row)} | {row['goal']} | {row['verdict']} |")
    lines += ["", _memory(result.get("memory"))]
    provisioning = result.get("provisioning")
    lines.append("")
    if provisioning is None:
        lines.append("Provisioning throughput: not measured (bench/provisioning_throughput.py is not in this build).")
    elif any("ratio_same_class" in round_ for round_ in provisioning.get("results", [])):
        lines += _provisioning_table(provisioning)
    else:
        lines.append(f"Provisioning throughput: {provisioning.get('summary', provisioning)}")
    return "\n".join(lines) + "\n"


def _provisioning_table(provisioning: dict) -> list[str]:
    """Provisioning against no-op jobs on RQ's default (forking) worker and on the app's class."""
    lines = [
        f"Provisioning throughput ({provisioning['requests']:,} requests on the demo vendor at zero latency, "
        f"{provisioning['database']}; jobs on the app's worker class `{provisioning.get('app_worker_class', '?')}`; "
        "worker CPU = the worker processes' own, per job):",
        "",
        "| workers | provisioning/s | worker CPU ms/job | no-op/s, RQ's default worker | ratio | "
        "no-op/s, same class | ratio | goal | result |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for round_ in provisioning["results"]:
        cpu = next((r["worker_cpu_ms_per_job"] for r in round_.get("rounds", [])
                    if r["jobs"] == "provisioning" and r["worker_class"] == round_.get("worker_class")), None)
        lines.append(
            f"| {round_['workers']} | {_number(round_['provisioning_per_second'])} | {_number(cpu, 2)} "
            f"| {_number(round_['noop_per_second'])} | {round_['ratio']:.0%} | {_number(round_['noop_same_class_per_second'])} "
            f"| {round_['ratio_same_class']:.0%} | ≥ 50 % of RQ's default worker | {'ok' if round_['ratio'] >= 0.5 else 'MISS'} |")
    return lines
