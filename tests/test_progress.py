"""Issue 16 item 11: long work shows how far it has got: a progress bar with
done / total in the app, a progress line on a terminal's stderr in the CLI."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest
from textual.widgets import Label, ProgressBar

from domain.navigation import Place
from services.progress import Progress
from widgets.job_progress import JobProgress


def test_progress_line_says_done_total_and_time_left() -> None:
    line = Progress(done=30, total=120, elapsed=15.0).line("导出会议记录")
    assert line == "导出会议记录 30/120（25%），剩余约 45 秒"
    assert Progress(120, 120, 60.0).line("导出") == "导出 120/120（100%）"


def _record_bar(monkeypatch) -> list[tuple[bool, str, float | None, float]]:
    """What the bar showed each time the worker reported a step."""
    seen: list[tuple[bool, str, float | None, float]] = []
    original = JobProgress.step

    def step(self: JobProgress, label: str, p: Progress) -> None:
        original(self, label, p)
        bar = self.query_one(ProgressBar)
        seen.append((bool(self.display), str(self.query_one(Label).render()), bar.total,
                     bar.progress))  # fmt: skip

    monkeypatch.setattr(JobProgress, "step", step)
    return seen


async def test_a_year_of_minutes_shows_a_progress_bar(
    make_demo_app, demo_store, export_dir, monkeypatch
):
    seen = _record_bar(monkeypatch)
    # A short year (24 records; the rest marked superseded, which the export
    # leaves out) shows the same bar as the demo's 240 at a tenth of the cost:
    # this test was the slowest of the suite.
    with demo_store.write() as c:
        c.execute(
            "UPDATE meetings SET superseded=1 WHERE id NOT IN (SELECT id FROM meetings"
            " WHERE status='已完成' AND superseded=0 AND date LIKE '2026-%'"
            " ORDER BY date LIMIT 24)"
        )
    year = demo_store.query_one(
        "SELECT COUNT(*) AS n FROM meetings WHERE status='已完成' AND superseded=0"
        " AND date LIKE '2026-%'"
    )["n"]
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.go(Place.MEETINGS)
        await pilot.pause()
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.screen.query_one(JobProgress).display  # gone when done
    assert year > 20
    assert seen[0][:3] == (True, f"导出会议记录 0/{year}", year)
    assert (True, f"导出会议记录 10/{year}", year, 10) in seen
    files = list(export_dir.glob("*.docx"))
    assert len(files) == year


async def test_quarterly_report_shows_a_progress_bar(make_demo_app, tmp_path, monkeypatch):
    seen = _record_bar(monkeypatch)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.go(Place.PARTICIPATION)
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("ctrl+u", *str(tmp_path / "报告"), "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert seen[0][:3] == (True, "导出季度报告 0/1", 1)
    assert seen[-1][1:] == ("导出季度报告 1/1", 1, 1)
    assert list((tmp_path / "报告").glob("*.docx"))


def _people_csv(path: Path, n: int) -> Path:
    chars = "安北晨东方光海红华佳建金丽林明平奇荣世涛文小欣雪阳义永玉振志"
    names = [f"王{a}{b}" for a in chars for b in chars][:n]
    rows = "".join(f"{name},群众,采油一队党支部\n" for name in names)
    path.write_text("姓名,政治面貌,支部\n" + rows, encoding="utf-8")
    return path


async def test_import_of_many_rows_shows_a_progress_bar(make_demo_app, demo_store, tmp_path,
                                                        monkeypatch):  # fmt: skip
    seen = _record_bar(monkeypatch)
    before = demo_store.query_one("SELECT COUNT(*) AS n FROM people")["n"]
    csv = _people_csv(tmp_path / "名单.csv", 900)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.go(Place.IMPORT_PEOPLE)
        await pilot.pause()
        await pilot.press(*str(csv), "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert demo_store.query_one("SELECT COUNT(*) AS n FROM people")["n"] == before + 900
    assert (True, "导入人员 200/900", 900, 200) in seen
    assert seen[-1][1:] == ("导入人员 900/900", 900, 900)


def _zhibu() -> str:
    from tests.test_terminal_smoke import _zhibu as find

    return find()


def _export_minutes(db: Path, out: Path, *, tty: bool) -> tuple[int, str, str]:
    args = [_zhibu(), "--db", str(db), "export", "minutes", "-o", str(out),
            "--from", "2026-10-01", "--to", "2026-10-31"]  # fmt: skip
    env = {**os.environ, "COLUMNS": "80"}
    if not tty:
        r = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
        return r.returncode, r.stdout, r.stderr
    leader, follower = pty.openpty()
    try:
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=follower, env=env)
        os.close(follower)
        chunks: list[bytes] = []
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:  # the child closed its end
                break
            if not data:
                break
            chunks.append(data)
        out_text = p.stdout.read().decode() if p.stdout else ""
        code = p.wait(timeout=120)
    finally:
        os.close(leader)
    return code, out_text, b"".join(chunks).decode()


@pytest.mark.xdist_group("pty")
def test_cli_prints_a_progress_line_only_on_a_terminal(demo_store, tmp_path) -> None:
    db = demo_store.path
    n = demo_store.query_one(
        "SELECT COUNT(*) AS n FROM meetings WHERE status='已完成' AND superseded=0"
        " AND date BETWEEN '2026-10-01' AND '2026-10-31'"
    )["n"]
    demo_store.close()
    assert n > 3
    code, out, err = _export_minutes(db, tmp_path / "a", tty=True)
    assert code == 0, err
    assert f"\r导出会议记录 1/{n}" in err and f"导出会议记录 {n}/{n}（100%）" in err
    assert "剩余约" in err
    assert "导出会议记录" not in out  # the file lines on stdout stay as they were
    code, out, err = _export_minutes(db, tmp_path / "b", tty=False)
    assert code == 0 and err == ""
    assert len(list((tmp_path / "b").glob("*.docx"))) == n
