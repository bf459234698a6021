"""今日: what the home screen shows, read from indexed SQL into dataclasses.

Light by design (docs/ARCHITECTURE.md, start-up): nothing here loads
pydantic or the workflow models, so the home screen paints before they load.
The 三会一课 table's row types are re-exported for the widget that shows them.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from storage.compliance import COLUMNS, ComplianceCell, ComplianceRow

if TYPE_CHECKING:
    from domain.branch_rules import BranchRuleConfig
    from domain.dashboard import DueItem
    from services.private_details import ActingRoles
    from storage.db import Store

__all__ = [
    "COLUMNS",
    "ComplianceCell",
    "ComplianceRow",
    "Headline",
    "WORKFLOW_MODULES",
    "compliance_table",
    "due_items",
    "headline",
]

# What the workflow screens load on first use (pydantic and the models: ~0.1 s);
# the home screen imports them in a thread once it is shown.
WORKFLOW_MODULES = (
    "storage.people",
    "storage.meetings",
    "storage.rota",
    "storage.followups",
    "storage.dues",
)


# ``everything``: a cap no real database reaches, so nothing due is left out.
EVERYTHING_CAP = 100_000


class Headline(NamedTuple):
    people: int
    branches: int


def headline(store: Store) -> Headline:
    """How many people and branches there are (counted, nothing loaded)."""
    from storage import counters

    return Headline(people=counters.people(store), branches=counters.branches(store))


def compliance_table(store: Store, today: date) -> list[ComplianceRow]:
    """三会一课 this quarter so far, for the few branches the home screen shows."""
    from storage import compliance

    return compliance.home_table(store, today)


def due_items(
    store: Store,
    today: date,
    *,
    compliance_rows: list[ComplianceRow] | None = None,
    branch_rules: BranchRuleConfig | None = None,
    who: ActingRoles | None = None,
    everything: bool = False,
) -> list[DueItem]:
    """Each workflow's light home module answers from indexes (no models).
    *compliance_rows*: the 三会一课 table's rows, when the caller has them.
    一人一事 lines come through services.private_details, the one privacy rule;
    *who* reads them (default: whoever acts in this process).
    *everything*: every branch and no home-screen caps, for ``zhibu remind``
    (services.reminders), which sends this same list outside the app."""
    from services import private_details
    from storage import (
        action_home,
        branch_home,
        compliance,
        development_home,
        dues_home,
        lecture_home,
        loop_home,
        make_up_home,
    )

    reader = who if who is not None else private_details.reader(store)
    if everything:
        from storage import org  # loads the org models: fine for a CLI, never on 今日

        if compliance_rows is None:
            ids = [b.id for b in org.branches(store)]
            compliance_rows = compliance.rows_for(store, ids, today)
        lectures = lecture_home.home_items(store, today, limit=EVERYTHING_CAP)
        followups = private_details.home_items(store, today, reader, cap=EVERYTHING_CAP)
        decisions = action_home.home_items(store, today, limit=EVERYTHING_CAP)
        loop = loop_home.home_items(store, today, limit=EVERYTHING_CAP)
    else:
        lectures = lecture_home.home_items(store, today)
        followups = private_details.home_items(store, today, reader)
        decisions = action_home.home_items(store, today)
        loop = loop_home.home_items(store, today)
    return [
        *lectures,
        *followups,
        *compliance.home_items(store, today, rows=compliance_rows),
        *decisions,
        *make_up_home.home_items(store, today),
        *dues_home.home_items(store, today),
        *branch_home.home_items(store, today, branch_rules or branch_home.DEFAULT_CONFIG),
        *development_home.home_items(store, today),
        *loop,
    ]
