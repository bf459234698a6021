"""The one folder exports go to: per OS account, private to it.

Minutes, rota plans, ledgers and reports are written to the same folder,
``~/zhibu-导出/`` of whoever runs the app unless ``ZHIBU_EXPORT_DIR`` names
another, or the command line's ``-o`` / the dialog's folder field says
otherwise. The folder is created 0700 for that account; a folder that is
another account's private one (owned by them, no group or other access) is
refused, so one account never writes into another's exports, not even as
root (docs/DOCUMENTS.md#export-folder, docs/SECURITY.md).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import CannotWrite

if TYPE_CHECKING:
    from services.settings import Settings

ENV = "ZHIBU_EXPORT_DIR"
DEFAULT = "~/zhibu-导出"

# export_dir from a configuration file (services.settings), set once at start
# by the CLI or make_app; the environment variable still wins over it.
_configured: Path | None = None


def configure(settings: Settings | None) -> None:
    """Take the export folder a configuration file names (None: the default)."""
    global _configured
    from services.settings import Source

    file_set = settings is not None and settings.origin("export_dir") in (
        Source.SYSTEM, Source.USER,
    )  # fmt: skip
    _configured = settings.export_dir if settings is not None and file_set else None


def default_export_dir() -> Path:
    """The configured folder, absolute (a relative one would land in whatever
    folder the app was started from, e.g. inside a source tree)."""
    raw = os.environ.get(ENV, "").strip() or str(_configured or DEFAULT)
    return Path(raw).expanduser().absolute()


def _owner_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"


def ensure_export_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Create *path* (default: the export folder) 0700 for this account and
    return it absolute. CannotWrite when it is a file or another account's
    private folder; the default folder, when ours, is tightened back to 0700.
    An OSError from creating it is left to the caller, which words it as the
    export's write error."""
    folder = Path(path).expanduser().absolute() if path else default_export_dir()
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is cut by the umask
        return folder
    if not folder.is_dir():
        raise CannotWrite(f"{folder} 不是文件夹")
    st = folder.stat()
    mode = stat.S_IMODE(st.st_mode)
    if st.st_uid != os.getuid():
        if not mode & 0o077:
            raise CannotWrite(
                f"{folder} 是系统账户 {_owner_name(st.st_uid)} 的私有导出文件夹，不能写入；"
                f"请导出到您自己的文件夹（默认 {DEFAULT}/）"
            )
        return folder  # a folder shared with a group on purpose
    if folder == default_export_dir() and mode != 0o700:
        os.chmod(folder, 0o700)
    return folder
