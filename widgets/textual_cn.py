"""Chinese for the texts Textual itself shows: the descriptions of its
widgets' key bindings (listed by ? help), the command palette and the
Ctrl+C hint. Textual is pinned (pyproject.toml), so its English strings are
known; tests/test_chinese_everywhere.py fails when a new one appears."""

from __future__ import annotations

BINDING_DESCRIPTIONS: dict[str, str] = {
    # Screen / App
    "Focus Next": "下一个字段",
    "Focus Previous": "上一个字段",
    "Copy selected text": "复制选中的文字",
    "Quit": "退出",
    "palette": "命令",
    # scrolling containers
    "Scroll Up": "向上滚动",
    "Scroll Down": "向下滚动",
    "Scroll Left": "向左滚动",
    "Scroll Right": "向右滚动",
    "Scroll Home": "滚到开头",
    "Scroll End": "滚到末尾",
    "Page Up": "上一页",
    "Page Down": "下一页",
    "Page Left": "向左翻页",
    "Page Right": "向右翻页",
    # tables, lists
    "Select": "选择",
    "Cursor up": "上移",
    "Cursor down": "下移",
    "Cursor left": "左移",
    "Cursor right": "右移",
    "Cursor Up": "上移",
    "Cursor Down": "下移",
    "Page up": "上一页",
    "Page down": "下一页",
    "Top": "到顶部",
    "Bottom": "到底部",
    "Home": "到行首",
    "End": "到行尾",
    "Up": "上移",
    "Down": "下移",
    "First": "第一项",
    "Last": "最后一项",
    "Toggle": "切换",
    "Toggle option": "勾选 / 取消",
    "Toggle collapsible": "展开 / 收起",
    "Next option": "下一个选项",
    "Previous option": "上一个选项",
    "Next tab": "下一个标签页",
    "Previous tab": "上一个标签页",
    "Show menu": "展开选项",
    "Dismiss menu": "收起选项",
    "Press button": "按下按钮",
    "Open link": "打开链接",
    "Cursor to parent": "到上一级",
    "Cursor to next sibling": "到下一个同级",
    "Cursor to previous sibling": "到上一个同级",
    "Cursor to next ancestor": "到下一个上级",
    "Expand or collapse all": "全部展开 / 收起",
    # single-line input
    "Move cursor left": "光标左移",
    "Move cursor right or accept the completion suggestion": "光标右移或接受补全",
    "Move cursor left a word": "光标左移一词",
    "Move cursor right a word": "光标右移一词",
    "Move cursor left and select": "向左选择",
    "Move cursor right and select": "向右选择",
    "Move cursor left a word and select": "向左选择一词",
    "Move cursor right a word and select": "向右选择一词",
    "Delete character left": "删除左边一个字",
    "Delete character right": "删除右边一个字",
    "Delete left to start of word": "向左删除一词",
    "Delete right to start of word": "向右删除一词",
    "Delete all to the left": "删除光标左边全部",
    "Delete all to the right": "删除光标右边全部",
    "Select all": "全选",
    "Go to start": "到开头",
    "Go to end": "到末尾",
    "Select line start": "选到行首",
    "Select line end": "选到行尾",
    "Submit": "确认",
    "Cut selected text": "剪切选中的文字",
    "Paste text from the clipboard": "粘贴",
    # multi-line text
    "Cursor up select": "向上选择",
    "Cursor down select": "向下选择",
    "Cursor left select": "向左选择",
    "Cursor right select": "向右选择",
    "Cursor word left": "光标左移一词",
    "Cursor word right": "光标右移一词",
    "Cursor left word select": "向左选择一词",
    "Cursor right word select": "向右选择一词",
    "Cursor line start": "到行首",
    "Cursor line end": "到行尾",
    "Cursor line start select": "选到行首",
    "Cursor line end select": "选到行尾",
    "Cursor page up": "上一页",
    "Cursor page down": "下一页",
    "Delete line": "删除整行",
    "Delete to line start": "删除到行首",
    "Delete to line end": "删除到行尾",
    "Select line": "选中整行",
    "Copy": "复制",
    "Cut": "剪切",
    "Paste": "粘贴",
    "Undo": "撤销",
    "Redo": "重做",
    # command palette
    "Exit the command palette": "关闭命令面板",
    "Next command": "下一条命令",
    "Previous command": "上一条命令",
    "Next page": "下一页",
    "Previous page": "上一页",
    "Go to top": "到第一条",
    "Go to bottom": "到最后一条",
}

PALETTE_PLACEHOLDER = "搜索命令…（可用拼音或首字母）"
PALETTE_NO_MATCHES = "没有匹配的命令"
QUIT_HINT_TITLE = "要退出吗？"
QUIT_HINT = "按 {key} 退出（草稿会自动保存）"


def binding_description(text: str) -> str:
    """The Chinese for one of Textual's binding descriptions (ours pass through)."""
    return BINDING_DESCRIPTIONS.get(text, text)
