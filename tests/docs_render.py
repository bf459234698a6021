"""One document of every kind from the demo database, and their PDF pages.

Used by tests/test_docs_pdf.py and by `make docs-preview`
(``python -m tests.docs_render OUT_DIR`` writes .docx, .pdf and PNG pages).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from domain.meeting_kinds import MeetingKind, MeetingStatus, Phase, kind_spec
from domain.meetings import (
    Candidate,
    ContentValue,
    Election,
    Meeting,
    Speaker,
    mark_step_done,
    new_vote,
    parse_people,
    set_content,
)
from domain.periods import quarter_of
from domain.procedures import default_template
from exports import minutes
from services.export_ledger import export_ledgers
from services.export_report import export_reports
from services.export_rota import write_plan_docx
from storage import meetings, org, rota
from storage.db import Store, open_store
from tests.demo_cache import demo_db
from tests.factories import TODAY


@dataclass(frozen=True)
class Rendered:
    key: str  # 党课, 台账, 党课计划, 季度报告 …
    docx: Path
    kind: MeetingKind | None = None


def _branch_name(store: Store, org_id: str) -> str:
    unit = org.get(store, org_id)
    parent = org.get(store, unit.parent_id) if unit and unit.parent_id else None
    return parent.name if parent else ""


def _synthetic(base: Meeting, kind: MeetingKind) -> Meeting:
    """A kind the demo does not hold, built on a demo meeting's sign-in sheet."""
    m = base.model_copy(
        update={
            "kind": kind,
            "procedure": default_template(kind),
            "steps": [],
            "votes": [],
            "elections": [],
            "decisions": [],
            "title": "",
            "topics": [kind_spec(kind).sample_topics[0] if kind_spec(kind).sample_topics else kind],
            "candidate_name": "郑晓明",
            "probation_start": date(2025, 11, 20),
            "status": MeetingStatus.DRAFT,
        },
        deep=True,
    )
    at = datetime.combine(m.date, time(9, 30))
    speakers = [Speaker(name=m.chair_name or "主持人", remark="同意，建议按计划推进。")]
    for step in m.procedure.steps:
        if step.phase is not Phase.DURING:
            continue
        m = mark_step_done(m, step.key, at, notes=f"{step.title}，记录从略。", speakers=speakers)
    voters = sum(1 for e in m.attendance if e.present and e.has_vote)
    names = [e.name for e in m.attendance if e.present]
    if kind is MeetingKind.ORG_LIFE:
        people, _ = parse_people(m, "\n".join(
            f"{n}：自我批评：理论学习不够系统，联系群众不够经常。批评意见：工作方法有时简单。"
            for n in names[:3]
        ))  # fmt: skip
        m = set_content(m, "self_check", ContentValue(text="支委会查摆出理论学习不深入、"
                                                          "基层调研不经常等问题，分析了原因。"))  # fmt: skip
        m = set_content(m, "criticism", ContentValue(people=people))
        m = set_content(m, "rectify", ContentValue(text="每月集中学习一次，支委每季度"
                                                       "走访班组一次，责任人为书记，年底前完成。"))  # fmt: skip
    if kind is MeetingKind.APPRAISAL:
        n = len(names)
        m = set_content(m, "rating", ContentValue(
            text=f"无记名测评，党员{n}人、群众代表3人参加，收回测评表{n + 3}份。"))  # fmt: skip
        m = set_content(m, "grades", ContentValue(counts={"优秀": n // 4, "合格": n - n // 4 - 1,
                                                          "基本合格": 1}))  # fmt: skip
    if kind in (MeetingKind.ADMISSION, MeetingKind.CONFIRMATION, MeetingKind.APPRAISAL):
        m = m.model_copy(update={"votes": [new_vote(m, m.topics[0], yes=voters - 1, no=1)]})
    if kind is MeetingKind.ELECTION:
        scrutineer = names[4:5]  # 监票人 from members who are not candidates
        names = names[:4]
        m = m.model_copy(
            update={
                "elections": [
                    Election(
                        subject="选举支部委员会委员",
                        seats=3,
                        candidates=[
                            Candidate(name=n, votes=voters - i) for i, n in enumerate(names)
                        ],
                        ballots_issued=voters,
                        ballots_returned=voters,
                        ballots_valid=voters,
                        scrutineers=scrutineer,
                        counters=scrutineer,
                    )
                ]
            }
        )
    return m


