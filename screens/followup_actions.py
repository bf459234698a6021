"""App actions for 一人一事, as a mixin for ZhibuApp (see the wiring notes).

``class ZhibuApp(FollowupActions, App[None])`` gives the app:
  quick_followup           → QuickFileScreen (modal), from anywhere
  open_followups(scope)    → FollowupListScreen; scope 我的 / 本支部 / 逾期
  open_followup(fu_id)     → FollowupTimelineScreen (home DueItem.action)
  followup_triggers        → TriggerCatalogueScreen
  export_ledger            → LedgerExportScreen (modal)
  resume_followup_draft(workflow, key) → the form the draft belongs to
                             (a plain method, as screens/home.py calls it;
                             also an action of the same name)
"""

from __future__ import annotations

FOLLOWUP_PALETTE: list[tuple[str, str, str]] = [
    ("一人一事 登记", "快速登记：对象、触发情形、几句话、责任人", "quick_followup"),
    ("一人一事 我的", "我负责的一人一事", "open_followups('我的')"),
    ("一人一事 本支部", "本支部的一人一事，按状态/级别/责任人筛选", "open_followups('本支部')"),
    ("一人一事 逾期", "到期未联系、未回访的一人一事", "open_followups('逾期')"),
    ("一人一事 导出台账", "一人一事台账 .docx（按支部、期间）", "export_ledger"),
    ("必谈必访清单", "编辑本支部的必谈/必访触发情形", "followup_triggers"),
]

# storage.drafts workflow → label on the home screen's draft list.
FOLLOWUP_DRAFT_LABELS = {
    "followup": "一人一事登记",
    "followup_contact": "谈话记录",
    "followup_step": "一人一事",
    "followup_trigger": "必谈必访",
}


class FollowupActions:
    """Mixed into the App; ``self`` is the ZhibuApp."""

    def action_quick_followup(self) -> None:
        from screens.followup_quick import QuickFileScreen

        self.push_screen(QuickFileScreen())  # type: ignore[attr-defined]

    def action_open_followups(self, scope: str = "") -> None:
        from screens.followup_list import FollowupListScreen

        self.push_screen(FollowupListScreen(scope or None))  # type: ignore[attr-defined]

    def action_open_followup(self, fu_id: str) -> None:
        from screens.followup_timeline import FollowupTimelineScreen

        self.push_screen(FollowupTimelineScreen(fu_id))  # type: ignore[attr-defined]

    def action_followup_triggers(self) -> None:
        from screens.followup_triggers import TriggerCatalogueScreen

        self.push_screen(TriggerCatalogueScreen())  # type: ignore[attr-defined]

    def action_export_ledger(self) -> None:
        from screens.followup_export import LedgerExportScreen

        self.push_screen(LedgerExportScreen())  # type: ignore[attr-defined]

    def resume_followup_draft(self, workflow: str, key: str) -> None:
        """Reopen the form a follow-up draft came from (home 未完成的草稿)."""
        from screens.followup_timeline import FollowupTimelineScreen

        if workflow == "followup":
            self.action_quick_followup()
        elif workflow == "followup_trigger":
            self.action_followup_triggers()
        elif workflow == "followup_contact":
            self.push_screen(FollowupTimelineScreen(key, resume="contact"))  # type: ignore[attr-defined]
        elif workflow == "followup_step":
            fu_id, _, step = key.partition(":")
            self.push_screen(FollowupTimelineScreen(fu_id, resume=step))  # type: ignore[attr-defined]

    def action_resume_followup_draft(self, workflow: str, key: str) -> None:
        self.resume_followup_draft(workflow, key)
