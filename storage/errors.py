"""Storage errors carry a Chinese message the UI can show as it is."""

from __future__ import annotations


class StorageError(Exception):
    """Base class; str(e) is a user-facing message."""


class NotADatabaseError(StorageError):
    pass


class ServerUnreachableError(NotADatabaseError):
    """The PostgreSQL server cannot be reached (down, wrong host, refused login)."""


class SchemaTooNewError(StorageError):
    pass


class StaleRecordError(StorageError):
    """Saving against a version someone else already replaced."""

    def __init__(self, by: str, at: str) -> None:
        self.by = by
        self.at = at
        super().__init__(f"这条记录已被 {by} 于 {at} 修改，您的保存未生效。请重新载入后再改。")


class RecordMissingError(StorageError):
    pass


class BusyError(StorageError):
    """Another process held the write lock past the deadline; nothing written."""


class DiskFullError(StorageError):
    pass


class FileReplacedError(StorageError):
    """The database file or its -wal is no longer the one this session opened."""


class CorrectionConflict(StorageError):
    """A second correction of one record, or a correction of a replaced version."""


class SyncRefusedError(StorageError):
    """A push or bundle the hub will not take (a chain that does not verify,
    a damaged bundle, another schema); nothing was written (docs/SYNC.md)."""


class SiteRecordReadOnlyError(StorageError):
    """A save of a site's record at the 党委 hub (docs/SYNC.md#read-only-at-the-hub)."""
