"""The SQL conditions on stored dues records, for both engines.

A leaf module: storage/pg_schema.py builds the PostgreSQL dues_unpaid index
from the same text the queries use (the planner only uses a partial index for
a WHERE that matches it).
"""

from __future__ import annotations

from domain import json_fields
from storage.sql import Dialect

# Still unpaid today (not waived, paid < due): a settled month and a missing
# month both break a run, so only these rows are needed. The partial index
# dues_unpaid (migration 16) repeats this text: SQLite uses it only when the
# query's WHERE has the same terms.
_WAIVED, _PAID, _DUE = (json_fields.DUES.extract(f) for f in ("waived", "paid_fen", "due_fen"))
UNPAID_SQL = f"NOT {_WAIVED} AND {_PAID} < {_DUE}"
# PostgreSQL's json_extract returns text (storage/pg_schema.py): numbers and
# flags are cast, and its dues_unpaid index repeats this text.
_WAIVED_N, _PAID_N, _DUE_N = (f"CAST({x} AS bigint)" for x in (_WAIVED, _PAID, _DUE))
UNPAID_SQL_PG = f"{_WAIVED_N} = 0 AND {_PAID_N} < {_DUE_N}"


def unpaid_sql(dialect: Dialect) -> str:
    return UNPAID_SQL if dialect == "sqlite" else UNPAID_SQL_PG


def has_base_sql(dialect: Dialect) -> str:
    """A record that settles what the member owes: a base (rated kinds), a
    flat amount (students, peasants …) or an approved waiver."""
    tests = (("base_fen", " > 0"), ("due_fen", " > 0"), ("waived", ""))
    if dialect == "sqlite":
        return " OR ".join(f"{json_fields.DUES.extract(f, 'd.data')}{t}" for f, t in tests)
    return " OR ".join(
        f"CAST({json_fields.DUES.extract(f, 'd.data')} AS bigint){t or ' = 1'}" for f, t in tests
    )
