"""The database handle screens and widgets hold, named from services/ so the
UI layers need not import storage (docs/ARCHITECTURE.md, layers)."""

from __future__ import annotations

from storage.db import Store

__all__ = ["Store"]
