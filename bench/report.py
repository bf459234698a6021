"""bench/RESULTS.md from one run's JSON; hand-written notes below the marker survive reruns."""

from __future__ import annotations

from pathlib import Path

NOTES_MARKER = "<!-- notes: everything below this line is kept when the bench rewrites the file -->"


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _head(*cells: str) -> list[str]:
    return [_row(*cells), _row(*("---" if i == 0 else "---:" for i in range(len(cells))))]


def _machine(r: dict) -> list[str]:
    m = r["machine"]
    return [
        f"- Date: {r['date']}",
        f"- Machine: {m['cpu']}, {m['cores']} cores ({m['cores_usable']} usable), "
        f"{m['ram_gb']} GB RAM, Linux {m['kernel']}",
        f"- Software: Python {m['python']}, SQLite {m['sqlite']}, Textual {m['textual']}",
        f"- Load average (1/5/15 min): {m['load_avg_start']} at start, {m.get('load_avg_end')} at end. "
        "Other work on the machine inflates wall times; the CPU-seconds figures and the ratios "
        "to baselines measured alongside are the steadier ones.",
        "- Method: the installed `zhibu` in a real pty at 80×24, screen read through pyte; every "
        "figure has a baseline from the same run: `bench/minimal_app.py` (Header, one Static, "
        "Footer; `--input` adds one Input), python-docx alone, `storage.people.search` in-process.",
    ]


def _targets(r: dict) -> list[str]:
    out = ["## Targets", "", *_head("target", "value", "limit", "result")]
    for v in r["targets"]:
        verdict = "**pass**" if v["pass"] else "**FAIL**"
        out.append(_row(v["what"], v["value"], v["limit"], verdict))
    return out


def _startup(s: dict) -> list[str]:
    reps = len(next(iter(s["per_size"].values()))["runs_s"])
    out = [
        f"## Startup (exec → home screen with its data; median of {reps} interleaved runs)",
        "",
        *_head(
            "people",
            "zhibu, s",
            "minimal app, s",
            "ratio",
            "CPU zhibu / minimal, s",
            "CPU ratio",
            "runs, s",
        ),
    ]
    for n, v in s["per_size"].items():
        runs = ", ".join(f"{x:.3f}" for x in v["runs_s"])
        cpu = f"{v['app_cpu_s']:.2f} / {v['baseline_cpu_s']:.2f}"
        out.append(_row(f"{int(n):,}", f"{v['app_s']:.3f}", f"{v['baseline_s']:.3f}", f"×{v['ratio']:.2f}",
                        cpu, f"×{v['cpu_ratio']}", runs))  # fmt: skip
    small, large = s["sizes_compared"]
    out += [
        "",
        f"Largest ÷ smallest ({large:,} vs {small:,} people): ×{s['slowdown_largest_vs_smallest']:.3f} "
        f"wall, ×{s['cpu_slowdown_largest_vs_smallest']:.3f} CPU.",
    ]
    return out


def _search(r: dict) -> list[str]:
    per = r["search"]["per_size"]
    out = [
        "## Person search (roster `r`, `/`, one key at a time)",
        "",
        "Key press → the search box shows the query and the table's first rows are the expected "
        "names. *Last key* completes one of the 20 queries (the figure the target applies to); "
        "*every key* includes the first letters of each query, when most people match. *Settled* "
        "waits for the status line 「搜索“…”：n 人」 too.",
        "",
        *_head(
            "people",
            "last key p50 / p95, ms",
            "every key p95 / max, ms",
            "settled p95, ms",
            "bytes per key",
            "app CPU per key, ms",
            "open roster, ms",
            "baseline search() p50 / p95, ms",
        ),  # fmt: skip
    ]
    for n, v in per.items():
        out.append(_row(f"{int(n):,}", f"{v['p50_ms']} / {v['p95_ms']}", f"{v['every_key_p95_ms']} / {v['every_key_max_ms']}",
                        v["settled_p95_ms"], v["bytes_per_key"], v["cpu_ms_per_key"], v["open_roster_ms"],
                        f"{v['baseline_sql_p50_ms']} / {v['baseline_sql_p95_ms']}"))  # fmt: skip
    for n, v in per.items():
        out += [
            "",
            f"Queries at {int(n):,} people (ms for each key; the last completes the query):",
            "",
        ]
        out += _head("kind", "query", "top result", "results", "per key, ms")
        for q in v["queries"]:
            keys = ", ".join(f"{x:g}" for x in q["per_key_ms"])
            out.append(_row(q["kind"], q["query"], q["top"], q["results"], keys))
    return out


