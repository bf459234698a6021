"""The one error family callers of services catch.

``str(e)`` is a Chinese, user-facing message that can be shown as it is.
A ``storage.errors.StorageError`` raised inside a service is translated into
``StorageFailed`` (or ``Stale``), the original chained as ``__cause__``, so a
caller never needs to know which layer refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar


class DomainError(Exception):
    """Base: str(e) is a user-facing message in Chinese."""


class InvalidInput(DomainError):
    """An option or value the caller passed cannot be used (a usage error)."""


class NotFound(DomainError):
    """Something named by the caller (a branch, a plan) does not exist."""


class Refused(DomainError):
    """The request is understood but would do harm (e.g. overwrite data)."""


class NotPermitted(Refused):
    """The acting account lacks the granted role (or has not proven its PIN)."""


class InputMissing(DomainError):
    """A file the caller asked to read does not exist."""


class DatabaseMissing(InputMissing):
    """The database file does not exist; nothing was created."""


class BadData(DomainError):
    """The input or the database holds data that cannot be used."""


class StorageFailed(BadData):
    """The storage layer refused (damaged file, busy, disk full, ...)."""


class Stale(StorageFailed):
    """Saving against a version someone else already replaced."""


class Unavailable(DomainError):
    """The database server cannot be reached; nothing was read or written."""


class CannotWrite(DomainError):
    """An output file or folder could not be written."""


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn a StorageError raised inside the block into a DomainError."""
    from storage.errors import ServerUnreachableError, StaleRecordError, StorageError

    try:
        yield
    except ServerUnreachableError as e:
        raise Unavailable(str(e)) from e
    except StaleRecordError as e:
        raise Stale(str(e)) from e
    except StorageError as e:
        raise StorageFailed(str(e)) from e


def is_worded(err: BaseException | None) -> bool:
    """Whether str(err) is already a Chinese message for the user: a
    DomainError, or a StorageError that reached the UI without a service."""
    from storage.errors import StorageError

    return isinstance(err, DomainError | StorageError)


def refusal(e: BaseException) -> bool:
    """A save refused with a message for the user (storage or service)."""
    from storage.errors import StorageError

    return isinstance(e, StorageError | DomainError)


def lock_busy(e: BaseException) -> bool:
    """The write lock stayed busy past the deadline; nothing was written."""
    from storage.errors import BusyError

    seen = 0
    cur: BaseException | None = e
    while cur is not None and seen < 4:
        if isinstance(cur, BusyError):
            return True
        cur, seen = cur.__cause__, seen + 1
    return False


P = ParamSpec("P")
R = TypeVar("R")


def service(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of storage_errors() for a service entry point."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with storage_errors():
            return fn(*args, **kwargs)

    return wrapper


def os_reason(e: OSError) -> str:
    """Why a file could not be written, in Chinese (strerror is English)."""
    import errno

    reasons = {
        errno.ENOSPC: "磁盘已满",
        errno.EDQUOT: "超出磁盘配额",
        errno.EFBIG: "文件大小超出限制",
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.EROFS: "文件系统只读",
        errno.ENOENT: "文件夹不存在",
        errno.ENOTDIR: "路径不是文件夹",
        errno.EIO: "磁盘读写错误",
        errno.ENAMETOOLONG: "文件名过长",
    }
    return reasons.get(e.errno or 0) or f"系统错误（{type(e).__name__}）"


def out_of_space(e: OSError) -> bool:
    """No later file can be written either: stop instead of trying each one."""
    import errno

    return e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def write_error(target: object, e: OSError) -> CannotWrite:
    return CannotWrite(f"无法写入 {target}：{os_reason(e)}")
