"""The benchmark still runs end to end and reports every figure (not how fast)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pexpect")
pytest.importorskip("pyte")

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "bench" / "run.py"
PEOPLE = 200

# Every figure the report and the targets are built from.
STARTUP = ("app_s", "baseline_s", "ratio", "app_cpu_s", "baseline_cpu_s", "cpu_ratio")
SEARCH = ("p50_ms", "p95_ms", "every_key_p95_ms", "settled_p95_ms", "bytes_per_key", "cpu_ms_per_key",
          "baseline_sql_p50_ms", "baseline_sql_p95_ms")  # fmt: skip
TYPING = (
    "p50_ms",
    "p95_ms",
    "baseline_p50_ms",
    "baseline_p95_ms",
    "cpu_ms_per_key",
    "baseline_cpu_ms_per_key",
)
TRAFFIC = ("idle_bytes_per_s", "idle_form_bytes_per_s", "baseline_idle_bytes_per_s",
           "baseline_idle_input_bytes_per_s", "bytes_per_key", "baseline_bytes_per_key")  # fmt: skip
EXPORT_ONE = ("app_s", "app_build_s", "app_save_s", "baseline_s", "ratio")
MEMORY = ("peak_rss_mb", "baseline_rss_mb")
TARGETS = {"startup_ratio", "startup_slowdown", "search_p95_ms", "typing_p95_ms", "export_ratio",
           "idle_bytes_per_s", "idle_form_bytes_per_s", "bytes_per_key", "peak_rss_mb"}  # fmt: skip


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _assert_numbers(section: dict, keys: tuple[str, ...], where: str) -> None:
    for key in keys:
        assert _number(section.get(key)), f"{where}.{key} = {section.get(key)!r}"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    exe = Path(sys.executable).parent / "zhibu"
    if not exe.exists():
        pytest.skip("the zhibu command is not installed in this environment")
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "bench.json"
    cmd = [sys.executable, str(RUN), "--quick", "--people", str(PEOPLE), "--cache", str(tmp / "cache"),
           "--json", str(out)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def test_every_figure_is_a_number_with_its_baseline(report: dict) -> None:
    size = str(PEOPLE)
    _assert_numbers(report["startup"]["per_size"][size], STARTUP, "startup")
    assert _number(report["startup"]["slowdown_largest_vs_smallest"])
    _assert_numbers(report["search"]["per_size"][size], SEARCH, "search")
    _assert_numbers(report["typing"], TYPING, "typing")
    _assert_numbers(report["traffic"], TRAFFIC, "traffic")
    _assert_numbers(report["export_one"], EXPORT_ONE, "export_one")
    _assert_numbers(report["memory"], MEMORY, "memory")
    bulk = report["export_bulk"]
    assert _number(bulk["baseline_files_per_s"])
    if bulk["seconds"] is None:
        assert bulk["files_per_s"] is None and bulk["reason"]
    else:
        assert _number(bulk["seconds"]) and _number(bulk["files_per_s"]) and bulk["files"] > 0


def test_search_and_screens_were_really_driven(report: dict) -> None:
    queries = report["search"]["per_size"][str(PEOPLE)]["queries"]
    assert queries and all(q["results"] > 0 and q["top"] for q in queries)
    visits = report["memory"]["per_screen"]
    core = {"home", "roster", "roster_search", "person_form"}  # run.CORE_SCREENS
    assert [v for v in visits if v["screen"] in core and "error" in v] == []
    assert {v["screen"] for v in visits} >= core
    assert report["typing"]["keys"] > 0


def test_targets_report_pass_or_fail(report: dict) -> None:
    targets = {t["target"]: t for t in report["targets"]}
    assert set(targets) == TARGETS
    for t in targets.values():
        assert _number(t["value"]) and _number(t["limit"]) and isinstance(t["pass"], bool)
    machine = report["machine"]
    assert machine["cpu"] and machine["cores"] >= 1 and machine["ram_gb"] > 0