def _typing_traffic(r: dict) -> list[str]:
    t, tr = r["typing"], r["traffic"]
    return [
        f"## Typing in the person form ({t['keys']} keys into 姓名, {r['session_size']:,} people)",
        "",
        *_head("", "p50, ms", "p95, ms", "max, ms", "app CPU per key, ms"),
        _row("zhibu", t["p50_ms"], t["p95_ms"], t["max_ms"], t["cpu_ms_per_key"]),
        _row(
            "baseline: minimal app, one Input",
            t["baseline_p50_ms"],
            t["baseline_p95_ms"],
            "",
            t["baseline_cpu_ms_per_key"],
        ),  # fmt: skip
        "",
        "## Terminal traffic (bytes the app wrote to the pty)",
        "",
        *_head("", "zhibu", "baseline"),
        _row(
            f"idle on home, B/s ({tr['idle_seconds']:g} s)",
            tr["idle_bytes_per_s"],
            tr["baseline_idle_bytes_per_s"],
        ),
        _row(
            "idle in the person form, B/s (baseline: one focused Input)",
            tr["idle_form_bytes_per_s"],
            tr["baseline_idle_input_bytes_per_s"],
        ),  # fmt: skip
        _row(
            "per keystroke typing in the form, bytes (mean)",
            tr["bytes_per_key"],
            tr["baseline_bytes_per_key"],
        ),
        _row("per keystroke typing in the form, p95", tr["bytes_per_key_p95"], ""),
    ]


def _exports(r: dict) -> list[str]:
    e, b = r["export_one"], r["export_bulk"]
    out = [
        "## Minutes export",
        "",
        *_head("", "zhibu", "baseline: python-docx, one page + table", "ratio"),
        _row("one meeting, ms (median, warm)", f"{e['app_s'] * 1000:.1f}", f"{e['baseline_s'] * 1000:.1f}", f"×{e['ratio']:.2f}"),
        _row("  build / save_atomic, ms", f"{e['app_build_s'] * 1000:.1f} / {e['app_save_s'] * 1000:.1f}", "", ""),
        _row("first in the process, ms", f"{e['app_cold_s'] * 1000:.1f}", f"{e['baseline_cold_s'] * 1000:.1f}", ""),
        _row("file size, bytes", e["app_bytes"], e["baseline_bytes"], ""),
        "",
        f"Meeting: {e['meeting_source']}, {e['attendees']} attendees; `import exports.minutes` "
        f"(python-docx, lxml) takes {e['import_exports_s'] * 1000:.0f} ms once.",
        "",
    ]  # fmt: skip
    if b.get("seconds") is None:
        out.append(f"Bulk export of all finished meetings at {r['session_size']:,} people: **null** — "
                   f"{b['reason']} (baseline python-docx: {b['baseline_files_per_s']} files/s).")  # fmt: skip
    else:
        out.append(f"Bulk export at {r['session_size']:,} people ({b['how']}): {b['files']} files in "
                   f"{b['seconds']} s = **{b['files_per_s']} files/s**; baseline python-docx "
                   f"{b['baseline_files_per_s']} files/s.")  # fmt: skip
    return out


def _memory(r: dict) -> list[str]:
    mem = r["memory"]
    out = [
        f"## Memory (VmHWM at {r['session_size']:,} people)",
        "",
        f"Peak **{mem['peak_rss_mb']} MB**; baseline minimal app {mem['baseline_rss_mb']} MB.",
        "",
        *_head("after screen", "RSS, MB", "peak so far, MB"),
    ]
    for v in mem["per_screen"]:
        if "error" in v:
            out.append(_row(v["screen"], "error", v["error"]))
        else:
            out.append(_row(v["screen"], v["rss_mb"], v["hwm_mb"]))
    return out


