"""Every exit code of the table in tui/exit_codes.py, through tui.cli.main,
and the one way to open a database: a command that reads never creates one."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.reliability_helpers import seed_db, zhibu_exe
from tui import exit_codes
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "zhibu.db"
    seed_db(path)
    return path


READING_COMMANDS = [
    ["export", "minutes", "-o", "OUT"],
    ["export", "rota", "-o", "OUT"],
    ["export", "ledger", "-o", "OUT"],
    ["export", "report", "--quarter", "2026Q4", "--as-of", "2026-12-31", "-o", "OUT"],
    ["import", "people", "PEOPLE"],
    ["import", "people", "PEOPLE", "--dry-run"],
    ["check"],
    ["backup", "-o", "OUT/copy.db"],
]


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("command", READING_COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_a_reading_command_refuses_a_missing_database_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], where: str
) -> None:
    people_file = tmp_path / "people.csv"
    people_file.write_text("姓名,性别,政治面貌,支部\n张三,男,中共党员,采油一队党支部\n")
    missing = tmp_path / "WRONG" / "WRONG.db"
    args = [a.replace("OUT", str(tmp_path / "d")).replace("PEOPLE", str(people_file))
            for a in command]  # fmt: skip
    before = _listing(tmp_path)
    db_opt = ["--db", str(missing)]
    rc = main(db_opt + args if where == "before" else args + db_opt)
    err = capsys.readouterr().err
    assert rc == exit_codes.NO_INPUT == 66
    assert "数据库不存在" in err and str(missing) in err and "Traceback" not in err
    assert _listing(tmp_path) == before  # no database, no folder, no output folder


def test_db_after_the_subcommand_works_for_check(db: Path, capsys) -> None:
    assert main(["check", "--db", str(db)]) == 0
    assert "完整性：ok" in capsys.readouterr().out


def test_db_after_the_subcommand_wins_over_the_one_before(db: Path, tmp_path: Path) -> None:
    assert main(["--db", str(tmp_path / "nope.db"), "check", "--db", str(db)]) == 0


def test_every_code_of_the_table(db: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    seen: dict[int, str] = {}

    def code(args: list[str]) -> int:
        rc = main(args)
        out = capsys.readouterr()
        assert "Traceback" not in out.err
        seen[rc] = out.err
        return rc

    assert code(["--db", str(db), "check"]) == exit_codes.OK
    assert code(["--db", str(db), "export", "rota", "-o", str(tmp_path / "o"), "--year", "99"]) == (
        exit_codes.USAGE
    )
    with pytest.raises(SystemExit) as usage:  # argparse: an unknown option
        main(["--db", str(db), "check", "--no-such-option"])
    assert usage.value.code == exit_codes.USAGE
    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,性别,政治面貌,支部\n,男,中共党员,没有这个支部\n")
    assert code(["--db", str(db), "import", "people", str(bad)]) == exit_codes.DATA
    assert code(["--db", str(db), "import", "people", str(tmp_path / "none.csv")]) == (
        exit_codes.NO_INPUT
    )
    assert "文件不存在" in seen[exit_codes.NO_INPUT]
    blocked = tmp_path / "blocked"
    blocked.mkdir(mode=0o500)
    if os.geteuid() != 0:  # root writes anywhere
        assert code(["--db", str(db), "backup", "-o", str(blocked / "sub" / "c.db")]) == (
            exit_codes.IO
        )
        assert "无法写入" in seen[exit_codes.IO]

    import services.backup

    def boom(_path: Path) -> None:
        raise RuntimeError("secret value 张三")

    monkeypatch.setattr(services.backup, "check", boom)
    assert code(["--db", str(db), "check"]) == exit_codes.SOFTWARE == 70
    assert "意外错误（RuntimeError）" in seen[70] and "张三" not in seen[70]
    log = db.with_name("zhibu-crash.log")
    assert log.exists() and "RuntimeError" in log.read_text() and "张三" not in log.read_text()


def test_cannot_write_through_an_export_is_74(db: Path, tmp_path: Path, capsys) -> None:
    from storage.db import open_store
    from tests.reliability_helpers import TODAY

    store = open_store(db)
    try:
        from storage.demo import build_demo

        build_demo(store, people_count=30, today=TODAY)
    finally:
        store.close()
    target = tmp_path / "a-file"
    target.write_text("x")
    # The folder's parent is a file: creating the folder fails with ENOTDIR.
    rc = main(["--db", str(db), "export", "ledger", "-o", str(target / "sub")])
    err = capsys.readouterr().err
    assert rc == exit_codes.IO and "无法写入" in err


def test_app_with_a_missing_db_and_no_terminal_refuses_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "new" / "z.db"
    r = subprocess.run(
        [zhibu_exe(), "--db", str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert r.returncode == 66, r.stderr
    assert "数据库不存在" in r.stderr and "demo" in r.stderr and "Traceback" not in r.stderr
    assert not missing.parent.exists()


def test_app_asks_before_creating_a_db(tmp_path: Path, monkeypatch, capsys) -> None:
    import tui.cli as cli

    missing = tmp_path / "new" / "z.db"
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "n")
    assert cli.main(["--db", str(missing)]) == 66
    assert asked == [f"数据库 {missing} 不存在，新建吗？[y/N] "]
    assert not missing.parent.exists()


def test_installed_command_exit_code(tmp_path: Path) -> None:
    missing = tmp_path / "WRONG.db"
    r = subprocess.run(
        [zhibu_exe(), "--db", str(missing), "export", "minutes", "-o", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 66, r.stderr
    assert not missing.exists() and not (tmp_path / "d").exists()


def test_readme_lists_the_table() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = {int(c) for c in re.findall(r"^\| (\d+) \|", text, flags=re.M)}
    assert listed == set(exit_codes.TABLE)


@pytest.mark.parametrize("answer", ["y", "n"])
def test_app_on_a_terminal_asks_then_creates_or_not(tmp_path: Path, answer: str) -> None:
    from tests.reliability_helpers import PtyApp

    missing = tmp_path / "new" / "z.db"
    app = PtyApp(["--db", str(missing)])
    try:
        app.wait_for("[y/N]")
        assert not missing.parent.exists()  # asking creates nothing
        app.send(answer + "\r")
        if answer == "y":
            app.wait_for("今日")
            app.settle()
            app.send("\x11")  # Ctrl+Q
        status = app.wait_exit(15)
    finally:
        app.close()
    assert status is not None and os.WIFEXITED(status)
    if answer == "y":
        assert os.WEXITSTATUS(status) == 0 and missing.exists()
    else:
        assert os.WEXITSTATUS(status) == 66 and not missing.parent.exists()


@pytest.mark.parametrize(
    "command",
    [["config"], ["help", "keys"], ["help", "exit-codes"], ["--version"], ["--help"],
     ["demo", "--people", "20"]],
    ids=lambda c: "-".join(c),
)  # fmt: skip
def test_a_closed_stdout_exits_quietly(tmp_path: Path, command: list[str]) -> None:
    """`zhibu config | head -3`: the reader is gone before zhibu writes.
    No message, no crash log, and the command still does its work."""
    db = tmp_path / "z.db"
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to stdout now fails with EPIPE
    try:
        r = subprocess.run(
            [zhibu_exe(), "--db", str(db), *command],
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120,
            env={**os.environ, "HOME": str(tmp_path)},
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert r.stderr == ""
    assert r.returncode == 0
    assert not list(tmp_path.rglob("*crash*"))
    if command[0] == "demo":
        assert db.exists() and db.stat().st_size > 0
