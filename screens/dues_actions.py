"""App actions for oversight (participation, 党费, member record, quarterly
report), as a mixin for ZhibuApp (see the wiring notes).

``class ZhibuApp(OversightActions, …, App[None])`` gives the app:
  open_participation(branch_id)  → ParticipationScreen (branch optional)
  open_dues(branch_id)           → DuesGridScreen for this month
  member_lookup                  → pinyin search, then MemberRecordScreen
  open_member_record(person_id)  → MemberRecordScreen (home 党费 DueItem.action)
  export_report                  → ParticipationScreen with the export prompt open
  resume_dues_draft(key)         → the dues grid the draft belongs to
"""

from __future__ import annotations

from typing import Any

OVERSIGHT_PALETTE: list[tuple[str, str, str]] = [
    ("组织生活参加情况", "各党员出席率、请假缺席、补学；低于阈值的列出", "open_participation"),
    ("党费录入", "整支部一屏录入：缴足、金额、基数、免缴，Ctrl+S 一次保存", "open_dues"),
    ("党员档案", "按拼音查党员：参加会议情况和党费", "member_lookup"),
    ("季度报告", "导出季度党建工作报告 .docx（支部、党总支汇总）", "export_report"),
]

# storage.drafts workflow → label on the home screen's draft list.
OVERSIGHT_DRAFT_LABELS = {"dues": "党费录入"}


class OversightActions:
    """Mixed into the App; ``self`` is the ZhibuApp."""

    def action_open_participation(self, branch_id: str = "") -> None:
        from screens.participation import ParticipationScreen

        self.push_screen(ParticipationScreen(branch_id or None))  # type: ignore[attr-defined]

    def action_open_dues(self, branch_id: str = "") -> None:
        from screens.dues_grid import DuesGridScreen

        self.push_screen(DuesGridScreen(branch_id or None))  # type: ignore[attr-defined]

    def action_member_lookup(self) -> None:
        from screens.member_record import open_member_lookup

        open_member_lookup(self)  # type: ignore[arg-type]

    def action_open_member_record(self, person_id: str) -> None:
        from screens.member_record import MemberRecordScreen

        self.push_screen(MemberRecordScreen(person_id))  # type: ignore[attr-defined]

    def action_export_report(self) -> None:
        from screens.participation import ParticipationScreen

        app: Any = self
        screen = ParticipationScreen()
        app.push_screen(screen)
        app.call_after_refresh(screen.action_export)

    def action_resume_dues_draft(self, key: str) -> None:
        from screens.dues_grid import DuesGridScreen

        self.push_screen(DuesGridScreen.from_draft_key(key))  # type: ignore[attr-defined]
