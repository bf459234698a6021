"""Minutes export timings, run in a fresh process and printed as one JSON object.

export_probe.py one  --db DB --reps R --out DIR
    one meeting: exports.minutes build + save_atomic, against python-docx
    creating and saving a one-page document with a table (same process)
export_probe.py bulk --db DB --out DIR
    every finished meeting in DB through exports.minutes.export
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import statistics
import time
from pathlib import Path

NOW = dt.datetime(2026, 11, 20, 16, 5)


def demo_meeting(db: Path):
    """A finished 党员大会 of the demo's first branch, built in-process."""
    from domain.meeting_kinds import MeetingKind
    from domain.meetings import (
        Decision,
        Speaker,
        attendance_summary,
        finish,
        mark_step_done,
        new_meeting,
        new_vote,
        sign_in_all,
    )
    from storage import org, people
    from storage.db import open_store

    store = open_store(db, migrate=False)
    try:
        branch = org.branches(store)[0]
        roster = people.members_of(store, branch.id)
    finally:
        store.close()
    m = new_meeting(MeetingKind.MEMBER_ASSEMBLY, branch.id, branch.name, NOW.date(), people=roster)
    m, _ = sign_in_all(m)
    chair, recorder = m.attendance[0], m.attendance[1]
    m = m.model_copy(
        update={
            "chair_id": chair.person_id,
            "chair_name": chair.name,
            "recorder_id": recorder.person_id,
            "recorder_name": recorder.name,
            "place": "作业区三楼会议室",
            "start_time": dt.time(14, 30),
            "end_time": dt.time(16, 0),
            "topics": ["传达学习上级会议精神", "研究下季度主题党日安排"],
            "title": "2026年第4次支部党员大会",
        }
    )
    for step in m.procedure.steps:
        m = mark_step_done(m, step.key, NOW)
    m = mark_step_done(m, "report", NOW, notes="书记传达了上级会议精神。", topic_no=1)
    speakers = [Speaker(name=e.name, remark="同意安排，建议兼顾夜班。") for e in m.attendance[2:6]]
    m = mark_step_done(m, "discuss", NOW, speakers=speakers, topic_no=2)
    voting = attendance_summary(m).present_voting
    m.votes.append(new_vote(m, "下季度主题党日安排", yes=voting - 1, no=1, topic_no=2))
    m.decisions.append(
        Decision(
            text="主题党日组织志愿服务",
            owner_name=recorder.name,
            deadline=dt.date(2026, 12, 31),
            topic_no=2,
        )
    )
    m.summary = "会议开得紧凑，安排明确。"
    return finish(m, NOW)


def stored_finished(db: Path, limit: int | None = None) -> list:
    """Finished meetings from the meetings table (documents + index columns)."""
    from domain.meetings import Meeting, MeetingStatus
    from storage.db import open_store
    from storage.records import load_document

    store = open_store(db, migrate=False)
    try:
        sql = "SELECT * FROM meetings WHERE status=? ORDER BY date"
        rows = store.query(
            sql + (f" LIMIT {int(limit)}" if limit else ""), (MeetingStatus.FINISHED.value,)
        )
        return [load_document(r, Meeting) for r in rows]
    finally:
        store.close()


def meetings_storage_landed() -> bool:
    return importlib.util.find_spec("storage.meetings") is not None


def baseline_doc(path: Path) -> None:
    """Plain python-docx: a one-page document with a heading, text and a table."""
    import docx

    doc = docx.Document()
    doc.add_heading("会议记录", level=1)
    for i in range(4):
        doc.add_paragraph(f"第{i + 1}段：会议按程序进行，到会人数过半，可以表决。")
    table = doc.add_table(rows=8, cols=4)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"第{r + 1}行第{c + 1}列"
    doc.save(str(path))


def one(db: Path, reps: int, out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    from exports import minutes
    from exports.docx_common import save_atomic

    import_s = time.perf_counter() - t
    stored = stored_finished(db, limit=1) if meetings_storage_landed() else []
    meeting = stored[0] if stored else demo_meeting(db)
    source = "stored finished meeting" if stored else "built in-process from the demo roster"

    def app_once(i: int) -> tuple[float, float]:
        t0 = time.perf_counter()
        doc = minutes.build(meeting)
        t1 = time.perf_counter()
        save_atomic(doc, out / f"app_{i}.docx")
        return t1 - t0, time.perf_counter() - t1

    def base_once(i: int) -> float:
        t0 = time.perf_counter()
        baseline_doc(out / f"base_{i}.docx")
        return time.perf_counter() - t0

    t0 = time.perf_counter()
    base_once(-1)  # cold: the first python-docx document in this process
    base_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    app_once(-1)
    app_cold = time.perf_counter() - t0
    builds, saves, bases = [], [], []
    for i in range(reps):  # alternate so drift hits both equally
        b, s = app_once(i)
        builds.append(b)
        saves.append(s)
        bases.append(base_once(i))
    totals = [b + s for b, s in zip(builds, saves, strict=True)]
    app_s = statistics.median(totals)
    base_s = statistics.median(bases)
    return {
        "meeting_source": source,
        "attendees": len(meeting.attendance),
        "app_s": app_s,
        "app_build_s": statistics.median(builds),
        "app_save_s": statistics.median(saves),
        "baseline_s": base_s,
        "ratio": app_s / base_s,
        "app_cold_s": app_cold,
        "baseline_cold_s": base_cold,
        "import_exports_s": import_s,
        "app_bytes": (out / "app_0.docx").stat().st_size,
        "baseline_bytes": (out / "base_0.docx").stat().st_size,
        "reps": reps,
    }


def bulk(db: Path, out: Path, limit: int | None) -> dict[str, object]:
    """In-process: exports.minutes.export for each stored finished meeting."""
    if not meetings_storage_landed():
        return {"seconds": None, "files_per_s": None, "reason": "meetings storage not landed"}
    from exports import minutes

    meetings = stored_finished(db, limit=limit)
    if not meetings:
        return {
            "seconds": None,
            "files_per_s": None,
            "reason": "no finished meetings in the demo database",
        }
    t0 = time.perf_counter()
    for m in meetings:
        minutes.export(m, out)
    seconds = time.perf_counter() - t0
    written = len(list(out.glob("*.docx")))
    return {
        "seconds": seconds,
        "files_per_s": written / seconds,
        "files": written,
        "meetings": len(meetings),
        "how": "in-process exports.minutes.export" + (f", first {limit} meetings" if limit else ""),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["one", "bulk"])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--limit", type=int, help="bulk: only the first N finished meetings")
    ap.add_argument("--patch", default="", help="bench/whatif.py patches to apply first")
    a = ap.parse_args()
    if a.patch:
        from whatif import PATCHES

        for name in a.patch.split(","):
            PATCHES[name]()
    result = one(a.db, a.reps, a.out) if a.mode == "one" else bulk(a.db, a.out, a.limit)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
