"""The configuration file: read once at start into a frozen :class:`Settings`.

Layers, lowest first (docs/ARCHITECTURE.md#configuration):

1. the defaults below (and the domain config models' own defaults);
2. the system file, ``/etc/zhibu/config.toml`` (``ZHIBU_SYSTEM_CONFIG`` names
   another, e.g. in tests);
3. the user file, ``$XDG_CONFIG_HOME/zhibu/config.toml`` (default
   ``~/.config/zhibu/config.toml``);
4. environment variables (``ZHIBU_DB``, ``ZHIBU_EXPORT_DIR``);
5. command-line flags (``--db``, ``--theme``).

Tables merge key by key, so a user file that sets one rule keeps the system
file's others. Each file is checked on its own, so an error names the file
(and the line) it is in. Nothing here re-reads a file after start: the app
and the CLI are handed the one ``Settings`` object.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from services.config_file import (
    DEFAULT_EXPORT_DIR,
    ConfigError,
    Source,
    Theme,
    key_line,
)
from storage.paths import DbTarget, as_target, target_label

__all__ = ["ConfigError", "Rules", "Settings", "Source", "Theme", "key_line", "load_settings"]

if TYPE_CHECKING:
    from domain.branch_rules import BranchRuleConfig
    from domain.development import DevelopmentConfig
    from domain.dues import DuesConfig
    from domain.followups import FollowUpConfig
    from domain.holidays import HolidayRules
    from domain.meeting_rules import RuleConfig
    from domain.participation import ParticipationConfig
    from domain.problems import EscalationConfig
    from domain.tasks import TaskScoreConfig
    from services.settings_models import RemindSettings, SyncSettings

SYSTEM_FILE = Path("/etc/zhibu/config.toml")
SYSTEM_ENV = "ZHIBU_SYSTEM_CONFIG"
APP_DIR = "zhibu"
FILE_NAME = "config.toml"
DB_ENV = "ZHIBU_DB"
EXPORT_ENV = "ZHIBU_EXPORT_DIR"


def _strict(model: Any, raw: Mapping[str, Any]) -> Any:
    from services.settings_models import strict

    return strict(model, dict(raw))


class Rules:
    """The rule options left open by the rules (docs/RULES.md#configuration),
    each section the domain's own config model. Built on first use: the file
    was checked at load, and the home screen must not pay for pydantic."""

    def __init__(self, raw: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._raw = raw or {}

    def _section(self, name: str) -> Mapping[str, Any]:
        return self._raw.get(name) or {}

    @cached_property
    def branch(self) -> BranchRuleConfig:
        """换届 and branch size: a plain dataclass, no pydantic."""
        from domain.branch_rules import BranchRuleConfig

        return BranchRuleConfig(**self._section("branch"))

    @cached_property
    def meetings(self) -> RuleConfig:
        from domain.meeting_rules import RuleConfig

        return _strict(RuleConfig, self._section("meetings"))

    @cached_property
    def development(self) -> DevelopmentConfig:
        from domain.development import DevelopmentConfig

        return _strict(DevelopmentConfig, self._section("development"))

    @cached_property
    def holidays(self) -> HolidayRules:
        from domain.holidays import HolidayRules

        return _strict(HolidayRules, self._section("holidays"))

    @cached_property
    def dues(self) -> DuesConfig:
        from domain.dues import DuesConfig

        return _strict(DuesConfig, self._section("dues"))

    @cached_property
    def participation(self) -> ParticipationConfig:
        from domain.participation import ParticipationConfig

        return _strict(ParticipationConfig, self._section("participation"))

    @cached_property
    def followups(self) -> FollowUpConfig:
        from domain.followups import FollowUpConfig

        return _strict(FollowUpConfig, self._section("followups"))

    @cached_property
    def problems(self) -> EscalationConfig:
        from domain.problems import EscalationConfig

        return _strict(EscalationConfig, self._section("problems"))

    @cached_property
    def tasks(self) -> TaskScoreConfig:
        from domain.tasks import TaskScoreConfig

        return _strict(TaskScoreConfig, self._section("tasks"))


@dataclass(frozen=True, eq=False)
class Settings:
    """Everything the configuration decides: effective values, frozen.

    ``database`` and ``export_dir`` are the values after the environment and
    the flags (``database`` None: the XDG data folder, storage.paths);
    ``origin(key)`` says where a value came from. Defaults: ``Settings()``."""

    database: DbTarget | None = None  # a file, or a PostgreSQL URL (storage.paths.DbUrl)
    export_dir: Path = Path(DEFAULT_EXPORT_DIR)
    theme: Theme = Theme.DEFAULT
    # Binding id -> key(s), e.g. quit = "ctrl+x" (Textual's keymap; "a,b" gives two).
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    merged: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    origins: Mapping[str, Source] = field(default_factory=dict, repr=False)
    # (layer, path, whether it exists) for the system and the user file.
    files: tuple[tuple[Source, Path, bool], ...] = ()
    key_lines: Mapping[str, tuple[Path, int]] = field(default_factory=dict, repr=False)

    @cached_property
    def rules(self) -> Rules:
        return Rules(self.merged.get("rules"))

    @cached_property
    def remind(self) -> RemindSettings:
        from services.settings_models import RemindSettings

        return _strict(RemindSettings, self.merged.get("remind") or {})

    @cached_property
    def sync(self) -> SyncSettings:
        from services.settings_models import SyncSettings

        return _strict(SyncSettings, self.merged.get("sync") or {})

    def origin(self, key: str) -> Source:
        """The layer that set dotted *key* (or a table above it)."""
        parts = key.split(".")
        for n in range(len(parts), 0, -1):
            found = self.origins.get(".".join(parts[:n]))
            if found is not None:
                return found
        return Source.DEFAULT

    def origin_detail(self, key: str) -> str:
        """The origin in words: the file's path, the variable's or flag's name."""
        source = self.origin(key)
        if source in (Source.SYSTEM, Source.USER):
            path = {s: p for s, p, _ in self.files}.get(source)
            return f"{source.value} {path}"
        if source is Source.ENV:
            return f"{source.value} {_ENV_KEYS_BY_KEY.get(key, '')}".rstrip()
        if source is Source.FLAG:
            return f"{source.value} {_FLAG_NAMES.get(key, '')}".rstrip()
        return source.value

    def where(self, key: str) -> tuple[Path, int] | None:
        """The file and line that set dotted *key*, when a file did."""
        return self.key_lines.get(key)

    def flat(self) -> Iterator[tuple[str, object]]:
        """Every effective value, defaults included, as (dotted key, JSON-like
        value). Loads the models (``zhibu config`` only)."""
        from services.settings_models import effective

        data = effective(dict(self.merged))
        # A URL's password is never shown (storage.paths.DbUrl.label).
        data["database"] = target_label(self.database) if self.database else None
        yield from _flatten(data)


_ENV_KEYS = {DB_ENV: "database", EXPORT_ENV: "export_dir"}
_ENV_KEYS_BY_KEY = {v: k for k, v in _ENV_KEYS.items()}
_FLAG_NAMES = {"database": "--db", "theme": "--theme"}


def system_file(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get(SYSTEM_ENV) or SYSTEM_FILE)


def user_file(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / APP_DIR / FILE_NAME


@dataclass(frozen=True)
class _Layer:
    source: Source
    data: dict[str, Any]
    path: Path | None = None
    text: str = ""


def load_settings(
    flags: Mapping[str, object | None] | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Read the system and user files once, apply the environment and *flags*
    (None values are flags not given). ConfigError for a file that cannot be
    used, naming the file and the line."""
    env = os.environ if env is None else env
    layers: list[_Layer] = []
    files: list[tuple[Source, Path, bool]] = []
    for source, path in ((Source.SYSTEM, system_file(env)), (Source.USER, user_file(env))):
        layer = _read_file(source, path)
        files.append((source, path, layer is not None))
        if layer is not None:
            _check(layer.data, layer)  # alone: its errors name its own lines
            layers.append(layer)
    env_data = {key: env[name] for name, key in _ENV_KEYS.items() if env.get(name, "").strip()}
    if env_data:
        layers.append(_Layer(Source.ENV, env_data))
    flag_data = {
        k: str(v) if isinstance(v, os.PathLike) else v
        for k, v in (flags or {}).items()
        if v is not None and v != ""
    }
    if flag_data:
        layers.append(_Layer(Source.FLAG, flag_data))
    merged: dict[str, Any] = {}
    origins: dict[str, Source] = {}
    key_lines: dict[str, tuple[Path, int]] = {}
    for layer in layers:
        _merge(merged, layer.data)
        for key, _ in _flatten(layer.data):
            origins[key] = layer.source
            line = key_line(layer.text, tuple(key.split("."))) if layer.path else None
            if layer.path is not None and line:
                key_lines[key] = (layer.path, line)
            else:
                key_lines.pop(key, None)
    if len([la for la in layers if la.path is not None]) > 1 or flag_data or env_data:
        last = next((la for la in reversed(layers) if la.path is not None), None)
        _check(merged, last)  # a rule across files (e.g. a min above a max)
    return Settings(
        database=as_target(merged["database"]) if merged.get("database") else None,
        export_dir=Path(merged.get("export_dir") or DEFAULT_EXPORT_DIR),
        theme=Theme(merged.get("theme") or Theme.DEFAULT),
        keys=MappingProxyType(dict(merged.get("keys") or {})),
        merged=MappingProxyType(merged),
        origins=MappingProxyType(origins),
        files=tuple(files),
        key_lines=MappingProxyType(key_lines),
    )


def _read_file(source: Source, path: Path) -> _Layer | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(f"配置文件 {path} 是文件夹，不是文件") from None
    except OSError as e:
        raise ConfigError(f"无法读取配置文件 {path}（{e.strerror or type(e).__name__}）") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError(
            f"配置文件 {path} 第 {line} 行：不是 UTF-8 编码（请用 UTF-8 保存）"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(_syntax_message(path, str(e))) from None
    return _Layer(source, data, path, text)


_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")
_SYNTAX_CN = {
    "Invalid value": '取值无效（字符串要加引号，例如 theme = "ascii"）',
    "Expected '=' after a key in a key/value pair": "键后面缺少 =",
    "Invalid statement": "无法识别的一行",
    "Cannot declare": "重复定义了同一个表",
    "Cannot overwrite a value": "重复设置了同一个键",
    "Unclosed array": "数组缺少 ]",
    "Unclosed inline table": "内联表缺少 }",
    "Unterminated string": "字符串缺少结尾的引号",
    "Illegal character": "含有不允许的字符",
    "Expected ']' at the end of a table declaration": "表名缺少 ]",
    "Invalid initial character for a key part": "键名无效",
    "Expected newline or end of document after a statement": "一行只能写一个设置",
}


def _syntax_message(path: Path, detail: str) -> str:
    where = ""
    m = _POSITION.search(detail)
    if m and m.group(1):
        where = f"第 {m.group(1)} 行第 {m.group(2)} 列："
    elif m:
        where = "文件末尾："
    what = _POSITION.sub("", detail).strip()
    cn = next((v for k, v in _SYNTAX_CN.items() if what.startswith(k)), "TOML 格式错误")
    return f"配置文件 {path} {where}{cn}"


_LIGHT_TOP = {"database", "export_dir", "theme", "keys", "rules"}


def _light(data: Mapping[str, Any]) -> bool:
    """Whether *data* sets only what needs no pydantic (paths, theme, keys,
    the branch rules), each with the right type: the common file starts the
    app as fast as no file. Anything else goes to the full check."""
    from domain.branch_rules import BranchRuleConfig

    if not set(data) <= _LIGHT_TOP:
        return False
    for key in ("database", "export_dir"):
        if key in data and not isinstance(data[key], str):
            return False
    if "theme" in data and data["theme"] not in {t.value for t in Theme}:
        return False
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        return False
    rules = data.get("rules", {})
    if not isinstance(rules, dict) or not set(rules) <= {"branch"}:
        return False
    branch = rules.get("branch", {})
    names = {f.name for f in fields(BranchRuleConfig)}
    return isinstance(branch, dict) and all(
        k in names and type(v) is int for k, v in branch.items()
    )


def _check(data: dict[str, Any], layer: _Layer | None) -> None:
    if _light(data):
        return
    from services.settings_models import validate

    validate(data, layer.path if layer else None, layer.text if layer else "")


def _merge(into: dict[str, Any], data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif isinstance(value, Mapping):
            into[key] = {}
            _merge(into[key], value)
        else:
            into[key] = value


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, object]]:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from _flatten(value, dotted + ".")
        else:
            yield dotted, value


def key_error(settings: Settings, key: str, what: str) -> ConfigError:
    """A ConfigError about *key* found after loading (e.g. an unknown binding
    id in [keys], known only to the app shell), naming its file and line."""
    found = settings.where(key)
    if found is None:
        return ConfigError(f"设置 {key}：{what}")
    path, line = found
    return ConfigError(f"配置文件 {path} 第 {line} 行：{key}：{what}")
