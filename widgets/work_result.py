"""Workers hand their results to the screen as messages.

A thread worker ends by posting one of its screen's nested Message classes
(handled with ``@on``), so a screen reads a result in a typed handler instead
of filtering every Worker.StateChanged by group and casting ``worker.result``.
Errors never come this way: the app's one handler reports them
(tui.app.ZhibuApp._worker_failed) and sends the node a BackgroundFailed.
"""

from __future__ import annotations

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import NoActiveWorker, get_current_worker


def post_result(node: MessagePump, message: Message) -> None:
    """Post *message* to *node* from the worker's thread (post_message is
    thread-safe). A worker cancelled meanwhile (an exclusive worker replaced
    by a newer one, the screen closed) posts nothing: its result is stale."""
    try:
        if get_current_worker().is_cancelled:
            return
    except NoActiveWorker:
        pass
    node.post_message(message)
