"""Reading a pyte screen safely.

pyte's Screen.display raises IndexError when a wide (CJK) character is
half-overwritten and leaves an empty cell; real terminals just show a blank.
"""

from __future__ import annotations


def screen_text(screen) -> str:
    lines = []
    for y in range(screen.lines):
        row = screen.buffer[y]
        out, skip = [], False
        for x in range(screen.columns):
            if skip:
                skip = False
                continue
            data = row[x].data or " "
            out.append(data)
            skip = _wide(data[0])
        lines.append("".join(out))
    return "\n".join(lines)


def _wide(ch: str) -> bool:
    from wcwidth import wcwidth

    return wcwidth(ch) == 2
