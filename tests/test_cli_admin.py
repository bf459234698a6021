"""`zhibu admin`: each command, and each refusal with its message and exit code."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from storage.db import open_store
from tests import factories as f
from tui import exit_codes
from tui.cli import main


@pytest.fixture
def db(db_path: Path) -> tuple[Path, f.Branch, f.Branch]:
    s = open_store(db_path, actor="seed")
    _, (b1, b2) = f.org_tree(s)
    s.close()
    return db_path, b1, b2


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    rc = main(["--db", str(db), "admin", *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return rc, out.out, out.err


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    import sqlite3

    c = sqlite3.connect(db)
    try:
        return c.execute(sql).fetchall()
    finally:
        c.close()


def as_account(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr("storage.store.current_actor", lambda: name)


def test_grant_list_revoke(capsys, db) -> None:
    path, b1, _ = db
    sec = b1.members[0]
    rc, out, err = run(capsys, path, "grant", "alice", "--person", sec.name, "--role", "书记",
                       "--branch", b1.unit.name)  # fmt: skip
    assert rc == exit_codes.OK, err
    assert "已授予 alice：书记" in out
    assert rows(path, "SELECT account, role, person_id, revoked_at FROM role_grants") == [
        ("alice", "书记", sec.id, None)
    ]
    assert rows(path, "SELECT os_user, person_id FROM accounts") == [("alice", sec.id)]
    rc, out, _ = run(capsys, path, "list")
    assert rc == 0 and "alice" in out and sec.name in out and f"书记（{b1.unit.name}）" in out
    rc, out, _ = run(capsys, path, "revoke", "alice", "--role", "书记")
    assert rc == 0 and "已撤销" in out
    assert rows(path, "SELECT count(*) FROM role_grants WHERE revoked_at IS NOT NULL") == [(1,)]
    rc, out, _ = run(capsys, path, "list", "--all")
    assert "撤销" in out
    actions = [r[0] for r in rows(path, "SELECT action FROM audit WHERE table_name='role_grants'")]
    assert actions == ["grant", "revoke"]


def test_not_an_administrator(capsys, db, monkeypatch: pytest.MonkeyPatch) -> None:
    path, b1, _ = db
    from services import identity
    from storage.db import SqliteStore as Store

    s = Store(path, actor="mallory")
    identity.request_mapping(s, b1.members[0].id)  # "I am the secretary"
    s.close()
    as_account(monkeypatch, "mallory")
    for args in (
        ["grant", "mallory", "--person", b1.members[0].name, "--role", "书记",
         "--branch", b1.unit.name],
        ["revoke", "alice", "--role", "书记"],
        ["list"],
        ["pin", "mallory"],
        ["approve", "mallory"],
    ):  # fmt: skip
        monkeypatch.setattr("sys.stdin", io.StringIO("12345678\n12345678\n"))
        rc, _, err = run(capsys, path, *args)
        assert rc == exit_codes.NO_PERM == 77, args
        assert "不是管理员" in err or "只有管理员" in err, err
    assert rows(path, "SELECT count(*) FROM role_grants") == [(0,)]
    assert rows(path, "SELECT count(*) FROM account_pins") == [(0,)]
    assert rows(path, "SELECT count(*) FROM accounts") == [(0,)]


def test_unknown_person_branch_role(capsys, db) -> None:
    path, b1, _ = db
    rc, _, err = run(capsys, path, "grant", "alice", "--person", "查无此人", "--role", "党员",
                     "--branch", b1.unit.name)  # fmt: skip
    assert rc == exit_codes.USAGE and "花名册中没有“查无此人”" in err
    rc, _, err = run(capsys, path, "grant", "alice", "--person", b1.members[0].name, "--role",
                     "书记", "--branch", "不存在支部")  # fmt: skip
    assert rc == exit_codes.USAGE and "找不到支部“不存在支部”" in err
    rc, _, err = run(capsys, path, "grant", "alice", "--person", b1.members[0].name, "--role",
                     "队长", "--branch", b1.unit.name)  # fmt: skip
    assert rc == exit_codes.USAGE and "没有“队长”这个角色" in err and "书记" in err
    rc, _, err = run(
        capsys, path, "grant", "alice", "--person", b1.members[0].name, "--role", "书记"
    )
    assert rc == exit_codes.USAGE and "--branch" in err
    assert rows(path, "SELECT count(*) FROM role_grants") == [(0,)]


def test_second_secretary_refused_until_the_first_is_revoked(capsys, db) -> None:
    path, b1, _ = db
    first, second = b1.members[0], b1.members[1]
    common = ["--role", "书记", "--branch", b1.unit.name]
    assert run(capsys, path, "grant", "alice", "--person", first.name, *common)[0] == 0
    rc, _, err = run(capsys, path, "grant", "bob", "--person", second.name, *common)
    assert rc == exit_codes.USAGE
    assert "已有书记（账户 alice）" in err and "zhibu admin revoke alice" in err
    assert run(capsys, path, "revoke", "alice", *common)[0] == 0
    assert run(capsys, path, "grant", "bob", "--person", second.name, *common)[0] == 0
    live = rows(path, "SELECT account FROM role_grants WHERE revoked_at IS NULL")
    assert live == [("bob",)]


def test_pin_from_stdin_too_short_mismatch_and_set(capsys, db, monkeypatch) -> None:
    path, *_ = db
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n123\n"))
    rc, _, err = run(capsys, path, "pin", "shared")
    assert rc == exit_codes.USAGE and "PIN 太短" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("24681357\n24681350\n"))
    rc, _, err = run(capsys, path, "pin", "shared")
    assert rc == exit_codes.USAGE and "不一致" in err
    assert rows(path, "SELECT count(*) FROM account_pins") == [(0,)]
    monkeypatch.setattr("sys.stdin", io.StringIO("24681357\n24681357\n"))
    rc, out, _ = run(capsys, path, "pin", "shared")
    assert rc == 0 and "已设置账户 shared 的 PIN" in out
    ((salt, digest),) = rows(path, "SELECT salt, hash FROM account_pins WHERE account='shared'")
    assert len(salt) == 16 and b"24681357" not in digest
    assert rows(path, "SELECT action FROM audit WHERE table_name='account_pins'") == [("pin_set",)]


def test_pin_on_a_terminal_is_read_twice_with_getpass(capsys, db, monkeypatch) -> None:
    path, *_ = db
    asked: list[str] = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "97531864")
    rc, _, err = run(capsys, path, "pin", "shared")
    assert rc == 0, err
    assert asked == ["新 PIN：", "再输一次："]


def test_approve_a_request(capsys, db) -> None:
    from services import identity
    from storage.db import SqliteStore as Store

    path, b1, _ = db
    s = Store(path, actor="newbie")
    try:
        identity.request_mapping(s, b1.members[4].id)
    finally:
        s.close()
    assert rows(path, "SELECT count(*) FROM accounts") == [(0,)]  # a request maps nothing
    rc, out, _ = run(capsys, path, "approve", "newbie")
    assert rc == 0 and b1.members[4].name in out
    assert rows(path, "SELECT os_user, person_id FROM accounts") == [("newbie", b1.members[4].id)]
    rc, _, err = run(capsys, path, "approve", "newbie")
    assert rc == exit_codes.USAGE and "没有待批准的申请" in err


def test_admin_without_subcommand_is_a_usage_error(capsys, db) -> None:
    path, *_ = db
    with pytest.raises(SystemExit) as e:
        main(["--db", str(path), "admin"])
    assert e.value.code == exit_codes.USAGE
    assert "缺少以下参数" in capsys.readouterr().err


def test_idle_limit_is_set_by_an_administrator(capsys, db, monkeypatch) -> None:
    from services import identity
    from storage.db import SqliteStore as Store

    path, *_ = db
    rc, out, _ = run(capsys, path, "idle", "3")
    assert rc == 0 and "3 分钟" in out
    s = Store(path, actor="x")
    try:
        assert identity.pin_session_for(s).idle_limit == 180
    finally:
        s.close()
    rc, _, err = run(capsys, path, "idle", "0")
    assert rc == exit_codes.USAGE and "1 到 1440" in err
    as_account(monkeypatch, "mallory")
    assert run(capsys, path, "idle", "600")[0] == exit_codes.NO_PERM


def test_a_person_already_mapped_to_another_account_is_refused(capsys, db) -> None:
    path, b1, _ = db
    person = b1.members[2]
    assert run(capsys, path, "grant", "alice", "--person", person.name, "--role", "党员",
               "--branch", b1.unit.name)[0] == 0  # fmt: skip
    rc, _, err = run(capsys, path, "grant", "bob", "--person", person.name, "--role", "支委",
                     "--branch", b1.unit.name)  # fmt: skip
    assert rc == exit_codes.USAGE and "已对应账户 alice" in err
    assert rows(path, "SELECT account FROM role_grants") == [("alice",)]


def test_an_administrator_with_a_pin_gives_it_first(capsys, db, monkeypatch) -> None:
    path, b1, _ = db
    assert run(capsys, path, "grant", "boss", "--person", b1.members[0].name,
               "--role", "管理员")[0] == 0  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO("86420975\n86420975\n"))
    assert run(capsys, path, "pin", "boss")[0] == 0
    as_account(monkeypatch, "boss")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    rc, _, err = run(capsys, path, "list")
    assert rc == exit_codes.NO_PERM and "请在终端" in err
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: "00000000")
    rc, _, err = run(capsys, path, "list")
    assert rc == exit_codes.NO_PERM and "PIN 不对" in err
    monkeypatch.setattr("getpass.getpass", lambda prompt: "86420975")
    rc, out, _ = run(capsys, path, "list")
    assert rc == 0 and "boss" in out and "管理员" in out


def test_shared_on_off_and_its_refusals(capsys, db, monkeypatch) -> None:
    path, *_ = db
    rc, out, err = run(capsys, path, "shared", "site", "on")
    assert rc == exit_codes.OK, err
    assert "共用账户" in out
    assert rows(path, "SELECT account FROM shared_accounts") == [("site",)]
    # A shared account's PIN is personal: the account PIN is refused.
    monkeypatch.setattr("sys.stdin", io.StringIO("24681357\n24681357\n"))
    rc, _, err = run(capsys, path, "pin", "site")
    assert rc == exit_codes.USAGE and "--person" in err
    as_account(monkeypatch, "site")  # a shared account is nobody, even owning the file
    monkeypatch.setattr("storage.identity.file_owner", lambda path: "site")
    rc, _, err = run(capsys, path, "shared", "site", "off")
    assert rc == exit_codes.NO_PERM and "共用账户" in err
    monkeypatch.undo()
    rc, out, _ = run(capsys, path, "shared", "site", "off")
    assert rc == exit_codes.OK and "已不是共用账户" in out
    assert rows(path, "SELECT count(*) FROM shared_accounts") == [(0,)]
    assert rows(path, "SELECT action, record_id FROM audit WHERE table_name='shared_accounts'"
                " ORDER BY seq") == [("shared_on", "site"), ("shared_off", "site")]  # fmt: skip
    with pytest.raises(SystemExit) as bad:
        main(["--db", str(path), "admin", "shared", "site", "maybe"])
    assert bad.value.code == exit_codes.USAGE
    capsys.readouterr()
    as_account(monkeypatch, "mallory")
    rc, _, err = run(capsys, path, "shared", "mallory", "on")
    assert rc == exit_codes.NO_PERM == 77 and "不是管理员" in err
    assert rows(path, "SELECT count(*) FROM shared_accounts") == [(0,)]


def test_pin_for_a_person_and_its_refusals(capsys, db, monkeypatch) -> None:
    path, b1, _ = db
    person = b1.members[0]
    monkeypatch.setattr("sys.stdin", io.StringIO("24681357\n24681357\n"))
    rc, out, err = run(capsys, path, "pin", "--person", person.name, "--branch", b1.unit.name)
    assert rc == exit_codes.OK, err
    assert f"已设置 {person.name} 的个人 PIN" in out
    ((key, salt, digest),) = rows(path, "SELECT account, salt, hash FROM account_pins")
    assert person.id in str(key) and len(salt) == 16 and b"24681357" not in digest
    assert rows(path, "SELECT action FROM audit WHERE table_name='account_pins'") == [("pin_set",)]
    monkeypatch.setattr("sys.stdin", io.StringIO("24681357\n24681357\n"))
    rc, _, err = run(capsys, path, "pin", "--person", "查无此人")
    assert rc == exit_codes.USAGE == 2 and "查无此人" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n123\n"))
    rc, _, err = run(capsys, path, "pin", "--person", person.name)
    assert rc == exit_codes.USAGE and "PIN 太短" in err
    rc, _, err = run(capsys, path, "pin")
    assert rc == exit_codes.USAGE and "--person" in err
    rc, _, err = run(capsys, path, "pin", "alice", "--person", person.name)
    assert rc == exit_codes.USAGE and "--person" in err
    as_account(monkeypatch, "mallory")
    monkeypatch.setattr("sys.stdin", io.StringIO("97531864\n97531864\n"))
    rc, _, err = run(capsys, path, "pin", "--person", person.name)
    assert rc == exit_codes.NO_PERM == 77 and "不是管理员" in err
    assert rows(path, "SELECT count(*) FROM account_pins") == [(1,)]
