"""Terminal robustness patches applied before the app runs."""

from __future__ import annotations


def tolerate_non_utf8_input() -> None:
    """A client set to GBK sends bytes that crash Textual's strict UTF-8
    decoder (Textual #6456); decode with replacement instead."""
    import codecs
    import functools

    import textual.drivers.linux_driver as linux_driver

    linux_driver.getincrementaldecoder = lambda enc: functools.partial(  # type: ignore[attr-defined]
        codecs.getincrementaldecoder(enc), errors="replace"
    )
