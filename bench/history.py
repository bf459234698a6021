"""The history section of the bench: does the cost grow with the work or with
the years? The same screens' data at 10 years × 50 branches divided by their
time at 1 year × 50 branches, both measured in the same run, interleaved.

Wall time on a shared machine is noisy, so each figure also comes with the
number of SQLite virtual-machine steps it took (a progress handler counting
every instruction): that count does not depend on the load, and its ratio
says what the wall-time ratio is trying to say. The statements that read a
whole table (EXPLAIN QUERY PLAN "SCAN" without an index) are listed too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import sqlite3
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BRANCHES = 50
YEARS = (1, 10)
TARGET = 1.2
STEP = 100  # progress handler granularity: VM instructions per call
READS = ("home_data", "compliance", "meetings_page", "participation", "quarterly_report")
LABELS = {
    "home_start": "home screen: exec → first paint with data (pty)",
    "home_data": "home screen data (headline, compliance, due items)",
    "compliance": "compliance table (this quarter)",
    "meetings_page": "meetings list, first page + count",
    "participation": "participation, one branch, this quarter",
    "quarterly_report": "quarterly report, one branch",
}


def fingerprint() -> str:
    h = hashlib.sha1()
    for rel in ("storage/demo.py", "storage/demo_history.py", "storage/migrations.py"):
        p = ROOT / rel
        h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()[:10]


def history_db(
    zhibu: Path, cache: Path, years: int, branches: int, log: Callable[[str], None]
) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"history-{years}y-{branches}b-{fingerprint()}.db"
    if path.exists():
        return path
    for old in cache.glob(f"history-{years}y-{branches}b-*.db*"):
        old.unlink()
    tmp = cache / f".building-history-{years}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    log(f"building {years} year(s) × {branches} branches (cached in {cache})…")
    t0 = time.perf_counter()
    cmd = [str(zhibu), "--db", str(tmp), "demo", "--years", str(years), "--branches", str(branches)]
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench: `{' '.join(cmd[1:])}` failed: {done.stderr.strip()}")
    log(f"  built in {time.perf_counter() - t0:.1f} s")
    tmp.rename(path)
    return path


def _readers(store: Any, today: dt.date) -> dict[str, Callable[[], object]]:
    """What each screen calls to get its data (the services layer)."""
    from domain.periods import Period
    from services import home, participation
    from services import meetings as meeting_service
    from services.export_report import branch_report
    from services.settings import load_settings
    from storage import org

    settings = load_settings()
    branch = org.branches(store)[0]
    quarter = Period.quarter(today.year, (today.month - 1) // 3 + 1)

    def home_data() -> object:
        home.headline(store)
        rows = home.compliance_table(store, today)
        return home.due_items(store, today, compliance_rows=rows,
                              branch_rules=settings.rules.branch)  # fmt: skip

    def meetings_page() -> object:
        return (meeting_service.finished_page(store, offset=0, limit=100),
                meeting_service.count_finished(store))  # fmt: skip

    return {
        "home_data": home_data,
        "compliance": lambda: home.compliance_table(store, today),
        "meetings_page": meetings_page,
        "participation": lambda: participation.branch_participation(
            store, branch.id, quarter, default=settings.rules.participation
        ),
        "quarterly_report": lambda: branch_report(store, branch, quarter, today),
    }


class _Counter:
    def __init__(self) -> None:
        self.steps = 0
        self.sql: list[str] = []

    def tick(self) -> int:
        self.steps += STEP
        return 0


def _conn(store: Any) -> sqlite3.Connection:
    conn: sqlite3.Connection = store.conn  # this thread's connection (a property)
    return conn


# Tables that grow with the years; a scan of org_units or json_each is not history.
HISTORY_TABLES = frozenset(
    {"meetings", "m", "action_items", "a", "followups", "dues", "d", "make_ups", "u", "audit",
     "lectures", "development_events", "development_records", "problems", "sittings"}
)  # fmt: skip


def _scans(conn: sqlite3.Connection, statements: list[str]) -> list[str]:
    """Statements whose plan reads a whole history table (SCAN without an index)."""
    out: list[str] = []
    for sql in dict.fromkeys(statements):
        head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if head not in ("SELECT", "WITH"):
            continue
        try:
            plan = conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        except sqlite3.Error:
            continue  # parameters bound at run time: the trace has them inlined
        for row in plan:
            detail = str(row[-1])
            table = detail.split()[1] if detail.startswith("SCAN ") else ""
            if table in HISTORY_TABLES and "USING" not in detail and "VIRTUAL" not in detail:
                out.append(f"{detail}: {' '.join(sql.split())[:160]}")
    return out


def measure_reads(dbs: dict[int, Path], today: dt.date, reps: int) -> dict[str, dict]:
    """Each reader *reps* times per database; wall median and VM steps. The
    rounds go over every reader and database in a shuffled order, so a burst
    of load from elsewhere lands on all of them, not on one reader's samples."""
    from storage.db import open_store

    stores = {y: open_store(p, migrate=False) for y, p in dbs.items()}
    try:
        readers = {y: _readers(s, today) for y, s in stores.items()}
        steps: dict[str, dict[int, int]] = {n: {} for n in READS}
        scans: dict[str, list[str]] = {}
        for name in READS:
            for y in dbs:  # warm: page cache, imports; counted once for steps
                conn = _conn(stores[y])
                counter = _Counter()
                conn.set_progress_handler(counter.tick, STEP)
                conn.set_trace_callback(counter.sql.append)
                try:
                    readers[y][name]()
                finally:
                    conn.set_progress_handler(None, 0)
                    conn.set_trace_callback(None)
                steps[name][y] = counter.steps
                if y == max(dbs):
                    scans[name] = _scans(conn, counter.sql)
        walls: dict[tuple[str, int], list[float]] = {(n, y): [] for n in READS for y in dbs}
        for rep in range(reps):
            order = list(walls)
            random.Random(rep).shuffle(order)
            for name, y in order:
                t0 = time.perf_counter()
                readers[y][name]()
                walls[name, y].append(time.perf_counter() - t0)
        return {
            name: _figure(
                {y: statistics.median(walls[name, y]) for y in dbs}, steps[name], scans[name]
            )
            for name in READS
        }
    finally:
        for s in stores.values():
            s.close()


