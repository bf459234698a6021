"""n / p paging for list screens that read one page of rows at a time from SQL."""

from __future__ import annotations


class PagedList:
    """Mixin: ``page_offset`` into ``page_total()`` rows, ``page_size`` at a time;
    ``reload()`` (the screen's own) shows the current page."""

    page_size = 100
    page_offset = 0

    def page_total(self) -> int:
        raise NotImplementedError

    def reload(self) -> None:
        raise NotImplementedError

    def action_next_page(self) -> None:
        if self.page_offset + self.page_size < self.page_total():
            self.page_offset += self.page_size
            self.reload()

    def action_prev_page(self) -> None:
        if self.page_offset:
            self.page_offset = max(0, self.page_offset - self.page_size)
            self.reload()
