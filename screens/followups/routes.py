"""一人一事 routes: quick file, lists, one case, triggers, ledger export; the
follow-up drafts."""

from __future__ import annotations

from domain.navigation import Place
from screens.navigation import DraftKind, PaletteEntry, Route
from widgets.app_handle import ZhibuAppBase


def _quick(app: ZhibuAppBase) -> None:
    from screens.followups.quick import QuickFileScreen

    app.push_screen(QuickFileScreen())


def _list(app: ZhibuAppBase, scope: str = "") -> None:
    from screens.followups.listing import FollowupListScreen

    app.push_screen(FollowupListScreen(scope or None))


def _one(app: ZhibuAppBase, fu_id: str, resume: str = "") -> None:
    """One case, from a due line on 今日, a draft or a link. A private case this
    session may not read yet offers the PIN (or 切换身份) first instead of
    opening silently redacted; Esc still opens it, redacted."""
    from screens.followups.timeline import FollowupTimelineScreen
    from screens.pin import PinScreen
    from screens.signin import SignInScreen
    from services import identity, private_details

    def show(_: bool | None = None) -> None:
        app.push_screen(FollowupTimelineScreen(fu_id, resume=resume))

    fu = private_details.one(app.store, fu_id, private_details.reader(app.store))
    if fu is None or not fu.is_redacted or not identity.needs_pin(app.store, app.pin_session):
        show()
    elif identity.is_shared(app.store, app.pin_session):
        app.push_screen(SignInScreen("查看保密事项"), show)
    elif identity.acting_roles(app.store).person_id is not None:
        app.push_screen(PinScreen("查看保密事项"), show)
    else:
        show()


def _triggers(app: ZhibuAppBase) -> None:
    from screens.followups.triggers import TriggerCatalogueScreen

    app.push_screen(TriggerCatalogueScreen())


def _export(app: ZhibuAppBase) -> None:
    from screens.followups.export import LedgerExportScreen

    app.push_screen(LedgerExportScreen())


def _resume_step(app: ZhibuAppBase, key: str) -> None:
    fu_id, _, step = key.partition(":")
    _one(app, fu_id, step)


ROUTES = (
    Route(Place.QUICK_FOLLOWUP, _quick, "一人一事", key="f", footer=True,
          palette=(PaletteEntry("一人一事 登记", "快速登记：对象、触发情形、几句话、责任人"),)),
    Route(Place.FOLLOWUPS, _list, "一人一事列表", key="o", palette=(
        PaletteEntry("一人一事 我的", "我负责的一人一事", ("我的",)),
        PaletteEntry("一人一事 本支部", "本支部的一人一事，按状态/级别/责任人筛选", ("本支部",)),
        PaletteEntry("一人一事 逾期", "到期未联系、未回访的一人一事", ("逾期",)),
    )),
    Route(Place.FOLLOWUP, _one),
    Route(Place.EXPORT_LEDGER, _export,
          palette=(PaletteEntry("一人一事 导出台账", "一人一事台账 .docx（按支部、期间）"),)),
    Route(Place.FOLLOWUP_TRIGGERS, _triggers,
          palette=(PaletteEntry("必谈必访清单", "编辑本支部的必谈/必访触发情形"),)),
)  # fmt: skip

DRAFTS = (
    DraftKind("followup", "一人一事登记", lambda app, _key: _quick(app)),
    DraftKind("followup_contact", "谈话记录", lambda app, key: _one(app, key, "contact")),
    DraftKind("followup_step", "一人一事", _resume_step),
    DraftKind("followup_trigger", "必谈必访", lambda app, _key: _triggers(app)),
)