def _figure(wall: dict[int, float], steps: dict[int, int], scans: list[str]) -> dict:
    lo, hi = min(wall), max(wall)
    return {
        "wall_ms": {str(y): round(v * 1000, 2) for y, v in wall.items()},
        "ratio": round(wall[hi] / wall[lo], 3) if wall[lo] else None,
        "vm_steps": {str(y): v for y, v in steps.items()},
        "steps_ratio": round(steps[hi] / steps[lo], 3) if steps.get(lo) else None,
        "full_scans": scans,
    }


def bench_history(
    *, zhibu: Path, cache: Path, reps: int, start_reps: int, today: dt.date,
    start_time: Callable[[Path], tuple[float, float]], log: Callable[[str], None],
    years: tuple[int, int] = YEARS, branches: int = BRANCHES,
) -> dict:  # fmt: skip
    """*start_time(db)*: (wall, CPU) seconds from exec to the home screen with its data.
    *years*: the baseline's and the aged database's (the smoke test uses fewer)."""
    dbs = {y: history_db(zhibu, cache, y, branches, log) for y in years}
    counts = {}
    for y, p in dbs.items():
        c = sqlite3.connect(p)
        try:
            counts[str(y)] = {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                              for t in ("meetings", "followups", "dues", "action_items")}  # fmt: skip
        finally:
            c.close()
    log(f"history: home start {start_reps}× per database, then {reps}× each read")
    for p in dbs.values():
        start_time(p)  # warm
    runs: dict[int, list[tuple[float, float]]] = {y: [] for y in dbs}
    for rep in range(start_reps):
        order = list(dbs)
        random.Random(rep).shuffle(order)
        for y in order:
            runs[y].append(start_time(dbs[y]))
    lo, hi = min(dbs), max(dbs)
    wall = {y: statistics.median(r[0] for r in v) for y, v in runs.items()}
    cpu = {y: statistics.median(r[1] for r in v) for y, v in runs.items()}
    figures = {
        "home_start": {
            "wall_ms": {str(y): round(v * 1000, 1) for y, v in wall.items()},
            "ratio": round(wall[hi] / wall[lo], 3),
            "cpu_ms": {str(y): round(v * 1000, 1) for y, v in cpu.items()},
            "cpu_ratio": round(cpu[hi] / cpu[lo], 3) if cpu[lo] else None,
            "runs_s": {str(y): [round(r[0], 3) for r in v] for y, v in runs.items()},
        }
    }
    figures.update(measure_reads(dbs, today, reps))
    return {
        "branches": branches,
        "years": list(years),
        "today": today.isoformat(),
        "counts": counts,
        "reps": reps,
        "start_reps": start_reps,
        "target": TARGET,
        "figures": figures,
        "worst_ratio": max(f["ratio"] for f in figures.values() if f["ratio"] is not None),
    }


def section(h: dict) -> list[str]:
    """The RESULTS.md section."""
    lo, hi = (str(y) for y in h["years"])
    c = h["counts"]
    out = [
        f"## History ({h['branches']} branches: {hi} years ÷ {lo} year, same run)",
        "",
        f"Databases from `zhibu demo --years N --branches {h['branches']}`: {lo} year holds "
        f"{c[lo]['meetings']:,} meetings, {c[lo]['followups']:,} follow-ups, "
        f"{c[lo]['dues']:,} dues records; {hi} years hold {c[hi]['meetings']:,} meetings, "
        f"{c[hi]['followups']:,} follow-ups, {c[hi]['dues']:,} dues records. Reads go through "
        f"the services the screens call, in-process, median of {h['reps']} interleaved runs; "
        f"the home screen is the installed `zhibu` in a pty (median of {h['start_reps']}). "
        "VM steps: SQLite instructions executed (load-independent). Target ≤ "
        f"×{h['target']} each.",
        "",
        f"| screen | {lo} year, ms | {hi} years, ms | ratio | VM steps {lo} y / {hi} y "
        "| steps ratio | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, f in h["figures"].items():
        steps = f.get("vm_steps")
        steps_txt = (
            f"{steps[lo]:,} / {steps[hi]:,}"
            if steps
            else (f"CPU {f['cpu_ms'][lo]} / {f['cpu_ms'][hi]} ms")
        )
        sr = f.get("steps_ratio", f.get("cpu_ratio"))
        verdict = "**pass**" if f["ratio"] is not None and f["ratio"] <= h["target"] else "**FAIL**"
        out.append(f"| {LABELS[key]} | {f['wall_ms'][lo]} | {f['wall_ms'][hi]} | "
                   f"×{f['ratio']} | {steps_txt} | ×{sr} | {verdict} |")  # fmt: skip
    scans = {k: f["full_scans"] for k, f in h["figures"].items() if f.get("full_scans")}
    if scans:
        out += ["", f"Full scans of a history table left at {hi} years (EXPLAIN QUERY PLAN):", ""]
        for k, lines in scans.items():
            out += [f"- {LABELS[k]}: `{line}`" for line in lines]
    else:
        out += ["", f"No statement of these reads scans a history table at {hi} years "
                "(EXPLAIN QUERY PLAN of every statement traced)."]  # fmt: skip
    return out
