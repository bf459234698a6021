"""发展党员 lines for 今日: plain SQL over the dates each record row carries
(storage.development writes them from domain.development), no models.

Listed: 思想汇报 due this month or late, one year as 积极分子 reached,
上级审批 overdue, 预备期 ending within the warning window.
"""

from __future__ import annotations

import calendar
import datetime as dt

from domain.dashboard import DueItem, Urgency
from domain.navigation import Place, go
from storage.db import Store

SECTION = "发展党员"


def _month_end(today: dt.date) -> str:
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=last).isoformat()


def home_items(store: Store, today: dt.date) -> list[DueItem]:
    end, now = _month_end(today), today.isoformat()
    rows = store.query(
        "SELECT r.person_id, r.person_name AS name, o.name AS branch, r.report_due,"
        " r.activist_year_on, r.approval_due, r.probation_end, r.probation_warn_from"
        " FROM development_records r LEFT JOIN org_units o ON o.id = r.branch_id"
        " WHERE r.report_due <= :end OR r.activist_year_on <= :end"
        " OR r.approval_due < :now OR r.probation_warn_from <= :now"
        " ORDER BY o.sort_order, r.person_name",
        {"end": end, "now": now},
    )
    items: list[DueItem] = []
    for r in rows:
        who = f"{r['branch'] or ''}·{r['name']}"
        found: list[tuple[str, str, bool]] = []
        if r["report_due"] and r["report_due"] <= end:
            found.append(
                (f"思想汇报 {r['report_due']} 到期", r["report_due"], r["report_due"] < now)
            )
        if r["activist_year_on"] and r["activist_year_on"] <= end:
            text = f"{r['activist_year_on']} 培养满一年，可确定为发展对象"
            found.append((text, r["activist_year_on"], False))
        if r["approval_due"] and r["approval_due"] < now:
            found.append((f"上级党委审批应于 {r['approval_due']} 前完成", r["approval_due"], True))
        if r["probation_warn_from"] and r["probation_warn_from"] <= now:
            found.append((f"预备期 {r['probation_end']} 期满，准备转正", r["probation_end"], False))
        for text, due, late in found:
            items.append(
                DueItem(
                    section=SECTION,
                    text=f"{'【逾期】' if late else ''}{who}：{text}",
                    due=dt.date.fromisoformat(due),
                    urgency=Urgency.OVERDUE if late else Urgency.DUE,
                    action=go(Place.DEVELOPMENT_PERSON, r["person_id"]),
                    branch=r["branch"] or "",
                )
            )
    return items
