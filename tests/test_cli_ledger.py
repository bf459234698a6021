"""`zhibu export ledger`: files written, .docx rows, privacy, Chinese errors."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import docx
import pytest

from domain import followups as fx
from domain.followups import Actor, FollowUpConfig, QuickForm
from domain.people import Person, PoliticalStatus
from exports import ledger
from services.export_ledger import period_label
from storage import accounts, people
from storage import followups as fu_store
from storage.identity import current_actor
from tests import factories
from tests import xlsx_check as xc
from tests.factories import TODAY, grant_secretary
from tui import cli

CONFIG = FollowUpConfig()
SECRET = "妻子患病住院需要照顾"


@pytest.fixture
def ledger_db(store):
    """Four branches with a case each, plus two known cases in the first branch."""
    _top, branches = factories.org_tree(
        store, ("采油一队党支部", "采油二队党支部", "注水队党支部", "集输队党支部")
    )
    for b in branches:
        factories.followup(store, b, b.with_status(PoliticalStatus.MASSES)[0],
                           found_on=date(2026, 5, 11))  # fmt: skip
    branch = branches[0].unit
    roster = people.list_branch(store, branch.id)
    member = next(p for p in roster if p.is_member and p.post is None)
    # Fresh workers, so no other case shares their names.
    workers = [
        people.save(
            store,
            Person(name=name, branch_id=branch.id, team="采油一班", job="采油工"),
        )
        for name in ("贾甲工", "贾乙工")
    ]
    cat = fu_store.catalogue(store, branch.id)

    def file(worker, summary, found, **extra):
        form = QuickForm(
            person_id=worker.id,
            person_name=worker.name,
            trigger_code=extra.pop("trigger_code", "T2"),
            summary=summary,
            responsible_id=member.id,
            responsible_name=member.name,
            found_on=found,
            **extra,
        )
        return fx.quick_file(form, cat, today=TODAY, config=CONFIG)

    open_case = file(workers[0], "井口操作未戴护目镜", date(2026, 3, 2))
    open_case = fx.log_contact(
        open_case,
        fx.make_contact(
            date(2026, 3, 3), Actor(member.id, member.name), content="讲清规程", attitude="愿意改正"
        ),
        CONFIG,
    )
    open_case = fu_store.save(store, open_case)
    private = fu_store.save(
        store, file(workers[1], SECRET, date(2026, 3, 9), trigger_code="V1", private=True)
    )
    return {
        "store": store,
        "branch": branch,
        "member": member,
        "workers": workers,
        "open": open_case,
        "private": private,
    }


def _rows(path: Path) -> list[list[str]]:
    table = docx.Document(str(path)).tables[0]
    return [[c.text for c in r.cells] for r in table.rows]


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_period_label() -> None:
    assert period_label(date(2026, 1, 1), date(2026, 12, 31)) == "2026年"
    assert period_label(date(2026, 1, 1), date(2026, 3, 31)) == "2026年第一季度"
    assert period_label(date(2026, 10, 1), date(2026, 12, 31)) == "2026年第四季度"
    assert period_label(date(2026, 2, 1), date(2026, 2, 28)) == "2026年2月"
    assert period_label(date(2026, 1, 5), date(2026, 3, 31)) == "2026年1月5日至2026年3月31日"


def _headers(path: Path) -> list[str]:
    return [s.header.paragraphs[0].text if s.header.paragraphs else ""
            for s in docx.Document(str(path)).sections]  # fmt: skip


def test_export_one_branch_quarter_rows_internal(ledger_db, tmp_path: Path, capsys) -> None:
    store, branch = ledger_db["store"], ledger_db["branch"]
    grant_secretary(store, current_actor(), people.secretary_of(store, branch.id))
    out = tmp_path / "out"
    code, stdout, stderr = _run(
        capsys,
        "--db", str(store.path), "export", "ledger", "-o", str(out), "--internal",
        "--branch", branch.name, "--from", "2026-01-01", "--to", "2026-03-31",
    )  # fmt: skip
    assert code == 0, stderr
    path = out / f"一人一事台账_{branch.name}_2026年第一季度_内部版.docx"
    assert _headers(path) and all(h == ledger.INTERNAL_HEADER for h in _headers(path))
    assert path.exists()
    assert f"已导出 {branch.name}：{path}" in stdout
    rows = _rows(path)
    assert rows[0] == ledger.HEADERS
    w0, w1 = ledger_db["workers"][0], ledger_db["workers"][1]
    by_name = {r[1]: r for r in rows[1:] if r[1] in (w0.name, w1.name)}
    first = by_name[w0.name]
    assert first[2] == "采油一班/采油工"
    assert first[3] == "2026年3月2日\n谈心"
    assert first[4] == "必谈：违章违纪"
    assert first[5] == "［安全行为（三违）］井口操作未戴护目镜"
    assert first[6] == ledger_db["member"].name
    assert first[7] == f"2026年3月3日 谈心（{ledger_db['member'].name}）：讲清规程；态度：愿意改正"
    assert first[8] == "一般级" and first[9] == "跟进中"
    assert first[10].endswith("下次谈访\n2026年3月10日")
    # The 书记's 内部版 shows the private case in full.
    assert by_name[w1.name][5] == f"［健康］{SECRET}"
    # Only cases found by the end of the quarter, none closed before it began.
    ids = {
        fu.id for fu in ledger.for_period(fu_store.for_ledger(store, branch.id, date(2026, 3, 31)),
                                          date(2026, 1, 1), date(2026, 3, 31))
    }  # fmt: skip
    assert len(rows) - 1 == len(ids)
    audit = store.query(
        "SELECT action, detail FROM audit WHERE record_id=? AND action='export'", (branch.id,)
    )
    assert audit and SECRET not in audit[0]["detail"]
    assert audit[0]["detail"].startswith("ledger-internal,")


@pytest.mark.parametrize("who", ["secretary", "member"])
def test_default_is_the_outward_copy_even_for_the_secretary(
    ledger_db, tmp_path: Path, capsys, who: str
) -> None:
    store, branch = ledger_db["store"], ledger_db["branch"]
    if who == "secretary":
        grant_secretary(store, current_actor(), people.secretary_of(store, branch.id))
    else:
        accounts.map_account(store, current_actor(), ledger_db["member"].id)
    code, stdout, _ = _run(
        capsys,
        "--db", str(store.path), "export", "ledger", "-o", str(tmp_path),
        "--branch", branch.name, "--from", "2026-03-01", "--to", "2026-03-31",
    )  # fmt: skip
    assert code == 0
    (path,) = tmp_path.glob("*.docx")
    assert "内部版" not in path.name
    rows = _rows(path)
    text = "\n".join("\n".join(r) for r in rows)
    assert SECRET not in text and ledger_db["workers"][1].name not in text
    hidden = next(r for r in rows if r[1] == "（保密）")
    assert hidden[5] == ledger.REDACTED_TEXT == "保密，详见内部版"
    assert ledger.INTERNAL_HEADER not in "".join(_headers(path))
    assert "外发版：1 件保密事项已隐去详情" in stdout


def test_internal_copy_is_refused_to_the_responsible_member(
    ledger_db, tmp_path: Path, capsys
) -> None:
    store, branch = ledger_db["store"], ledger_db["branch"]
    accounts.map_account(store, current_actor(), ledger_db["member"].id)
    code, _, stderr = _run(
        capsys,
        "--db", str(store.path), "export", "ledger", "-o", str(tmp_path / "o"), "--internal",
        "--branch", branch.name, "--from", "2026-03-01", "--to", "2026-03-31",
    )  # fmt: skip
    assert code == 2 and "只能由本支部书记导出" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "o").exists()


def test_without_o_the_ledger_goes_to_the_export_folder(
    ledger_db, tmp_path: Path, capsys, monkeypatch
) -> None:
    folder = tmp_path / "我的导出"
    monkeypatch.setenv("ZHIBU_EXPORT_DIR", str(folder))
    code, stdout, stderr = _run(
        capsys, "--db", str(ledger_db["store"].path), "export", "ledger",
        "--branch", ledger_db["branch"].name, "--from", "2026-03-01", "--to", "2026-03-31",
    )  # fmt: skip
    assert code == 0, stderr
    (path,) = folder.glob("*.docx")
    assert f"：{path}（" in stdout or str(path) in stdout
    assert (folder.stat().st_mode & 0o777) == 0o700


def test_unmapped_account_gets_private_cases_redacted(ledger_db, tmp_path: Path, capsys) -> None:
    store, branch = ledger_db["store"], ledger_db["branch"]
    code, stdout, _ = _run(
        capsys,
        "--db", str(store.path), "export", "ledger", "-o", str(tmp_path),
        "--branch", branch.name, "--from", "2026-03-01", "--to", "2026-03-31",
    )  # fmt: skip
    assert code == 0
    assert "保密事项已隐去详情" in stdout
    rows = _rows(next(tmp_path.glob("*.docx")))
    text = "\n".join("\n".join(r) for r in rows)
    assert SECRET not in text and ledger_db["workers"][1].name not in text
    assert "（保密）" in [r[1] for r in rows]
    assert ledger_db["workers"][0].name in text  # not private: shown


def test_redact_private_blanks_them_even_for_the_secretary(
    ledger_db, tmp_path: Path, capsys
) -> None:
    store, branch = ledger_db["store"], ledger_db["branch"]
    grant_secretary(store, current_actor(), people.secretary_of(store, branch.id))
    code, _, _ = _run(
        capsys,
        "--db", str(store.path), "export", "ledger", "-o", str(tmp_path), "--branch", branch.name,
        "--from", "2026-03-01", "--to", "2026-03-31", "--redact-private",
    )  # fmt: skip
    assert code == 0
    text = "\n".join("\n".join(r) for r in _rows(next(tmp_path.glob("*.docx"))))
    assert SECRET not in text


def test_all_branches_one_file_each(ledger_db, tmp_path: Path, capsys) -> None:
    store = ledger_db["store"]
    code, stdout, _ = _run(
        capsys, "--db", str(store.path), "export", "ledger", "-o", str(tmp_path),
        "--from", "2025-12-01", "--to", "2026-11-22",
    )  # fmt: skip
    assert code == 0
    files = sorted(tmp_path.glob("*.docx"))
    assert len(files) == 4
    assert stdout.count("已导出 ") == 4 and "共导出 4 个文件" in stdout
    for f in files:
        assert len(_rows(f)) > 1


def test_empty_period_writes_nothing(ledger_db, tmp_path: Path, capsys) -> None:
    code, stdout, _ = _run(
        capsys, "--db", str(ledger_db["store"].path), "export", "ledger", "-o", str(tmp_path),
        "--from", "2020-01-01", "--to", "2020-12-31",
    )  # fmt: skip
    assert code == 0 and "没有一人一事记录" in stdout
    assert list(tmp_path.glob("*.docx")) == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--branch", "不存在的支部"], 2, "找不到支部“不存在的支部”"),
        (["--from", "2026-13-40"], 2, "日期"),
        (["--from", "2026-06-01", "--to", "2026-03-01"], 2, "晚于结束日期"),
    ],
)
def test_usage_errors_in_chinese(ledger_db, tmp_path: Path, capsys, args, code, message) -> None:
    got, stdout, stderr = _run(
        capsys, "--db", str(ledger_db["store"].path), "export", "ledger", "-o", str(tmp_path), *args
    )
    assert got == code
    assert message in stderr and "Traceback" not in stderr
    assert list(tmp_path.glob("*.docx")) == []


def test_missing_database_is_not_created(tmp_path: Path, capsys) -> None:
    db = tmp_path / "none.db"
    code, _, stderr = _run(capsys, "--db", str(db), "export", "ledger", "-o", str(tmp_path / "o"))
    assert code == 66 and "数据库不存在" in stderr
    assert not db.exists()


def test_output_is_a_file_and_unwritable_folder(ledger_db, tmp_path: Path, capsys) -> None:
    db = str(ledger_db["store"].path)
    a_file = tmp_path / "f.txt"
    a_file.write_text("x")
    code, _, stderr = _run(capsys, "--db", db, "export", "ledger", "-o", str(a_file))
    assert code == 2 and "不是文件夹" in stderr
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        code, _, stderr = _run(
            capsys, "--db", db, "export", "ledger", "-o", str(locked / "sub"),
            "--from", "2026-01-01", "--to", "2026-11-22",
        )  # fmt: skip
    finally:
        locked.chmod(0o700)
    if code != 0:  # root can write anywhere
        assert code == 74 and "无法写入" in stderr and "Traceback" not in stderr


def test_real_command_line(ledger_db, tmp_path: Path) -> None:
    store = ledger_db["store"]
    store.close()  # another process writes the audit row
    r = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(store.path), "export", "ledger",
         "-o", str(tmp_path), "--branch", ledger_db["branch"].name, "--to", "2026-06-30"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "一人一事台账：2026年1月1日至2026年6月30日" in r.stdout
    assert "已导出" in r.stdout
    assert len(list(tmp_path.glob("*.docx"))) == 1
    bad = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(store.path), "export", "ledger",
         "-o", str(tmp_path), "--branch", "无"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 2 and "找不到支部" in bad.stderr and "Traceback" not in bad.stderr


def test_found_after_the_period_is_left_out(ledger_db, tmp_path: Path, capsys) -> None:
    store, branch = ledger_db["store"], ledger_db["branch"]
    end = date(2026, 3, 5)  # before the private case was found (03-09)
    code, _, _ = _run(
        capsys, "--db", str(store.path), "export", "ledger", "-o", str(tmp_path),
        "--branch", branch.name, "--from", "2026-03-01", "--to", end.isoformat(),
    )  # fmt: skip
    assert code == 0
    rows = _rows(next(tmp_path.glob("*.docx")))
    found = [r[3].split("\n")[0] for r in rows[1:]]

    def parse_cn(text: str) -> date:
        y, rest = text.split("年")
        mo, rest = rest.split("月")
        return date(int(y), int(mo), int(rest.removesuffix("日")))

    assert found and all(parse_cn(d) <= end for d in found)
    assert SECRET not in "\n".join("\n".join(r) for r in rows)


@pytest.mark.parametrize("internal", [False, True])
def test_format_xlsx_rows_match_the_database_cell_by_cell(
    ledger_db, tmp_path: Path, capsys, internal: bool
) -> None:
    from domain.followups import add_days

    store, branch = ledger_db["store"], ledger_db["branch"]
    grant_secretary(store, current_actor(), people.secretary_of(store, branch.id))
    out = tmp_path / "out"
    code, stdout, stderr = _run(
        capsys,
        "--db", str(store.path), "export", "ledger", "-o", str(out), "--format", "xlsx",
        "--branch", branch.name, "--from", "2026-01-01", "--to", "2026-03-31",
        *(["--internal"] if internal else []),
    )  # fmt: skip
    assert code == 0, stderr
    suffix = "_内部版" if internal else ""
    path = out / f"一人一事台账_{branch.name}_2026年第一季度{suffix}.xlsx"
    assert sorted(p.name for p in out.iterdir()) == [path.name]  # no .docx asked for
    ws = xc.sheets(path)[ledger.SHEET_NAME]
    assert (ledger.INTERNAL_HEADER in ws["A1"].value) is internal
    xc.assert_frozen_header(ws, 2)
    assert xc.row(ws, 2) == ledger.XLSX_HEADERS
    xc.assert_typed(ws, 2)
    # Every case of the period, read back from the database, in found order.
    stored = ledger.for_period(fu_store.for_ledger(store, branch.id, date(2026, 3, 31)),
                               date(2026, 1, 1), date(2026, 3, 31))  # fmt: skip
    # The 外发版 shows a private case as the domain redacts it (name included).
    shown = [fx.redacted(fu) if fu.private and not internal else fu for fu in stored]
    cases = sorted(shown, key=lambda fu: (fu.found_on, fu.person_name, fu.id))
    rows = xc.body(ws, 2)[: len(cases)]
    assert len(rows) == len(cases) and cases
    config = fu_store.config(store, branch.id)
    posts = {p.id: f"{p.team}/{p.job}" for p in ledger_db["workers"]}
    for n, (fu, got) in enumerate(zip(cases, rows, strict=True), 1):
        hide = fu.private and not internal
        assert got[0] == n and isinstance(got[0], int)
        assert got[1] == fu.person_name
        assert got[2] == (ledger.REDACTED_TEXT if hide else posts.get(fu.person_id, ""))
        assert got[3] == fu.found_on and isinstance(got[3], date)
        assert got[4] == fu.source
        assert got[6] == (
            ledger.REDACTED_TEXT if hide else f"［{fu.category}］{fu.description.strip()}"
        )
        assert got[7] == fu.responsible_name
        assert got[9] == f"{fu.level}级" and got[10] == str(fu.status)
        assert got[12] == add_days(fu.found_on, config.resolve_days[fu.level])
        assert got[13] == fu.next_contact
    secret_rows = [r for r in rows if ledger_db["private"].found_on == r[3]]
    assert any(SECRET in str(r[6]) for r in secret_rows) is internal
    assert internal or all(SECRET not in str(c) for r in xc.body(ws, 2) for c in r)
    assert stdout.rstrip().endswith("共导出 1 个文件。")


def test_format_docx_and_xlsx_writes_both(ledger_db, tmp_path: Path, capsys) -> None:
    store, branch = ledger_db["store"], ledger_db["branch"]
    code, _out, err = _run(
        capsys, "--db", str(store.path), "export", "ledger", "-o", str(tmp_path / "o"),
        "--branch", branch.name, "--format", "xlsx", "--format", "docx",
    )  # fmt: skip
    assert code == 0, err
    assert sorted(p.suffix for p in (tmp_path / "o").iterdir()) == [".docx", ".xlsx"]


def test_format_other_is_a_chinese_usage_error(ledger_db, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--db", str(ledger_db["store"].path), "export", "ledger", "--format", "pdf"])
    assert exc.value.code != 0
    assert "docx" in capsys.readouterr().err
