"""One wording for a failed export, whichever screen ran it."""

from __future__ import annotations

import errno

from services.errors import is_worded, os_reason


def export_error_message(err: BaseException | None) -> str:
    """Chinese, without field values; exports save atomically, so the old file stays."""
    if is_worded(err):
        return str(err)
    if isinstance(err, OSError):
        if err.errno == errno.ENOSPC:
            return "磁盘已满，导出失败；原有文件未受影响。请清理空间后重试。"
        where = f"（{err.filename}）" if err.filename else ""
        return f"无法写入：{os_reason(err)}{where}，导出失败；原有文件未受影响。"
    return f"导出失败（{type(err).__name__}）"
