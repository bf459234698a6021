"""`zhibu export minutes`: a meeting deleted while the export runs is a
Chinese failure line and exit code 1, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import meetings
from storage.db import Store
from tui.cli import main


def test_a_meeting_gone_mid_export_is_reported_not_a_traceback(
    demo_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    finished = meetings.list_finished(demo_store, limit=500)
    assert finished, "the demo data has finished meetings"
    gone = finished[0]
    real_get = meetings.get

    def get(store: Store, meeting_id: str) -> object:
        return None if meeting_id == gone.id else real_get(store, meeting_id)

    monkeypatch.setattr(meetings, "get", get)
    db = demo_store.path
    demo_store.close()
    out_dir = tmp_path / "纪要"
    code = main(["--db", str(db), "export", "minutes", "-o", str(out_dir)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in err
    assert f"失败：{gone.date} {gone.org_name} {gone.kind}（已被删除）" in err
    assert "，1 个失败" in out
    assert len(list(out_dir.glob("*.docx"))) == len(finished) - 1
