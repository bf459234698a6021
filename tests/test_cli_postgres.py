"""`zhibu --db postgresql://…`: the app, every command and the exports on
PostgreSQL (issue 21; docs/POSTGRES.md#targets). Each test gets its own
database on the suite's throwaway cluster (tests/pg_fixtures.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.pg_fixtures import with_database
from tui import exit_codes
from tui.cli import main


def _tables(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as c:
        rows = c.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


@pytest.fixture
def empty_pg(pg_server: str) -> Iterator[str]:
    """A database on the server with no zhibu schema (not cloned from the template)."""
    import psycopg

    name = f"t_empty_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(pg_server, name)
    finally:
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def demo_pg(pg_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--db", pg_url, "demo", "--people", "40"]) == exit_codes.OK
    out = capsys.readouterr().out
    assert "演示数据库已生成" in out
    return pg_url


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# -- targets -----------------------------------------------------------------


def test_a_url_stays_a_url_from_the_flag_the_environment_and_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.settings import load_settings
    from storage.paths import DbUrl, resolve_db_target

    url = "postgresql://zhibu@db.example/zhibu?sslmode=require"
    target = resolve_db_target(url)
    assert isinstance(target, DbUrl) and str(target) == url  # a Path would fold "//"
    monkeypatch.setenv("ZHIBU_DB", url)
    assert str(resolve_db_target(None)) == url
    monkeypatch.delenv("ZHIBU_DB")
    config = tmp_path / "xdg-config" / "zhibu" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'database = "{url}"\n', encoding="utf-8")
    settings = load_settings({})
    assert isinstance(settings.database, DbUrl) and str(settings.database) == url
    assert isinstance(resolve_db_target(settings.database), DbUrl)
    assert isinstance(resolve_db_target(str(tmp_path / "a.db")), Path)


def test_zhibu_config_shows_the_url_without_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://zhibu:hunter2@db.example/zhibu"
    monkeypatch.setenv("ZHIBU_DB", url)
    assert main(["config"]) == exit_codes.OK
    assert main(["help", "files"]) == exit_codes.OK
    out = capsys.readouterr().out
    assert "postgresql://zhibu:***@db.example/zhibu" in out and "hunter2" not in out


# -- missing, unreachable ------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["export", "minutes", "-o", "OUT"], ["export", "ledger", "-o", "OUT"], ["check"],
     ["import", "people", "PEOPLE"], ["admin", "list"], ["holidays", "show"]],
    ids=lambda c: "-".join(c[:2]),
)  # fmt: skip
def test_a_reading_command_refuses_a_database_without_the_schema_and_creates_nothing(
    empty_pg: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    people_file = tmp_path / "people.csv"
    people_file.write_text("姓名,性别,政治面貌,支部\n张三,男,中共党员,采油一队党支部\n")
    args = [a.replace("OUT", str(tmp_path / "d")).replace("PEOPLE", str(people_file))
            for a in command]  # fmt: skip
    before = _listing(tmp_path)
    rc = main(["--db", empty_pg, *args])
    err = capsys.readouterr().err
    assert rc == exit_codes.NO_INPUT == 66, err
    assert "还没有 zhibu 的数据" in err and "demo" in err and "Traceback" not in err
    assert _tables(empty_pg) == []  # no schema installed, not even its version table
    assert _listing(tmp_path) == before


def test_an_unreachable_server_is_69_and_never_prints_the_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://zhibu:s3cr3t-pw@/zhibu?host={tmp_path}/no-server&port=1"
    for args in (["check"], ["export", "minutes", "-o", str(tmp_path / "d")], ["demo"]):
        rc = main(["--db", url, *args])
        err = capsys.readouterr().err
        assert rc == exit_codes.UNAVAILABLE == 69, err
        assert "无法连接数据库服务器" in err and "zhibu:***@" in err
        assert "s3cr3t-pw" not in err and "Traceback" not in err


def test_the_app_on_a_database_without_the_schema_and_no_terminal_refuses(
    empty_pg: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", empty_pg]) == exit_codes.NO_INPUT
    assert "还没有 zhibu 的数据" in capsys.readouterr().err
    assert _tables(empty_pg) == []


def test_the_app_asks_before_installing_the_schema(
    empty_pg: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from storage.paths import DbUrl

    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "n")
    assert main(["--db", empty_pg]) == exit_codes.NO_INPUT
    assert asked == [f"数据库 {DbUrl(empty_pg).label} 中还没有 zhibu 的数据，在其中新建吗？[y/N] "]
    assert _tables(empty_pg) == []


# -- demo, check, backup -------------------------------------------------------


def test_demo_installs_the_schema_in_an_empty_database_then_check_passes(
    empty_pg: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", empty_pg, "demo", "--people", "30"]) == exit_codes.OK
    assert "people" in _tables(empty_pg)
    again = main(["--db", empty_pg, "demo", "--people", "30"])
    assert again == exit_codes.USAGE and "已有数据" in capsys.readouterr().err
    assert main(["--db", empty_pg, "check"]) == exit_codes.OK
    out = capsys.readouterr().out
    assert "哈希链完整" in out and "结构版本" in out
    assert "完整性：ok" not in out  # SQLite's quick_check is not run


def test_check_finds_a_tampered_audit_row(demo_pg: str, capsys: pytest.CaptureFixture[str]) -> None:
    import psycopg

    with psycopg.connect(demo_pg, autocommit=True) as c:
        c.execute("ALTER TABLE audit DISABLE TRIGGER USER")  # what the app never does
        c.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 2")
        c.execute("ALTER TABLE audit ENABLE TRIGGER USER")
    assert main(["--db", demo_pg, "check"]) == exit_codes.DATA
    assert "被篡改或删除" in capsys.readouterr().out


@pytest.mark.parametrize("output", ["copy.dump", "folder/"])
def test_backup_on_postgresql_says_to_use_pg_dump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str
) -> None:
    url = "postgresql://zhibu:s3cr3t-pw@db.example:5432/zhibu"
    target = str(tmp_path / output) + ("/" if output.endswith("/") else "")
    rc = main(["--db", url, "backup", "-o", target])
    err = capsys.readouterr().err
    assert rc == exit_codes.USAGE, err
    assert "pg_dump --format=custom --file=" in err
    assert "postgresql://zhibu@db.example:5432/zhibu" in err and "s3cr3t-pw" not in err
    assert not list(tmp_path.iterdir())


# -- every command -------------------------------------------------------------


YEAR = date.today().year
EXPORTS = [
    ("minutes", []),
    ("ledger", []),
    ("rota", []),
    ("report", ["--quarter", f"{YEAR}Q1", "--as-of", f"{YEAR}-03-31"]),
    ("development", []),
    ("problems", []),
    ("assessment", []),
]  # fmt: skip


@pytest.mark.parametrize(("what", "extra"), EXPORTS)
def test_every_export_writes_its_files_from_postgresql(
    demo_pg: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str, extra: list[str]
) -> None:
    out = tmp_path / what
    rc = main(["--db", demo_pg, "export", what, "-o", str(out), *extra])
    err = capsys.readouterr().err
    assert rc == exit_codes.OK, err
    assert [p for p in out.rglob("*") if p.suffix in (".docx", ".xlsx")]


def test_import_holidays_branch_admin_and_remind_on_postgresql(
    demo_pg: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import psycopg

    people_file = tmp_path / "people.csv"
    people_file.write_text("姓名,性别,政治面貌,支部\n王新来,男,中共党员,采油一队党支部\n")
    assert main(["--db", demo_pg, "import", "people", str(people_file)]) == exit_codes.OK
    with psycopg.connect(demo_pg) as c:
        assert c.execute("SELECT count(*) FROM people WHERE name = '王新来'").fetchone()[0] == 1
    assert main(["--db", demo_pg, "holidays", "show"]) == exit_codes.OK
    assert main(["--db", demo_pg, "branch", "status"]) == exit_codes.OK
    assert main(["--db", demo_pg, "admin", "list"]) == exit_codes.OK
    assert main(["--db", demo_pg, "remind", "--dry-run"]) in (exit_codes.OK,)
    err = capsys.readouterr().err
    assert "Traceback" not in err


# -- who is administrator --------------------------------------------------------


def test_the_database_owner_role_is_the_first_administrator_not_the_state_folders_owner(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    from services import identity
    from storage.db import open_store

    name = make_url(pg_url).database
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute("DROP ROLE IF EXISTS zhibu_site_owner")
        c.execute("CREATE ROLE zhibu_site_owner")
        c.execute(f'ALTER DATABASE "{name}" OWNER TO zhibu_site_owner')
    try:
        # Everyone owns their own state folder: that must not make them administrator.
        monkeypatch.setattr("storage.identity.file_owner", lambda path: "mallory")
        owner = open_store(pg_url, actor="zhibu_site_owner")
        stranger = open_store(pg_url, actor="mallory")
        try:
            assert owner.owner_account() == stranger.owner_account() == "zhibu_site_owner"
            assert identity.acting_roles(owner).is_admin
            assert not identity.acting_roles(stranger).is_admin
        finally:
            owner.close()
            stranger.close()
    finally:
        with psycopg.connect(pg_url, autocommit=True) as c:
            c.execute(f'ALTER DATABASE "{name}" OWNER TO CURRENT_USER')
            c.execute("DROP ROLE IF EXISTS zhibu_site_owner")


# -- the app -------------------------------------------------------------------


async def test_the_app_opens_on_a_postgresql_demo_database_and_shows_home(demo_pg: str) -> None:
    from textual.widgets import DataTable

    from storage.paths import DbUrl
    from tui.app import make_app

    app = make_app(DbUrl(demo_pg))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.store.dialect == "postgresql"
            table = app.screen.query_one("#compliance-table", DataTable)
            assert table.row_count == 4
            head = str(app.screen.query_one("#home-head").render())
            assert "4 个支部 · " in head
            assert "postgresql://" in app.sub_title
    finally:
        app.store.close()


def test_a_crash_on_postgresql_is_logged_in_the_state_folder(
    demo_pg: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import services.backup
    from storage.paths import DbUrl, local_path

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def boom(_target: object) -> None:
        raise RuntimeError("secret value 张三")

    monkeypatch.setattr(services.backup, "check", boom)
    os.makedirs(local_path(DbUrl(demo_pg)).parent, exist_ok=True)
    assert main(["--db", demo_pg, "check"]) == exit_codes.SOFTWARE
    assert "意外错误（RuntimeError）" in capsys.readouterr().err
    log = local_path(DbUrl(demo_pg)).with_name("zhibu-crash.log")
    assert log.exists() and "张三" not in log.read_text()
