"""zhibu benchmark: what a secretary on a slow SSH link sees, at 1k/10k/50k people.

Every measurement drives the installed `zhibu` (the venv's bin/zhibu) in a
real pty at 80×24 and reads the screen through a VT emulator (pyte); every
figure is paired with a baseline measured in the same run.  Prints one JSON
object, then a short table; a full run also rewrites bench/RESULTS.md.

  .venv/bin/python bench/run.py                    # full: 1k, 10k, 50k
  .venv/bin/python bench/run.py --quick --people 200   # smoke: seconds, one size
  .venv/bin/python bench/run.py --only pg           # PostgreSQL: startup and search

The PostgreSQL phase uses the server at ZHIBU_BENCH_PG_URL, else starts a
throwaway one (tests/pg_cluster.py) and stops it afterwards; with neither it
says why the PostgreSQL rows were not measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import math
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))  # domain/storage for the in-process query baselines

from pty_term import ScreenTimeout, Term  # noqa: E402

PY = Path(sys.executable)
ZHIBU = PY.parent / "zhibu"
MINIMAL = BENCH / "minimal_app.py"
MINIMAL_READY = "最小应用已就绪"
CACHE = BENCH / "cache"

# -- What is measured where (edit here as screens land) ---------------------

SIZES = (1_000, 10_000, 50_000)
SEARCH_SIZES = (10_000, 50_000)
SESSION_SIZE = 10_000  # typing, traffic, memory, bulk export

# Proof that a screen is up: texts that must be on it.  "{branch}" is the
# first branch of the database, which appears only after the data is loaded.
HOME = ("个支部", "{branch}")  # the head line "334 个支部 · 10000 人" and a branch row
ROSTER = ("搜索人员", "{branch}：共")  # the placeholder and the first branch loaded
PERSON_FORM = ("新增人员", "Esc 关闭并保留草稿")

# Memory: screens visited in order from the home screen, (name, keys, texts
# that prove it is shown).  Add a row for each main screen as it lands; the
# smoke test insists only on CORE_SCREENS, a changed screen elsewhere is
# reported as an error in the JSON and the walk goes on from home.
SCREEN_VISITS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("home", (), HOME),
    ("roster", ("r",), ROSTER),
    ("roster_search", ("slash", *"zhang"), ("搜索“zhang”",)),
    ("home", ("escape", "escape"), HOME),
    ("person_form", ("a",), PERSON_FORM),
    ("home", ("escape",), HOME),
    ("meetings", ("l",), ("支部/小组", "新建会议")),
    ("home", ("escape",), HOME),
    ("rota", ("k",), ("党课计划", "课件审核")),
    ("home", ("escape",), HOME),
    ("dues", ("c",), ("收缴率",)),
    ("home", ("escape",), HOME),
    ("participation", ("p",), ("出席率", "查找党员")),
    ("home", ("escape",), HOME),
]
CORE_SCREENS = ("home", "roster", "roster_search", "person_form")

# Person search, read off the roster: the list is on screen when the search
# box echoes the query and the first rows of the table are the expected
# names, in order; the status line "搜索“q”：n 人" (drawn a frame later) marks
# the settled screen.
SEARCH_ECHO = "▊{query}▎"  # the search Input's tall border around its value
TABLE_HEADER = "姓名政治面貌"  # the people table's header row (spaces dropped)
ROWS_CHECKED = 5


def search_status(query: str, count: int) -> str:
    return f"搜索“{query}”：{count} 人"


def _roster_limit() -> int:
    """How many rows the roster asks storage.people.search for."""
    from screens.roster.roster import SEARCH_LIMIT as limit

    return limit


SEARCH_LIMIT = _roster_limit()
QUERY_MIX = ("initials", "full", "chars")

# Characters typed into the person form's 姓名, in chunks (the field is cleared
# between chunks so the whole chunk stays visible).
TYPING_CHUNKS = ("夜班张三李四", "赵钱孙李周吴", "郑王冯陈褚卫", "蒋沈韩杨朱秦", "尤许何吕施张")

PHASES = ("startup", "search", "typing", "memory", "exports", "history", "pg")

# PostgreSQL (issue 21): startup and search on the same demo, built on the
# server once per run (not cached: the server may be a throwaway one).
PG_SIZES = (10_000, 50_000)
PG_DB_PREFIX = "pgbench_"  # databases the bench creates and drops on the server

TARGETS = {
    "startup_ratio": ("startup ÷ minimal Textual app (worst size)", 2.0),
    "startup_slowdown": ("startup at largest ÷ smallest size", 1.10),
    "search_p95_ms": ("person search p95, ms (worst size)", 50.0),
    "typing_p95_ms": ("form typing key→echo p95, ms", 30.0),
    "export_ratio": ("one minutes export ÷ python-docx baseline", 3.0),
    "idle_bytes_per_s": ("idle traffic on home, bytes/s", 0.0),
    "idle_form_bytes_per_s": ("idle traffic in the person form, bytes/s", 0.0),
    "bytes_per_key": ("traffic per keystroke in the form, bytes", 2048.0),
    "peak_rss_mb": ("peak RSS after the main screens, MB", 150.0),
    "history_ratio": ("10 years ÷ 1 year, worst screen (50 branches)", 1.2),
}

# Issue 23's targets, which the PostgreSQL rows are held to (issue 21).
PG_TARGETS = {
    "pg_startup_ratio": ("PostgreSQL: startup ÷ minimal Textual app (worst size)", 1.5),
    "pg_search_p95_ms": ("PostgreSQL: person search p95 at the largest size, ms", 30.0),
    "pg_search_bytes_per_key": ("PostgreSQL: person search bytes per key (worst size)", 3072.0),
}


@dataclass
class Config:
    sizes: tuple[int, ...]
    search_sizes: tuple[int, ...]
    session_size: int
    startup_reps: int
    queries: int
    typing_chunks: tuple[str, ...]
    idle_s: float
    export_reps: int
    bulk_limit: int | None
    pg_sizes: tuple[int, ...] = PG_SIZES


def config(args: argparse.Namespace) -> Config:
    sizes = tuple(sorted(set(args.people))) if args.people else SIZES
    search = tuple(n for n in sizes if n in SEARCH_SIZES) or (max(sizes),)
    session = SESSION_SIZE if SESSION_SIZE in sizes else max(sizes)
    pg = (tuple(n for n in sizes if n in PG_SIZES) or (max(sizes),)) if args.people else PG_SIZES
    if args.quick:
        return Config(sizes, search, session, 2, 3, TYPING_CHUNKS[:1], 0.5, 3, 5, pg)
    return Config(sizes, search, session, args.reps, 20, TYPING_CHUNKS, 10.0, 15, None, pg)


# -- Small helpers ----------------------------------------------------------


def pct(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def machine() -> dict[str, object]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    import textual

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": textual.__version__,
        # A busy machine inflates every latency; the ratios to baselines less so.
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }


# -- Databases ---------------------------------------------------------------


def fingerprint() -> str:
    """Cached databases are rebuilt when the demo or the schema changes."""
    h = hashlib.sha1()
    for rel in ("storage/demo.py", "storage/migrations.py", "domain/search_keys.py"):
        p = ROOT / rel
        h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()[:10]


def cached_db(n: int, cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    fp = fingerprint()
    path = cache / f"people-{n}-{fp}.db"
    if path.exists():
        return path
    for old in cache.glob(f"people-{n}-*.db*"):
        old.unlink()
    tmp = cache / f".building-{n}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    log(f"building the {n:,}-person database (cached in bench/cache/)…")
    t0 = time.perf_counter()
    done = subprocess.run(
        [str(ZHIBU), "--db", str(tmp), "demo", "--people", str(n)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: `zhibu demo --people {n}` failed: {done.stderr.strip()}")
    log(f"  built in {time.perf_counter() - t0:.1f} s")
    tmp.rename(path)
    return path


def working_copy(src: Path, workdir: Path, label: str) -> Path:
    """Sessions that may write (drafts) get their own copy; the cache stays clean."""
    dst = workdir / f"{label}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o600)
    return dst


def first_branch(db: Path | str) -> str:
    from storage import org
    from storage.db import open_store

    store = open_store(db, migrate=False)
    try:
        return org.branches(store)[0].name
    finally:
        store.close()


def needles(texts: Sequence[str], branch: str) -> tuple[str, ...]:
    return tuple(t.replace("{branch}", branch) for t in texts)


# -- Sessions ------------------------------------------------------------------


WHATIF: list[str] = []  # patches from bench/whatif.py applied to every app session


def zhibu_cmd() -> list[str]:
    """The installed command, or the same run through bench/whatif.py with patches."""
    if WHATIF:
        return [str(PY), str(BENCH / "whatif.py"), "--patch", ",".join(WHATIF), "--"]
    return [str(ZHIBU)]


def app(db: Path | str) -> Term:
    """The app on a SQLite file or a postgresql:// URL."""
    return Term([*zhibu_cmd(), "--db", str(db)])


