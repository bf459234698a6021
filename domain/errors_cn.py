"""Turn pydantic errors into short Chinese messages (without echoing input)."""

from __future__ import annotations

from pydantic import ValidationError

FIELD_LABELS = {
    "name": "姓名", "sex": "性别", "birth_date": "出生日期", "status": "政治面貌",
    "branch_id": "支部", "group_id": "党小组", "post": "职务", "team": "班组", "job": "岗位",
    "shift": "班次", "phone": "电话", "joined_party": "入党时间", "confirmed_on": "转正时间",
    "note": "备注",
}  # fmt: skip

_TYPES = {
    "string_too_long": "太长（最多 {max_length} 字）",
    "string_too_short": "不能为空",
    "missing": "必须填写",
    "enum": "不是可选的值",
    "date_from_datetime_parsing": "日期格式不对",
    "date_parsing": "日期格式不对",
    "date_type": "日期格式不对",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
}


def field_errors(e: ValidationError, labels: dict[str, str] | None = None) -> dict[str, str]:
    """Map field name → Chinese message (first error per field)."""
    labels = labels or FIELD_LABELS
    out: dict[str, str] = {}
    for err in e.errors(include_input=False):
        loc = str(err["loc"][0]) if err["loc"] else ""
        if loc in out:
            continue
        template = _TYPES.get(err["type"])
        if template:
            msg = template.format(**(err.get("ctx") or {}))
        else:
            msg = str(err.get("msg", "")).removeprefix("Value error, ")
        out[loc] = msg
    return out


def describe_validation_error(e: ValidationError, labels: dict[str, str] | None = None) -> str:
    labels = labels or FIELD_LABELS
    return "；".join(f"{labels.get(k, k)}：{v}" for k, v in field_errors(e, labels).items())
