"""Demo 换届 dates: each demo branch's last election, so the branch view and
home have a term to show.

Called by storage.demo.build_demo inside its transaction. The second branch
elected its committee two years and nine months before the demo's today, so
its three-year term ends within the six-month warning window and home lists
its 换届; every other branch is well inside its term.
"""

from __future__ import annotations

from datetime import date

from domain.branch_rules import add_months
from storage.sql import Connection

# Months between each branch's last election and today; index 1 is the branch
# whose 换届 is due soon (33 months ago: the term ends in 3 months).
_MONTHS_AGO = (14, 33, 8, 20)
_IN_TERM = (14, 8, 20)  # further branches of a large demo: in term


def add_demo_branch_terms(c: Connection, *, today: date, branches: list[str]) -> int:
    """Returns the number of branches given a last-election date."""
    for i, bid in enumerate(branches):
        months = _MONTHS_AGO[i] if i < len(_MONTHS_AGO) else _IN_TERM[i % len(_IN_TERM)]
        c.execute(
            "INSERT INTO branch_terms(branch_id, last_election_on, term_years) VALUES (?,?,NULL)"
            " ON CONFLICT(branch_id) DO UPDATE SET last_election_on=excluded.last_election_on",
            (bid, add_months(today, -months).isoformat()),
        )
    return len(branches)
