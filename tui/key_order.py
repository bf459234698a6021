"""Every key goes to the field that was focused when it was typed.

Textual forwards a key by posting it to the focused widget's queue and
moves on to the next key at once. A Tab (or an Enter that submits, or a key
that opens a dialog) takes effect only after the event has bubbled through
several queues, so in a burst — keys sent together over a laggy SSH link —
the keys after it still went to the old field: 'X' Tab×6 'Y' gave 姓名 = XY.

This mixin lets one key (or paste) be in flight at a time: the next waits
until the previous one has been handled all the way up (each node on its
path has processed what was queued before it) and any screen it opened has
mounted and taken focus. Waiting is bounded, so a node that closes in the
meantime can never stall the keyboard (docs/ARCHITECTURE.md, keys)."""

from __future__ import annotations

import asyncio
from collections import deque

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.message_pump import MessagePump

# Longest wait for one node to reach a sentinel (a closed node never does).
SETTLE_TIMEOUT = 0.5
# Rounds of settling while the key keeps changing the screen or the focus.
MAX_ROUNDS = 6


async def _drained(node: MessagePump) -> None:
    """Return once *node* has processed everything queued before now."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def mark() -> None:
        if not done.done():
            done.set_result(None)

    if not node.call_later(mark):
        return
    try:
        await asyncio.wait_for(asyncio.shield(done), SETTLE_TIMEOUT)
    except TimeoutError:
        pass


class OrderedKeys(App[None]):
    """Mixed into the app (before App in the bases)."""

    def __init__(self) -> None:
        super().__init__()
        self._key_busy = False
        self._key_backlog: deque[events.Event] = deque()

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key | events.Paste) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._key_busy:
            self._key_backlog.append(event)
            return
        await self._deliver(event)

    async def _deliver(self, event: events.Event) -> None:
        self._key_busy = True
        try:
            target: DOMNode | None = self.focused
            screen = self.screen if self._screen_stack else None
            await super().on_event(event)
        except BaseException:
            self._key_busy = False
            raise
        asyncio.get_running_loop().create_task(self._settle(target, screen))

    async def _settle(self, target: DOMNode | None, screen: object) -> None:
        try:
            for _ in range(MAX_ROUNDS):
                focus_before = self.focused
                node: DOMNode | None = target
                while node is not None and node is not self:
                    await _drained(node)
                    node = node.parent
                await _drained(self)
                now = self.screen if self._screen_stack else None
                if now is screen and self.focused is focus_before:
                    break
                # The key opened or closed a screen, or moved the focus:
                # settle what that set in motion (mount, on_mount focus).
                if now is not None and not now.is_mounted:
                    for _wait in range(100):
                        if now.is_mounted:
                            break
                        await asyncio.sleep(0.005)
                screen, target = now, self.focused or now
        finally:
            self._key_busy = False
        if self._key_backlog and not self._closing:
            await self._deliver(self._key_backlog.popleft())