def render_all(out_dir: Path, *, today: date = TODAY) -> list[Rendered]:
    out_dir.mkdir(parents=True, exist_ok=True)
    db = demo_db(out_dir / "demo.db", actor="docs", today=today)
    store = open_store(db, actor="docs")
    try:
        done: list[Rendered] = []
        seen: set[MeetingKind] = set()
        # The longest record of each kind: the one most likely to break a page.
        best: dict[MeetingKind, tuple[int, str]] = {}
        for s in meetings.list_finished(store, limit=2000):
            m = meetings.get(store, s.id)
            if m is None:
                continue
            size = sum(len(r.notes) + sum(len(x.remark) for x in r.speakers) for r in m.steps)
            if m.kind not in best or size > best[m.kind][0]:
                best[m.kind] = (size, s.id)
        base = meetings.get(store, best[MeetingKind.MEMBER_ASSEMBLY][1])
        assert base is not None
        for kind in MeetingKind:
            if kind in best:
                m = meetings.get(store, best[kind][1])
            else:
                m = _synthetic(base, kind)
            assert m is not None
            d = out_dir / kind.value
            d.mkdir(exist_ok=True)
            path = minutes.export(m, d, branch_name=_branch_name(store, m.org_id))
            target = out_dir / f"会议记录_{kind.value}.docx"
            shutil.move(path, target)
            done.append(Rendered(kind.value, target, kind))
            seen.add(kind)
            d.rmdir()
        ld = out_dir / "ledger"
        files = export_ledgers(store, ld, start=date(today.year, 1, 1), end=today)
        if files:
            biggest = max(files, key=lambda f: f.path.stat().st_size)
            target = out_dir / "一人一事台账.docx"
            shutil.move(biggest.path, target)
            done.append(Rendered("台账", target))
        shutil.rmtree(ld, ignore_errors=True)
        plans = rota.list_plans(store, limit=50)
        if plans:
            rd = out_dir / "rota"
            path = write_plan_docx(store, plans[-1].id, rd)
            target = out_dir / "党课计划表.docx"
            shutil.move(path, target)
            done.append(Rendered("党课计划", target))
            shutil.rmtree(rd, ignore_errors=True)
        qd = out_dir / "report"
        reports = export_reports(store, qd, period=quarter_of(today), today=today)
        if reports:
            for n, rf in enumerate(reports[:1]):
                target = out_dir / f"季度报告_{n + 1}.docx"
                shutil.move(rf.path, target)
                done.append(Rendered(f"季度报告{n + 1}", target))
        shutil.rmtree(qd, ignore_errors=True)
        done += _development(store, out_dir)
        return done
    finally:
        store.close()


def _development(store: Store, out_dir: Path) -> list[Rendered]:
    """The first branch's 发展党员 ledger and the 记实表 of its longest record."""
    from services.export_development import export_for_command
    from storage import development

    branch = org.branches(store)[0]
    dd = out_dir / "development"
    export_for_command(store, dd, branch_name=branch.name)
    out: list[Rendered] = []
    ledger = next(dd.glob("发展党员台账_*.docx"))
    target = out_dir / "发展党员台账.docx"
    shutil.move(ledger, target)
    out.append(Rendered("发展党员台账", target))
    longest = max(development.for_branch(store, branch.id), key=lambda r: len(r.events))
    sheet = next(dd.glob(f"发展党员工作记实表_*_{longest.person_name}.docx"))
    target = out_dir / "发展党员工作记实表.docx"
    shutil.move(sheet, target)
    out.append(Rendered("发展党员工作记实表", target))
    shutil.rmtree(dd, ignore_errors=True)
    return out


def to_pdf(files: list[Path], out_dir: Path) -> list[Path]:
    """All files in ONE soffice run (start-up is most of the cost)."""
    with tempfile.TemporaryDirectory(prefix="zhibu-lo-") as profile:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                *map(str, files),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    return [out_dir / (f.stem + ".pdf") for f in files]


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs-preview")
    if out.exists():
        shutil.rmtree(out)
    rendered = render_all(out)
    pdfs = to_pdf([r.docx for r in rendered], out)
    for pdf in pdfs:
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / pdf.stem)], check=True)
    (out / "demo.db").unlink(missing_ok=True)
    print(f"{len(pdfs)} 份文档的页面图片已写入 {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
