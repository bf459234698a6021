"""Fields every stored record carries (ids, timestamps, optimistic version)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field


def new_id() -> str:
    return uuid.uuid4().hex


class Record(BaseModel):
    """Base for stored aggregates.

    ``version`` is 0 for a record not yet saved; storage bumps it on every save
    and refuses a save whose version is stale.
    """

    model_config = ConfigDict(hide_input_in_errors=True, validate_assignment=False)

    id: str = Field(default_factory=new_id)
    created_at: str = ""
    updated_at: str = ""
    updated_by: str = ""
    version: int = 0