def minimal(*extra: str) -> Term:
    return Term([str(PY), str(MINIMAL), *extra])


def time_to_ready(make: Callable[[], Term], texts: Sequence[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the program) from exec until *texts* are on screen."""
    term = make()
    try:
        term.wait_for(*texts, limit=60)
        wall = time.perf_counter() - term.started
        return wall, term.cpu_seconds() or 0.0
    finally:
        term.kill()


Launch = tuple[Callable[[], Term], Sequence[str]]


def interleaved_runs(
    launches: dict[str, Launch], reps: int
) -> dict[str, list[tuple[float, float]]]:
    """Each launch *reps* times, shuffled within every round so drift hits all alike."""
    for make, texts in launches.values():  # warm page cache and .pyc files; not counted
        time_to_ready(make, texts)
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in launches}
    for rep in range(reps):
        order = list(launches)
        random.Random(rep).shuffle(order)
        for key in order:
            runs[key].append(time_to_ready(*launches[key]))
    return runs


def median_of(runs: list[tuple[float, float]], i: int) -> float:
    return statistics.median(r[i] for r in runs)


def bench_startup(
    cfg: Config,
    dbs: dict[int, Path],
    branches: dict[int, str],
    *,
    sizes: tuple[int, ...] | None = None,
    launch: Callable[[int], Term] | None = None,
) -> dict:
    """Exec → home with its data, per size, against the minimal app in the same rounds.
    *launch* starts the app at a size (default: `zhibu --db` on *dbs*)."""
    sizes = sizes or cfg.sizes
    start = launch or (lambda n: app(dbs[n]))
    log(f"startup: {cfg.startup_reps} runs per size + baseline")
    launches: dict[str, Launch] = {"baseline": (minimal, (MINIMAL_READY,))}
    for n in sizes:
        launches[str(n)] = (lambda n=n: start(n), needles(HOME, branches[n]))
    runs = interleaved_runs(launches, cfg.startup_reps)
    base, base_cpu = median_of(runs["baseline"], 0), median_of(runs["baseline"], 1)
    per_size = {}
    for n in sizes:
        r = runs[str(n)]
        wall, cpu = median_of(r, 0), median_of(r, 1)
        per_size[str(n)] = {
            "app_s": round(wall, 4),
            "baseline_s": round(base, 4),
            "ratio": round(wall / base, 3),
            "app_cpu_s": round(cpu, 3),
            "baseline_cpu_s": round(base_cpu, 3),
            "cpu_ratio": round(cpu / base_cpu, 3) if base_cpu else None,
            "runs_s": [round(w, 4) for w, _c in r],
        }
    small, large = str(min(sizes)), str(max(sizes))
    return {
        "per_size": per_size,
        "baseline_s": round(base, 4),
        "baseline_runs_s": [round(w, 4) for w, _c in runs["baseline"]],
        "worst_ratio": max(v["ratio"] for v in per_size.values()),
        "slowdown_largest_vs_smallest": round(
            median_of(runs[large], 0) / median_of(runs[small], 0), 3
        ),
        "cpu_slowdown_largest_vs_smallest": round(
            median_of(runs[large], 1) / median_of(runs[small], 1), 3
        ),
        "sizes_compared": [int(small), int(large)],
    }


@dataclass
class Query:
    kind: str
    text: str
    person: str
    # per prefix: (prefix, result count, first names), the last one is the query
    steps: list[tuple[str, int, tuple[str, ...]]]


def search_limit() -> int:
    return 20 if "roster_rows_20" in WHATIF else SEARCH_LIMIT


def make_queries(db: Path | str, count: int, seed: int = 20261122) -> list[Query]:
    """Queries for names that exist, with the result the roster must show."""
    from domain.search_keys import RANK_FULL, RANK_INITIALS, normalise_query, person_keys
    from storage import people
    from storage.db import open_store

    store = open_store(db, migrate=False)
    try:
        ids = [r["id"] for r in store.query("SELECT id FROM people ORDER BY id")]
        rng = random.Random(seed)
        picked = people.get_many(store, rng.sample(ids, min(len(ids), count * 3)))
        picked.sort(key=lambda p: p.id)
        rng.shuffle(picked)
        queries: list[Query] = []
        for person in picked:
            if len(queries) == count:
                break
            kind = QUERY_MIX[len(queries) % len(QUERY_MIX)]
            keys = person_keys(person.name)
            if kind == "initials":
                text = next(
                    (k for k, r in keys if r == RANK_INITIALS and len(k) == len(person.name)), ""
                )
            elif kind == "full":
                text = next((k for k, r in keys if r == RANK_FULL), "")
            else:  # characters: the surname and the first given character
                text = person.name[:2]
            if not text or normalise_query(text) != text:
                continue
            steps = []
            for i in range(1, len(text) + 1):
                prefix = text[:i]
                rows = people.search(store, prefix, limit=search_limit())
                steps.append((prefix, len(rows), tuple(p.name for p in rows[:ROWS_CHECKED])))
            if steps[-1][1] == 0:
                continue
            queries.append(Query(kind, text, person.name, steps))
        return queries
    finally:
        store.close()


def sql_baseline(db: Path | str, queries: list[Query]) -> list[float]:
    """The same searches in-process, no UI: the floor for the on-screen figure."""
    from storage import people
    from storage.db import open_store

    store = open_store(db, migrate=False)
    try:
        out = []
        for q in queries:
            for prefix, _n, _top in q.steps:
                t0 = time.perf_counter()
                people.search(store, prefix, limit=SEARCH_LIMIT)
                out.append(time.perf_counter() - t0)
        return out
    finally:
        store.close()


def table_rows_show(term: Term, names: Sequence[str]) -> bool:
    """The people table's first rows are *names*, in order, right under its header."""
    lines = [line.replace(" ", "") for line in term.lines()]
    head = next((i for i, line in enumerate(lines) if TABLE_HEADER in line), None)
    if head is None or head + len(names) >= len(lines):
        return False
    return all(name in lines[head + 1 + i] for i, name in enumerate(names))


def bench_search(
    cfg: Config, n: int, db: Path | str, branch: str, start: Callable[[], Term] | None = None
) -> dict:
    """*start* launches the app on *db* (default: `zhibu --db DB`)."""
    queries = make_queries(db, cfg.queries)
    log(f"search at {n:,}: {len(queries)} queries")
    term = start() if start else app(db)
    final: list[float] = []
    every: list[float] = []
    settled: list[float] = []
    key_bytes: list[int] = []
    key_cpu: list[float] = []
    echoes: list[float] = []
    detail = []
    try:
        term.wait_for(*needles(HOME, branch), limit=60)
        term.settle()
        t0 = time.perf_counter()
        term.press("r")
        term.wait_for(*needles(ROSTER, branch))
        open_roster = time.perf_counter() - t0
        term.settle()
        term.press("slash")
        term.settle()
        for q in queries:
            term.press("ctrl+u")  # clear the search box; the branch list returns
            term.settle(quiet=0.3)
            times = []
            for prefix, count, names in q.steps:
                echo = SEARCH_ECHO.format(query=prefix)
                before, cpu0 = term.bytes_in, term.cpu_seconds() or 0.0
                t0 = time.perf_counter()
                term.type(prefix[-1])
                term.wait_for(echo)
                echoes.append(time.perf_counter() - t0)
                term.wait_until(
                    lambda names=names: table_rows_show(term, names), f"{echo} and rows {names}"
                )
                times.append(time.perf_counter() - t0)
                term.wait_for(search_status(prefix, count))
                settled.append(time.perf_counter() - t0)
                term.settle(quiet=0.1)
                key_bytes.append(term.bytes_in - before)
                key_cpu.append((term.cpu_seconds() or 0.0) - cpu0)
            final.append(times[-1])
            every.extend(times)
            detail.append({"kind": q.kind, "query": q.text, "top": q.steps[-1][2][0],
                           "results": q.steps[-1][1], "ms": ms(times[-1]),
                           "per_key_ms": [ms(t) for t in times]})  # fmt: skip
    finally:
        term.kill()
    sql = sql_baseline(db, queries)
    return {
        "p50_ms": ms(pct(final, 50)),
        "p95_ms": ms(pct(final, 95)),
        "max_ms": ms(max(final)),
        "every_key_p50_ms": ms(pct(every, 50)),
        "every_key_p95_ms": ms(pct(every, 95)),
        "every_key_max_ms": ms(max(every)),
        "settled_p95_ms": ms(pct(settled, 95)),
        "echo_p95_ms": ms(pct(echoes, 95)),
        "open_roster_ms": ms(open_roster),
        "bytes_per_key": round(statistics.mean(key_bytes), 1),
        # CPU the app spent per key (mean; /proc ticks are 10 ms, the mean of many is finer):
        # the floor for the latency on an idle machine.
        "cpu_ms_per_key": round(statistics.mean(key_cpu) * 1000, 1),
        "baseline_sql_p50_ms": ms(pct(sql, 50)),
        "baseline_sql_p95_ms": ms(pct(sql, 95)),
        "queries": detail,
    }


def type_and_time(
    term: Term, chunks: Sequence[str], label: str
) -> tuple[list[float], list[int], list[float]]:
    """Key→echo seconds, bytes and CPU seconds per key; echo = the label then what was typed."""
    times: list[float] = []
    sizes: list[int] = []
    cpus: list[float] = []
    for chunk in chunks:
        term.press("ctrl+u")
        term.settle(quiet=0.3)
        for i in range(1, len(chunk) + 1):
            want = label + chunk[:i]
            before, cpu0 = term.bytes_in, term.cpu_seconds() or 0.0
            t0 = time.perf_counter()
            term.type(chunk[i - 1])
            term.wait_for(want)
            times.append(time.perf_counter() - t0)
            term.settle(quiet=0.15)  # trailing output belongs to this key too
            sizes.append(term.bytes_in - before)
            cpus.append((term.cpu_seconds() or 0.0) - cpu0)
    return times, sizes, cpus


def bench_session(cfg: Config, db: Path, branch: str) -> dict:
    """Idle traffic on home and in the form, then typing in the form."""
    log(f"typing and traffic at {cfg.session_size:,} (idle {cfg.idle_s:g} s ×2)")
    term = app(db)
    try:
        term.wait_for(*needles(HOME, branch), limit=60)
        term.settle(quiet=0.5)
        idle_home = term.drain_for(cfg.idle_s)
        term.press("a")
        term.wait_for(*PERSON_FORM)
        term.settle(quiet=0.5)
        idle_form = term.drain_for(cfg.idle_s)
        times, sizes, cpus = type_and_time(term, cfg.typing_chunks, "姓名")
    finally:
        term.kill()
    log("  baseline: minimal app with one Input")
    base = minimal("--input")
    try:
        base.wait_for(MINIMAL_READY)
        base.settle(quiet=0.5)
        base_idle_input = base.drain_for(min(cfg.idle_s, 3.0))
        base_idle_s = min(cfg.idle_s, 3.0)
        base_times, base_sizes, base_cpus = type_and_time(base, cfg.typing_chunks, "")
    finally:
        base.kill()
    plain = minimal()
    try:
        plain.wait_for(MINIMAL_READY)
        plain.settle(quiet=0.5)
        base_idle = plain.drain_for(cfg.idle_s)
    finally:
        plain.kill()
    return {
        "typing": {
            "keys": len(times),
            "p50_ms": ms(pct(times, 50)),
            "p95_ms": ms(pct(times, 95)),
            "max_ms": ms(max(times)),
            "baseline_p50_ms": ms(pct(base_times, 50)),
            "baseline_p95_ms": ms(pct(base_times, 95)),
            "cpu_ms_per_key": round(statistics.mean(cpus) * 1000, 1),
            "baseline_cpu_ms_per_key": round(statistics.mean(base_cpus) * 1000, 1),
        },
        "traffic": {
            "idle_seconds": cfg.idle_s,
            "idle_bytes_per_s": round(idle_home / cfg.idle_s, 1),
            "idle_form_bytes_per_s": round(idle_form / cfg.idle_s, 1),
            "baseline_idle_bytes_per_s": round(base_idle / cfg.idle_s, 1),
            "baseline_idle_input_bytes_per_s": round(base_idle_input / base_idle_s, 1),
            "bytes_per_key": round(statistics.mean(sizes), 1),
            "bytes_per_key_p95": pct(sizes, 95),
            "baseline_bytes_per_key": round(statistics.mean(base_sizes), 1),
        },
    }


def back_home(term: Term, branch: str) -> None:
    """After a screen did not show as expected: Esc until home, so the walk goes on."""
    for _ in range(4):
        if term.shows(*needles(HOME, branch)):
            return
        term.press("escape")
        term.settle(quiet=0.3)


def bench_memory(db: Path, branch: str) -> dict:
    log("memory: " + " → ".join(name for name, _k, _t in SCREEN_VISITS))
    term = app(db)
    visits = []
    try:
        for name, keys, texts in SCREEN_VISITS:
            for key in keys:  # one at a time: a key sent with the one that moves
                term.press(key)  # focus would go to the old widget
                term.settle(quiet=0.1)
            try:
                term.wait_for(*needles(texts, branch), limit=15)
            except ScreenTimeout as e:
                visits.append({"screen": name, "error": str(e).splitlines()[0]})
                back_home(term, branch)
                continue
            term.settle(quiet=0.3)
            visits.append({"screen": name, "rss_mb": round((term.proc_status("VmRSS") or 0) / 1024, 1),
                           "hwm_mb": round((term.proc_status("VmHWM") or 0) / 1024, 1)})  # fmt: skip
        peak = (term.proc_status("VmHWM") or 0) / 1024
    finally:
        term.kill()
    base = minimal()
    try:
        base.wait_for(MINIMAL_READY)
        base.settle(quiet=0.3)
        base_peak = (base.proc_status("VmHWM") or 0) / 1024
    finally:
        base.kill()
    return {
        "peak_rss_mb": round(peak, 1),
        "baseline_rss_mb": round(base_peak, 1),
        "per_screen": visits,
    }


def run_probe(mode: str, db: Path, out: Path, *extra: str) -> dict:
    cmd = [
        str(PY),
        str(BENCH / "export_probe.py"),
        mode,
        "--db",
        str(db),
        "--out",
        str(out),
        *extra,
    ]
    if WHATIF:
        cmd += ["--patch", ",".join(WHATIF)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def finished_meetings(db: Path) -> int:
    c = sqlite3.connect(db)
    try:
        return int(c.execute("SELECT count(*) FROM meetings WHERE status='已完成'").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        c.close()


def bulk_export(cfg: Config, db: Path, out: Path) -> dict:
    """`zhibu export minutes -o DIR`: every finished meeting, as a secretary runs it."""
    landed = importlib.util.find_spec("storage.meetings") is not None
    if not landed:
        return {"seconds": None, "files_per_s": None, "reason": "meetings storage not landed"}
    n = finished_meetings(db)
    if not n:
        return {
            "seconds": None,
            "files_per_s": None,
            "reason": "no finished meetings in the demo database",
        }
    if cfg.bulk_limit or importlib.util.find_spec("tui.cli_minutes") is None:
        return run_probe(
            "bulk", db, out, *(["--limit", str(cfg.bulk_limit)] if cfg.bulk_limit else [])
        )
    t0 = time.perf_counter()
    subprocess.run([*zhibu_cmd(), "--db", str(db), "export", "minutes", "-o", str(out)],
                   check=True, stdout=subprocess.DEVNULL, cwd=out.parent)  # fmt: skip
    seconds = time.perf_counter() - t0
    files = len(list(out.glob("*.docx")))
    return {"seconds": seconds, "files_per_s": files / seconds, "files": files, "meetings": n,
            "how": "zhibu export minutes -o DIR (wall time, process start included)"}  # fmt: skip


def bench_exports(cfg: Config, db: Path, workdir: Path) -> tuple[dict, dict]:
    log("minutes export: one meeting vs python-docx baseline; then bulk")
    one = run_probe("one", db, workdir / "export-one", "--reps", str(cfg.export_reps))
    bulk = bulk_export(cfg, db, workdir / "export-bulk")
    bulk["baseline_files_per_s"] = round(1 / one["baseline_s"], 1)
    for k in (
        "app_s",
        "app_build_s",
        "app_save_s",
        "baseline_s",
        "app_cold_s",
        "baseline_cold_s",
        "import_exports_s",
    ):
        one[k] = round(one[k], 4)
    one["ratio"] = round(one["ratio"], 3)
    if bulk.get("seconds") is not None:
        bulk["seconds"] = round(bulk["seconds"], 3)
        bulk["files_per_s"] = round(bulk["files_per_s"], 1)
    return one, bulk


# -- PostgreSQL ------------------------------------------------------------------


@dataclass
class PgServer:
    url: str  # the server's maintenance database; "" when there is none
    source: str  # where it came from, or why there is none
    stop: Callable[[], None] | None = None  # set only when the bench started it


def pg_server() -> PgServer:
    """ZHIBU_BENCH_PG_URL, else the throwaway cluster of tests/pg_cluster.py
    (reused when the suite left one running, stopped afterwards when started here)."""
    given = os.environ.get("ZHIBU_BENCH_PG_URL", "")
    if given:
        return PgServer(given, "ZHIBU_BENCH_PG_URL")
    from tests import pg_cluster

    if pg_cluster._bin_dir() is None:
        return PgServer("", "no PostgreSQL server is installed (no pg_ctl on PATH or under "
                            "/usr/lib/postgresql) and ZHIBU_BENCH_PG_URL is not set")  # fmt: skip
    home = pg_cluster._home()
    test_url = os.environ.get("ZHIBU_TEST_PG_URL", "")
    running = (home / "data" / "postmaster.pid").exists() and pg_cluster._answers(
        pg_cluster.url_for(home)
    )
    reused = running or bool(test_url and pg_cluster._answers(test_url))
    try:
        url = pg_cluster.up()
    except (OSError, subprocess.CalledProcessError, SystemExit) as e:
        return PgServer("", f"the throwaway PostgreSQL cluster did not start: {e}")
    if not url:
        return PgServer("", "tests/pg_cluster.py found no server to start")
    if reused:
        return PgServer(url, "tests/pg_cluster.py (already running)")
    return PgServer(url, "tests/pg_cluster.py (started for this run)", pg_cluster.down)


def pg_url(server: str, dbname: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(server).set(database=dbname).render_as_string(hide_password=False)


def pg_admin(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as c:
        c.execute(sql.encode())  # our own DDL, with a name the bench made


def build_pg(url: str, n: int) -> dict:
    """The demo at *n* people into the (new, empty) database at *url*, timed:
    schema, build_demo (per stage, from its progress lines) and ANALYZE."""
    import psycopg

    from storage.db import open_store
    from storage.demo import build_demo

    t0 = time.perf_counter()
    stages: list[list[object]] = []

    def progress(message: str) -> None:
        if not message.startswith("已生成"):  # per-branch ticks: too many to keep
            stages.append([round(time.perf_counter() - t0, 1), message])

    store = open_store(url, actor="bench")
    schema_s = time.perf_counter() - t0
    try:
        counts = build_demo(store, people_count=n, progress=progress)
    finally:
        store.close()
    build_s = time.perf_counter() - t0 - schema_s
    # Fresh tables have no planner statistics until autovacuum gets to them
    # (about a minute later); a running server has them, so the bench too.
    t1 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("ANALYZE")
        version = c.execute("SHOW server_version").fetchone()
    return {"schema_s": round(schema_s, 2), "build_s": round(build_s, 1),
            "analyze_s": round(time.perf_counter() - t1, 2), "people": counts["people"],
            "stages_s": stages, "server_version": version[0] if version else None}  # fmt: skip


def bench_pg(cfg: Config) -> dict:
    """Startup and person search on PostgreSQL, with the same baselines as SQLite:
    the minimal app in the same rounds, search() in-process on the same server."""
    server = pg_server()
    if not server.url:
        log(f"pg: the PostgreSQL rows were not measured: {server.source}")
        return {"measured": False, "reason": server.source}
    log(f"pg: server from {server.source}")
    tag = f"{os.getpid()}_{random.randrange(16**6):06x}"
    made: list[str] = []
    try:
        urls: dict[int, str] = {}
        builds: dict[str, dict] = {}
        for n in cfg.pg_sizes:
            name = f"{PG_DB_PREFIX}{n}_{tag}"
            pg_admin(server.url, f'CREATE DATABASE "{name}"')
            made.append(name)
            urls[n] = pg_url(server.url, name)
            log(f"pg: building the {n:,}-person database on the server…")
            builds[str(n)] = build_pg(urls[n], n)
            log(f"  built in {builds[str(n)]['build_s']} s")
        branches = {n: first_branch(urls[n]) for n in cfg.pg_sizes}

        def launch(n: int) -> Term:
            return app(urls[n])

        startup = bench_startup(cfg, {}, branches, sizes=cfg.pg_sizes, launch=launch)
        search = {str(n): bench_search(cfg, n, urls[n], branches[n], partial(launch, n))
                  for n in cfg.pg_sizes}  # fmt: skip
        result = {"measured": True, "server": server.source, "sizes": list(cfg.pg_sizes),
                  "server_version": next(iter(builds.values()))["server_version"],
                  "builds": builds, "startup": startup, "search": {"per_size": search}}  # fmt: skip
        result["targets"] = pg_verdicts(result)
        return result
    finally:
        for name in made:
            try:
                pg_admin(server.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as e:  # noqa: BLE001 - report and go on to stop the server
                log(f"pg: could not drop {name}: {e}")
        if server.stop:
            server.stop()


def pg_verdicts(pg: dict) -> list[dict]:
    per = pg["search"]["per_size"]
    values = {
        "pg_startup_ratio": pg["startup"]["worst_ratio"],
        "pg_search_p95_ms": per[str(max(int(k) for k in per))]["p95_ms"],
        "pg_search_bytes_per_key": max(v["bytes_per_key"] for v in per.values()),
    }
    return [{"target": key, "what": what, "value": values[key], "limit": limit,
             "pass": values[key] <= limit} for key, (what, limit) in PG_TARGETS.items()]  # fmt: skip


# -- Report ----------------------------------------------------------------------


def run_history(cfg: Config, cache: Path, workdir: Path) -> dict:
    """10 years × 50 branches against 1 year × 50 branches (bench/history.py)."""
    import history

    copies: dict[Path, tuple[Path, tuple[str, ...]]] = {}

    def start(db: Path) -> tuple[float, float]:
        if db not in copies:  # the app may write (drafts): never into the cache
            copy = working_copy(db, workdir, f"history-{db.stem}")
            copies[db] = copy, needles(HOME, first_branch(copy))
        copy, texts = copies[db]
        return time_to_ready(lambda: app(copy), texts)

    quick = cfg.startup_reps <= 2  # the smoke run: 2 years × 4 branches, seconds
    return history.bench_history(
        zhibu=ZHIBU, cache=cache, reps=5 if quick else 21, start_reps=cfg.startup_reps,
        today=dt.date.today(), start_time=start, log=log,
        years=(1, 2) if quick else history.YEARS, branches=4 if quick else history.BRANCHES,
    )  # fmt: skip


def verdicts(r: dict) -> list[dict]:
    values = {
        "startup_ratio": r["startup"]["worst_ratio"],
        "startup_slowdown": r["startup"]["slowdown_largest_vs_smallest"],
        "search_p95_ms": max(v["p95_ms"] for v in r["search"]["per_size"].values()),
        "typing_p95_ms": r["typing"]["p95_ms"],
        "export_ratio": r["export_one"]["ratio"],
        "idle_bytes_per_s": r["traffic"]["idle_bytes_per_s"],
        "idle_form_bytes_per_s": r["traffic"]["idle_form_bytes_per_s"],
        "bytes_per_key": r["traffic"]["bytes_per_key"],
        "peak_rss_mb": r["memory"]["peak_rss_mb"],
        "history_ratio": r["history"]["worst_ratio"] if "history" in r else None,
    }
    return [
        {
            "target": key,
            "what": what,
            "value": values[key],
            "limit": limit,
            "pass": values[key] <= limit,
        }
        for key, (what, limit) in TARGETS.items()
        if values[key] is not None
    ]


def table(r: dict) -> str:
    s, t, tr, m, e, b = (
        r[k] for k in ("startup", "typing", "traffic", "memory", "export_one", "export_bulk")
    )
    rows = [("figure", "zhibu", "baseline", "")]
    for n, v in s["per_size"].items():
        rows.append(
            (
                f"startup {int(n):,} people, s",
                f"{v['app_s']:.3f}",
                f"{v['baseline_s']:.3f}",
                f"×{v['ratio']:.2f}",
            )
        )
    rows.append(("startup largest ÷ smallest", f"×{s['slowdown_largest_vs_smallest']:.3f}", "", ""))
    for n, v in r["search"]["per_size"].items():
        rows.append((f"search {int(n):,} p50 / p95, ms", f"{v['p50_ms']:.1f} / {v['p95_ms']:.1f}",
                     f"{v['baseline_sql_p50_ms']:.1f} / {v['baseline_sql_p95_ms']:.1f} (SQL)", ""))  # fmt: skip
        rows.append(
            (f"search {int(n):,} every key p95, ms", f"{v['every_key_p95_ms']:.1f}", "", "")
        )
    rows.append(("typing echo p50 / p95, ms", f"{t['p50_ms']:.1f} / {t['p95_ms']:.1f}",
                 f"{t['baseline_p50_ms']:.1f} / {t['baseline_p95_ms']:.1f}", ""))  # fmt: skip
    rows.append(
        (
            "one minutes export, ms",
            f"{e['app_s'] * 1000:.1f}",
            f"{e['baseline_s'] * 1000:.1f}",
            f"×{e['ratio']:.2f}",
        )
    )
    if b.get("seconds") is None:
        rows.append(("bulk export", "null", f"{b['baseline_files_per_s']} files/s", b["reason"]))
    else:
        rows.append(
            (
                "bulk export, files/s",
                f"{b['files_per_s']}",
                f"{b['baseline_files_per_s']}",
                f"{b['seconds']} s",
            )
        )
    rows.append(("idle home / form, B/s", f"{tr['idle_bytes_per_s']} / {tr['idle_form_bytes_per_s']}",
                 f"{tr['baseline_idle_bytes_per_s']} / {tr['baseline_idle_input_bytes_per_s']}", ""))  # fmt: skip
    rows.append(
        ("bytes per keystroke", f"{tr['bytes_per_key']}", f"{tr['baseline_bytes_per_key']}", "")
    )
    rows.append(("peak RSS, MB", f"{m['peak_rss_mb']}", f"{m['baseline_rss_mb']}", ""))
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.append("")
    for v in r["targets"]:
        lines.append(
            f"{'PASS' if v['pass'] else 'FAIL'}  {v['what']}: {v['value']} (limit {v['limit']})"
        )
    return "\n".join(lines)


def pg_table(pg: dict) -> str:
    if not pg.get("measured"):
        return f"PostgreSQL: not measured — {pg['reason']}"
    s = pg["startup"]
    lines = [f"PostgreSQL {pg['server_version']} ({pg['server']})"]
    for n, b in pg["builds"].items():
        lines.append(
            f"  build_demo {int(n):,} people: {b['build_s']} s (+ schema {b['schema_s']} s)"
        )
    for n, v in s["per_size"].items():
        lines.append(f"  startup {int(n):,}: {v['app_s']:.3f} s vs minimal app {v['baseline_s']:.3f} s"
                     f" = ×{v['ratio']:.2f}")  # fmt: skip
    for n, v in pg["search"]["per_size"].items():
        lines.append(f"  search {int(n):,}: p50 / p95 {v['p50_ms']} / {v['p95_ms']} ms, "
                     f"{v['bytes_per_key']} B/key; search() alone {v['baseline_sql_p50_ms']} / "
                     f"{v['baseline_sql_p95_ms']} ms")  # fmt: skip
    for t in pg["targets"]:
        lines.append(
            f"{'PASS' if t['pass'] else 'FAIL'}  {t['what']}: {t['value']} (limit {t['limit']})"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--quick", action="store_true", help="fewer repetitions and queries (smoke test)"
    )
    ap.add_argument(
        "--people",
        type=int,
        action="append",
        help="database size; repeatable (default 1k, 10k, 50k)",
    )
    ap.add_argument("--reps", type=int, default=7, help="startup runs per size (median)")
    ap.add_argument("--json", type=Path, help="also write the JSON here")
    ap.add_argument("--cache", type=Path, default=CACHE, help="where the demo databases are kept")
    ap.add_argument(
        "--results",
        type=Path,
        help="write RESULTS.md here (a full run defaults to bench/RESULTS.md)",
    )
    ap.add_argument("--only", help=f"comma-separated subset of: {','.join(PHASES)} (no report)")
    ap.add_argument(
        "--whatif", help="patches from bench/whatif.py to apply to the app, comma-separated"
    )
    args = ap.parse_args(argv)
    cfg = config(args)
    if args.whatif:
        WHATIF[:] = [w for w in args.whatif.split(",") if w]
    if not ZHIBU.exists():
        print(
            f"bench: {ZHIBU} not found; run `make bench` (it installs the package)", file=sys.stderr
        )
        return 2
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def phase(name: str, fn: Callable[[], object]) -> object:
        t0 = time.perf_counter()
        try:
            return fn()
        finally:
            phases[name] = round(time.perf_counter() - t0, 1)

    want = set(args.only.split(",")) if args.only else set(PHASES)
    unknown = want - set(PHASES)
    if unknown:
        print(f"bench: unknown phase {', '.join(sorted(unknown))}; known: {', '.join(PHASES)}",
              file=sys.stderr)  # fmt: skip
        return 2
    # history and pg build their own databases
    sizes = cfg.sizes if want & {"startup", "search", "typing", "memory", "exports"} else ()
    dbs = phase("databases", lambda: {n: cached_db(n, args.cache) for n in sizes})
    branches = {n: first_branch(dbs[n]) for n in sizes}
    n = cfg.session_size
    workdir = Path(tempfile.mkdtemp(prefix="zhibu-bench-"))
    try:
        reads = {n: working_copy(dbs[n], workdir, f"read-{n}") for n in sizes}
        result: dict = {
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "mode": "quick" if args.quick else "full",
            "machine": machine(),
            "sizes": list(cfg.sizes),
            "session_size": n,
        }
        if "startup" in want:
            result["startup"] = phase("startup", lambda: bench_startup(cfg, reads, branches))
        if "search" in want:
            result["search"] = phase("search", lambda: {"per_size": {
                str(k): bench_search(cfg, k, reads[k], branches[k]) for k in cfg.search_sizes}})  # fmt: skip
        if "typing" in want:
            session = phase(
                "typing_traffic",
                lambda: bench_session(cfg, working_copy(dbs[n], workdir, "session"), branches[n]),
            )
            result.update(session)
        if "memory" in want:
            result["memory"] = phase(
                "memory", lambda: bench_memory(working_copy(dbs[n], workdir, "memory"), branches[n])
            )
        if "exports" in want:
            result["export_one"], result["export_bulk"] = phase(
                "exports",
                lambda: bench_exports(cfg, working_copy(dbs[n], workdir, "export"), workdir),
            )
        if "history" in want:
            result["history"] = phase("history", lambda: run_history(cfg, args.cache, workdir))
        if "pg" in want:
            result["pg"] = phase("pg", lambda: bench_pg(cfg))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["phases_s"] = phases
    result["duration_s"] = round(time.perf_counter() - started, 1)
    result["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    if WHATIF:
        result["whatif"] = WHATIF
    text = json.dumps(result, ensure_ascii=False)
    if args.only:  # a partial run: the figures asked for, no verdicts or report
        print(text)
        if args.json:
            args.json.write_text(text + "\n", encoding="utf-8")
        if args.results and "history" in result:
            from report import write_history

            write_history(args.results, result)  # replaces only that section
        if args.results and "pg" in result:
            from report import write_pg

            write_pg(args.results, result)  # replaces only that section
        if "pg" in result:
            print(pg_table(result["pg"]), file=sys.stderr)
        return 0
    result["targets"] = verdicts(result)
    text = json.dumps(result, ensure_ascii=False)
    print(text)
    print(table(result))
    if "pg" in result:
        print(pg_table(result["pg"]))
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    full = not (args.quick or args.people or args.whatif)
    results_md = args.results or (BENCH / "RESULTS.md" if full else None)
    if results_md:
        from report import write_results

        write_results(results_md, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
