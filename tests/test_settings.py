"""The configuration file (services.settings): layers, errors, exit code 78."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from services.settings import ConfigError, Source, Theme, load_settings
from tui import exit_codes
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def system(tmp_path: Path) -> Path:
    """The system file the conftest points ZHIBU_SYSTEM_CONFIG at."""
    path = tmp_path / "etc-zhibu" / "config.toml"
    path.parent.mkdir(parents=True)
    return path


@pytest.fixture
def user(tmp_path: Path) -> Path:
    """~/.config/zhibu/config.toml under the conftest's XDG_CONFIG_HOME."""
    path = tmp_path / "xdg-config" / "zhibu" / "config.toml"
    path.parent.mkdir(parents=True)
    return path


def test_no_file_gives_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZHIBU_DB", raising=False)
    s = load_settings()
    assert s.database is None and s.theme is Theme.DEFAULT and dict(s.keys) == {}
    assert s.rules.branch.term_years == 3
    assert s.origin("rules.branch.term_years") is Source.DEFAULT
    assert [exists for _, _, exists in s.files] == [False, False]


def test_precedence_system_user_env_flag(
    system: Path, user: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system.write_text(
        'database = "/srv/sys.db"\ntheme = "ansi16"\n'
        "[rules.branch]\nterm_years = 5\nwarn_months = 3\n",
        encoding="utf-8",
    )
    user.write_text('database = "/srv/user.db"\n[rules.branch]\nwarn_months = 4\n')
    monkeypatch.delenv("ZHIBU_DB", raising=False)
    s = load_settings()
    # user over system, key by key: the system file's term_years stays
    assert s.database == Path("/srv/user.db") and s.origin("database") is Source.USER
    assert s.rules.branch.term_years == 5 and s.origin("rules.branch.term_years") is Source.SYSTEM
    assert s.rules.branch.warn_months == 4 and s.origin("rules.branch.warn_months") is Source.USER
    assert s.where("rules.branch.warn_months") == (user, 3)
    assert s.theme is Theme.ANSI16 and s.origin("theme") is Source.SYSTEM
    # env over both files
    monkeypatch.setenv("ZHIBU_DB", "/srv/env.db")
    s = load_settings()
    assert s.database == Path("/srv/env.db") and s.origin("database") is Source.ENV
    assert s.origin_detail("database") == "环境变量 ZHIBU_DB"
    # a flag over everything
    s = load_settings({"database": "/srv/flag.db", "theme": "ascii"})
    assert s.database == Path("/srv/flag.db") and s.origin_detail("database") == "命令行 --db"
    assert s.theme is Theme.ASCII and s.origin("theme") is Source.FLAG


def test_export_dir_env_wins_over_the_file(user: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.export_folder import configure, default_export_dir

    user.write_text('export_dir = "/srv/导出"\n', encoding="utf-8")
    monkeypatch.delenv("ZHIBU_EXPORT_DIR")
    s = load_settings()
    configure(s)
    try:
        assert default_export_dir() == Path("/srv/导出")
        monkeypatch.setenv("ZHIBU_EXPORT_DIR", "/srv/env-exports")
        assert default_export_dir() == Path("/srv/env-exports")
        assert load_settings().origin("export_dir") is Source.ENV
    finally:
        configure(None)


def test_a_file_with_only_light_keys_does_not_load_pydantic(tmp_path: Path) -> None:
    """Start-up stays free of pydantic with a typical site file (paths, theme,
    keys, 换届 rules); tests/test_import_hygiene.py checks the home screen."""
    conf = tmp_path / "c.toml"
    conf.write_text(
        'database = "/srv/z.db"\ntheme = "ascii"\n[keys]\nquit = "ctrl+x"\n'
        "[rules.branch]\nterm_years = 5\n"
    )
    code = (
        "import sys; from services.settings import load_settings; s = load_settings();"
        "print(s.rules.branch.term_years, 'pydantic' in sys.modules)"
    )
    env = {"ZHIBU_SYSTEM_CONFIG": str(conf), "XDG_CONFIG_HOME": str(tmp_path), "PATH": "/bin"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       cwd=ROOT)  # fmt: skip
    assert r.stdout.split() == ["5", "False"], r.stderr


def test_rule_sections_are_the_domain_models(user: Path) -> None:
    from domain.followups import Level
    from domain.participation import AttendanceState

    user.write_text(
        '[rules.participation]\nthreshold_percent = 90\nmake_up_states = ["请假"]\n'
        '[rules.followups]\nfirst_contact_days = { "一般" = 2, "较大" = 1, "重大" = 0 }\n'
        "[rules.development]\nprobation_months = 18\n",
        encoding="utf-8",
    )
    s = load_settings()
    assert s.rules.participation.threshold_percent == 90
    assert s.rules.participation.make_up_states == frozenset({AttendanceState.LEAVE})
    assert s.rules.followups.first_contact_days[Level.ROUTINE] == 2
    assert s.rules.development.probation_months == 18
    assert s.rules.meetings.committee_majority_of_all is False  # untouched: the default


BAD_FILES = [
    ("syntax", 'theme = "ascii"\n[rules.branch]\nterm_years = 5 5\n', "第 3 行第 16 列"),
    ("unquoted", "theme = ascii\n", "第 1 行第 9 列"),
    ("unknown key", '[rules.branch]\nterm_years = 5\nterm_yeers = 5\n',
     "第 3 行：rules.branch.term_yeers：未知的设置项"),
    ("unknown section", '[rule.branch]\nterm_years = 5\n', "第 1 行：rule：未知的设置项"),
    ("wrong type", '\n[rules.branch]\nterm_years = "5"\n',
     "第 3 行：rules.branch.term_years：应为整数"),
    ("wrong type deep", '[rules.followups]\nreport_in_working_days = 1\n',
     "第 2 行：rules.followups.report_in_working_days：应为 true 或 false"),
    ("dotted key", '[rules]\ndues.rounding_unit_fen = 0\n',
     "第 2 行：rules.dues.rounding_unit_fen：不能小于 1"),
    ("bad theme", 'theme = "16色"\n', "第 1 行：theme：应为以下之一：'default'、'ansi16'、'ascii'"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), [b[1:] for b in BAD_FILES],
                         ids=[b[0] for b in BAD_FILES])  # fmt: skip
def test_a_bad_file_names_the_file_and_the_line(user: Path, text: str, expected: str) -> None:
    user.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_settings()
    assert str(user) in str(e.value) and expected in str(e.value)


def test_every_error_of_a_file_is_listed_in_line_order(system: Path) -> None:
    system.write_text('x = 1\n[rules.branch]\nterm_years = "5"\n')
    with pytest.raises(ConfigError) as e:
        load_settings()
    assert str(e.value).splitlines()[1:] == [
        "  第 1 行：x：未知的设置项",
        "  第 3 行：rules.branch.term_years：应为整数",
    ]


def test_the_system_file_s_error_names_the_system_file(system: Path, user: Path) -> None:
    system.write_text("[rules.meetings]\nexcellent_share_max = 2\n")
    user.write_text("[rules.branch]\nterm_years = 5\n")
    with pytest.raises(ConfigError) as e:
        load_settings()
    assert f"配置文件 {system} 第 2 行" in str(e.value) and "不能大于 1" in str(e.value)


def test_not_utf8_is_named(user: Path) -> None:
    user.write_bytes('theme = "ascii"\n# 注释\n'.encode("gbk"))
    with pytest.raises(ConfigError) as e:
        load_settings()
    assert f"配置文件 {user} 第 2 行：不是 UTF-8 编码" in str(e.value)


@pytest.mark.parametrize("command", [[], ["check"], ["config"]], ids=["app", "check", "config"])
def test_a_bad_file_exits_78_without_a_traceback(
    user: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    user.write_text('[rules.branch]\nterm_years = "5"\n')
    rc = main(command)
    err = capsys.readouterr().err
    assert rc == exit_codes.CONFIG == 78
    assert f"配置文件 {user} 第 2 行：rules.branch.term_years：应为整数" in err
    assert "Traceback" not in err


def test_the_installed_command_exits_78(tmp_path: Path, user: Path) -> None:
    from tests.reliability_helpers import zhibu_exe

    user.write_text("theme = \n")
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "ZHIBU_SYSTEM_CONFIG": str(tmp_path / "none.toml"),
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    r = subprocess.run([zhibu_exe(), "check"], capture_output=True, text=True, env=env)
    assert r.returncode == 78
    assert f"配置文件 {user} 第 1 行" in r.stderr and "Traceback" not in r.stderr


def test_zhibu_config_prints_each_value_and_where_it_came_from(
    system: Path, user: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    system.write_text('theme = "ansi16"\n[rules.branch]\nterm_years = 5\n')
    user.write_text('[keys]\nquit = "ctrl+x"\n')
    monkeypatch.setenv("ZHIBU_DB", "/srv/env.db")
    assert main(["--theme", "ascii", "config"]) == 0
    out = capsys.readouterr().out
    lines = {ln.split("=")[0].strip(): ln for ln in out.splitlines() if " = " in ln}
    assert f"系统配置文件：{system}（已读取）" in out and f"用户配置文件：{user}（已读取）" in out
    assert lines["rules.branch.term_years"].split("#")[1].strip() == f"系统配置文件 {system}"
    assert lines["keys.quit"].split("#")[1].strip() == f"用户配置文件 {user}"
    assert lines["database"].split("#")[1].strip() == "环境变量 ZHIBU_DB"
    assert '"ascii"' in lines["theme"] and lines["theme"].endswith("# 命令行 --theme")
    assert lines["rules.branch.warn_months"].endswith("# 默认")
    assert lines["rules.dues.rounding_unit_fen"].endswith("# 默认")  # every section is listed


def test_an_unknown_key_name_in_keys_is_an_error_with_its_line(
    user: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user.write_text('[keys]\nquit = "ctrl+x"\nqiut = "ctrl+y"\n')
    assert main(["config"]) == 78
    err = capsys.readouterr().err
    assert f"配置文件 {user} 第 3 行：keys.qiut：没有这个按键名称" in err and "quit" in err


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[keys]\nrota = "j"\nquit = "ctrl+blah"\n', "“ctrl+blah”不是有效的按键写法"),
        ('[keys]\nquit = "Ctrl+X"\n', "“Ctrl+X”不是有效的按键写法"),
        # j is 交接班's key: one of the two could never be pressed.
        ('\n[keys]\nrota = "j"\n', "按键 j 已用于“交接班”（[keys] 中的名称 handover）"),
    ],
    ids=["typo", "capitals", "taken"],
)
def test_a_key_that_cannot_work_is_an_error_with_its_line(
    user: Path, capsys: pytest.CaptureFixture[str], text: str, says: str
) -> None:
    user.write_text(text)
    assert main(["config"]) == 78
    err = capsys.readouterr().err
    line = text.count("\n")  # the last line holds the culprit
    assert f"配置文件 {user} 第 {line} 行：" in err and says in err, err
    assert "Traceback" not in err


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"zhibu {version('zhibu')}"


def test_help_topics(user: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from screens.registry import home_keys

    user.write_text('[keys]\nrota = "e"\n')
    assert main(["help"]) == 0
    listing = capsys.readouterr().out
    assert all(t in listing for t in ("keys", "files", "exit-codes", "config"))
    assert main(["help", "keys"]) == 0
    keys = capsys.readouterr().out
    for r in home_keys():  # every 今日 key of the route registries, with its [keys] name
        assert f"[keys] 中的名称：{r.place.value}" in keys and (r.label or "") in keys
    assert "e         党课（配置文件已改）" in keys
    assert main(["help", "exit-codes"]) == 0
    codes = capsys.readouterr().out
    assert all(f"{c}  {w}" in codes for c, w in exit_codes.TABLE.items())
    assert main(["help", "files"]) == 0
    assert f"用户配置文件：{user}（已读取）" in capsys.readouterr().out
    assert main(["help", "config"]) == 0
    assert "/etc/zhibu/config.toml" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["help", "nonsense"])
    assert e.value.code == 2 and "无效的选项" in capsys.readouterr().err


def test_the_readme_example_file_is_accepted(
    system: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The configuration file README shows, copied as it stands, works."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration file", 1)[1]
    example = re.search(r"```toml\n(.*?)```", section, flags=re.S)
    assert example is not None
    system.write_text(example.group(1), encoding="utf-8")
    assert main(["config"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"系统配置文件：{system}（已读取）" in out and "keys.quit" in out


def test_help_config_names_every_rules_section(capsys: pytest.CaptureFixture[str]) -> None:
    """Each [rules.*] section `zhibu config` lists is described by `zhibu help config`."""
    assert main(["config"]) == 0
    listed = {ln.split("=")[0].strip() for ln in capsys.readouterr().out.splitlines() if " = " in ln}
    sections = {".".join(k.split(".")[:2]) for k in listed if k.startswith("rules.")}
    assert {"rules.problems", "rules.tasks", "rules.branch"} <= sections
    assert main(["help", "config"]) == 0
    described = capsys.readouterr().out
    assert [s for s in sorted(sections) if f"[{s}]" not in described] == []


def test_zhibu_config_keeps_a_gap_before_each_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config"]) == 0
    rows = [ln for ln in capsys.readouterr().out.splitlines() if " = " in ln]
    assert rows and [ln for ln in rows if "  # " not in ln] == []