HISTORY_START = "<!-- history: written by bench/run.py (full run, or --only history --results) -->"
HISTORY_END = "<!-- /history -->"


def _history(r: dict) -> list[str]:
    from history import section

    m = r["machine"]
    return [
        HISTORY_START,
        *section(r["history"]),
        "",
        f"Measured {r['date']} on {m['cpu']}, {m['cores']} cores, load average "
        f"{m['load_avg_start']} at start, {m.get('load_avg_end')} at end.",
        HISTORY_END,
    ]


def write_history(path: Path, result: dict) -> None:
    """A partial run: replace the history section (or add it before the notes)."""
    _replace_section(path, HISTORY_START, HISTORY_END, "\n".join(_history(result)) + "\n")


PG_START = "<!-- pg: written by bench/run.py (full run, or --only pg --results) -->"
PG_END = "<!-- /pg -->"


def _pg(r: dict) -> list[str]:
    pg, m = r["pg"], r["machine"]
    out = [PG_START, "## PostgreSQL (issue 21: startup and person search on the second engine)", ""]
    if not pg.get("measured"):
        out += [f"**Not measured** ({r['date']}): {pg['reason']}.", PG_END]
        return out
    builds = "; ".join(
        f"{int(n):,} people {b['build_s']} s (schema {b['schema_s']} s, ANALYZE {b['analyze_s']} s)"
        for n, b in pg["builds"].items()
    )
    out += [
        f"Server: PostgreSQL {pg['server_version']}, {pg['server']}, on this machine (Unix "
        "socket), the installed `zhibu --db URL` in the pty. Baselines as for SQLite, measured in this phase: the minimal app "
        "in the same interleaved rounds, `storage.people.search` in-process on the same server.",
        "",
        f"Demo databases built once per run with `storage.demo.build_demo` on the server: {builds}.",
        "",
        *_head("target", "value", "limit", "result"),
    ]
    for v in pg["targets"]:
        out.append(_row(v["what"], v["value"], v["limit"], "**pass**" if v["pass"] else "**FAIL**"))
    sub = ["", *_startup(pg["startup"]), "", *_search({"search": pg["search"]})]
    out += [f"#{line}" if line.startswith("## ") else line for line in sub]  # under this heading
    out += ["", f"Measured {r['date']} on {m['cpu']}, {m['cores']} cores, load average "
                f"{m['load_avg_start']} at start, {m.get('load_avg_end')} at end.", PG_END]  # fmt: skip
    return out


def _replace_section(path: Path, start: str, end: str, block: str) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in old and end in old:
        head, rest = old.split(start, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        new = head + block + "\n" + tail
    elif NOTES_MARKER in old:
        head, notes = old.split(NOTES_MARKER, 1)
        new = head.rstrip("\n") + "\n\n" + block + "\n" + NOTES_MARKER + notes
    else:
        new = old.rstrip("\n") + "\n\n" + block
    path.write_text(new, encoding="utf-8")


def write_pg(path: Path, result: dict) -> None:
    """A partial run: replace the PostgreSQL section (or add it before the notes)."""
    _replace_section(path, PG_START, PG_END, "\n".join(_pg(result)) + "\n")


def render(r: dict) -> str:
    phases = ", ".join(f"{k} {v:g} s" for k, v in r["phases_s"].items())
    out = [
        "# zhibu benchmark results",
        "",
        f"Written by `make bench` (`.venv/bin/python bench/run.py`, {r['mode']} run, "
        f"{r['duration_s']:.0f} s: {phases}).",
        "",
        *_machine(r),
        "",
        *_targets(r),
        "",
        *_startup(r["startup"]),
        "",
        *_search(r),
        "",
        *_typing_traffic(r),
        "",
        *_exports(r),
        "",
        *_memory(r),
    ]
    if "history" in r:
        out += ["", *_history(r)]
    if "pg" in r:
        out += ["", *_pg(r)]
    return "\n".join(out) + "\n"


def write_results(path: Path, result: dict) -> None:
    notes = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if NOTES_MARKER in old:
            notes = old.split(NOTES_MARKER, 1)[1]
    path.write_text(render(result) + "\n" + NOTES_MARKER + notes, encoding="utf-8")
