"""The pydantic shape of the configuration file, and its Chinese error messages.

Imported only when a file sets something beyond the light keys (or when
``zhibu config`` lists every value): start-up without a config file stays
free of pydantic (tests/test_import_hygiene.py). ``services.settings`` is
the module callers use.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.branch_rules import BranchRuleConfig
from domain.development import DevelopmentConfig
from domain.dues import DuesConfig
from domain.followups import FollowUpConfig
from domain.holidays import HolidayRules
from domain.meeting_rules import RuleConfig
from domain.participation import ParticipationConfig
from domain.problems import EscalationConfig
from domain.reminders import RemindConfig
from domain.tasks import TaskScoreConfig
from services.config_file import DEFAULT_EXPORT_DIR, ConfigError, Theme, key_line


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RulesFile(_Section):
    """The rule options left open by the rules (docs/RULES.md#configuration):
    each section is the domain's own config model, defaults included."""

    branch: BranchRuleConfig = BranchRuleConfig()  # 换届 and branch size
    meetings: RuleConfig = RuleConfig()  # votes, elections, 民主评议
    development: DevelopmentConfig = DevelopmentConfig()  # 发展党员 intervals
    holidays: HolidayRules = HolidayRules()  # fallback 放假 lengths
    dues: DuesConfig = Field(default_factory=DuesConfig)  # 党费 bands
    participation: ParticipationConfig = Field(default_factory=ParticipationConfig)
    followups: FollowUpConfig = Field(default_factory=FollowUpConfig)  # 一人一事
    problems: EscalationConfig = EscalationConfig()  # 问题清单: when late goes to the 党总支
    tasks: TaskScoreConfig = TaskScoreConfig()  # 党总支任务: the quarterly check's points


# The ``[remind]`` section: who gets reminders through which channel
# (docs/REMINDERS.md#configuration), the domain's own model.
RemindSettings = RemindConfig


class SyncSettings(_Section):
    """The ``[sync]`` section (docs/SYNC.md#private-details): what a site sends
    to the 党委 hub."""

    # Private 一人一事 details stay at the site: the hub gets the redacted
    # case (docs/SECURITY.md#private-details-and-exports) unless this is true.
    send_private_details: bool = False


class SettingsFile(_Section):
    """One configuration file, or all of them merged."""

    database: str | None = None  # a file path or a postgresql:// URL (never a Path: "//")
    export_dir: Path = Path(DEFAULT_EXPORT_DIR)
    theme: Theme = Theme.DEFAULT
    keys: dict[str, str] = Field(default_factory=dict)
    rules: RulesFile = Field(default_factory=RulesFile)
    remind: RemindSettings = Field(default_factory=RemindSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def strict(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """Validate as if the file were JSON: a string is never taken for a
    number, nor a number for true/false; enum values are their text; a key
    no model knows is an error."""
    return model.model_validate_json(
        json.dumps(data, default=_json_default, ensure_ascii=False),
        strict=True,
        extra="forbid",
    )


def validate(data: dict[str, Any], path: Path | None, text: str) -> SettingsFile:
    """*data* as a SettingsFile; ConfigError naming *path* and the lines."""
    try:
        return strict(SettingsFile, data)
    except ValidationError as e:
        raise ConfigError(_validation_message(e, path, text)) from None


def effective(data: dict[str, Any]) -> dict[str, Any]:
    """Every value, defaults included, as JSON-like data (for ``zhibu config``)."""
    return strict(SettingsFile, data).model_dump(mode="json")


_TYPES_CN = {
    "extra_forbidden": "未知的设置项",
    "unexpected_keyword_argument": "未知的设置项",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "bool_type": "应为 true 或 false",
    "string_type": "应为字符串（加引号）",
    "dict_type": "应为表（[节] 或 {…}）",
    "model_type": "应为表（[节] 或 {…}）",
    "dataclass_type": "应为表（[节] 或 {…}）",
    "list_type": "应为数组（[…]）",
    "frozen_set_type": "应为数组（[…]）",
    "enum": "应为以下之一：{expected}",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "应小于 {lt}",
    "path_type": "应为路径字符串",
    "missing": "缺少必填项",
}
MAX_LISTED = 8


def _validation_message(e: ValidationError, path: Path | None, text: str) -> str:
    """Every problem, one per line, in the file's order (at most MAX_LISTED)."""
    found: list[tuple[int, str]] = []
    for err in e.errors(include_input=False, include_url=False):
        loc = tuple(str(p) for p in err["loc"])
        key = ".".join(loc)
        what = _what(err["type"], dict(err.get("ctx") or {}), str(err.get("msg", "")))
        line = key_line(text, loc) if path is not None else None
        found.append((line or 0, f"第 {line} 行：{key}：{what}" if line else f"{key}：{what}"))
    found.sort(key=lambda f: f[0])
    items = [item for _, item in found[:MAX_LISTED]]
    if len(found) > MAX_LISTED:
        items.append(f"……另有 {len(found) - MAX_LISTED} 处")
    where = f"配置文件 {path}" if path is not None else "设置"
    if len(items) == 1:
        return f"{where} {items[0]}"
    return f"{where} 有 {len(found)} 处错误：\n" + "\n".join(f"  {i}" for i in items)


def _what(kind: str, ctx: dict[str, Any], msg: str) -> str:
    template = _TYPES_CN.get(kind)
    if template is None:
        # The domain validators word their own errors in Chinese.
        return msg.removeprefix("Value error, ") or "取值无效"
    if "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace(" or ", "、").replace(", ", "、")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template
