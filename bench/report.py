"""The Markdown table of a benchmark run (``bench/results/latest.md``)."""
from __future__ import annotations


def _number(value, digits=1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def markdown(result: dict) -> str:
    settings = result["settings"]
    floor = result["floor"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {result['started_at']} UTC on {result['machine']}. `make bench` writes this file; see README.",
        "",
        f"gunicorn {settings['workers']} sync workers pinned to core {settings['server_core']}; wrk pinned to core "
        f"{settings['load_core']}, {settings['connections']} connections, {settings['duration_s']:.0f} s per target after a "
        f"{settings['warmup_s']:.0f} s warm-up. PostgreSQL and Redis on loopback. Data: {result['data']['products']:,} products "
        f"({result['data']['prices']:,} prices), one reseller with {result['data']['customers']:,} customers and "
        f"{result['data']['subscriptions']:,} subscriptions, plus the demo data (seeded in {result['data']['seconds']:.1f} s).",
        "",
        f"Framework floor: a bare Flask view rendering a {floor['page_bytes']:,}-byte Jinja page (the catalog page's size) "
        f"from memory: {_number(floor['before']['rps'])} req/s before the pages, {_number(floor['after']['rps'])} after; "
        f"the ratios use their mean, {_number(floor['rps'])} req/s ({_number(floor['cpu_ms'], 2)} ms CPU per request).",
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
            f"| {_number(row['p99_ms'])} | {_number(row['cpu_ms'], 2)} | {row['errors']} | {row['goal']} | {row['verdict']} |")
    provisioning = result.get("provisioning")
    lines.append("")
    if provisioning is None:
        lines.append("Provisioning throughput: not measured (bench/provisioning_throughput.py is not in this build).")
    else:
        lines.append(f"Provisioning throughput: {provisioning.get('summary', provisioning)}")
    return "\n".join(lines) + "\n"
