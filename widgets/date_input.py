"""A date field that accepts the forms people actually type."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.validation import ValidationResult, Validator

from domain.dates import DateParseError, format_date, parse_optional_date
from widgets.limited_input import LimitedInput


class _DateValidator(Validator):
    def validate(self, value: str) -> ValidationResult:
        try:
            parse_optional_date(value)
        except DateParseError as e:
            return self.failure(str(e))
        return self.success()


class DateInput(LimitedInput):
    """Input for dates: 2026-11-22, 2026/11/22, 20261122, 11-22, 今天."""

    def __init__(self, value: date | None = None, **kwargs: Any) -> None:
        super().__init__(
            value=format_date(value),
            placeholder="如 2026-11-22、11-22、今天",
            validators=[_DateValidator()],
            validate_on=["blur", "submitted"],
            max_length=20,
            **kwargs,
        )

    @property
    def date_value(self) -> date | None:
        """Parsed value; raises DateParseError with a Chinese message."""
        return parse_optional_date(self.value)
