"""The 党总支's tasks (domain.tasks.Task), which branches each went to, and
each branch's report."""

from __future__ import annotations

from collections.abc import Sequence

from domain.tasks import Task, TaskReport
from storage.db import Store
from storage.records import load_document, save_document
from storage.sql import Connection

TABLE = "tasks"
REPORTS = "task_reports"


def save_task(store: Store, task: Task, *, conn: Connection | None = None) -> Task:
    if conn is not None:
        return _save_task(store, task, conn)
    with store.write() as c:
        return _save_task(store, task, c)


def _save_task(store: Store, task: Task, c: Connection) -> Task:
    saved = save_document(
        store, TABLE, task, {"general_id": task.general_id, "due": task.due}, conn=c
    )
    c.execute("DELETE FROM task_branches WHERE task_id=?", (task.id,))
    c.executemany(
        "INSERT INTO task_branches(task_id, branch_id) VALUES (?,?)",
        [(task.id, b) for b in dict.fromkeys(task.branch_ids)],
    )
    return saved


def get_task(store: Store, task_id: str) -> Task | None:
    row = store.query_one(f"SELECT * FROM {TABLE} WHERE id=?", (task_id,))
    return None if row is None else load_document(row, Task)


def tasks(store: Store, branch_ids: Sequence[str] | None = None) -> list[Task]:
    """Every task (of *branch_ids* when given), earliest due first."""
    if branch_ids is None:
        rows = store.query(f"SELECT * FROM {TABLE} ORDER BY due, rowid")
    else:
        marks = ",".join("?" * len(branch_ids)) or "NULL"
        rows = store.query(
            f"SELECT DISTINCT t.* FROM {TABLE} t JOIN task_branches b ON b.task_id = t.id"
            f" WHERE b.branch_id IN ({marks}) ORDER BY t.due, t.rowid",
            tuple(branch_ids),
        )
    return [load_document(r, Task) for r in rows]


def reports(store: Store, task_ids: Sequence[str] | None = None) -> list[TaskReport]:
    if task_ids is None:
        rows = store.query(f"SELECT * FROM {REPORTS}")
    else:
        marks = ",".join("?" * len(task_ids)) or "NULL"
        rows = store.query(f"SELECT * FROM {REPORTS} WHERE task_id IN ({marks})", tuple(task_ids))
    return [load_document(r, TaskReport) for r in rows]


def get_report(store: Store, task_id: str, branch_id: str) -> TaskReport | None:
    row = store.query_one(
        f"SELECT * FROM {REPORTS} WHERE task_id=? AND branch_id=?", (task_id, branch_id)
    )
    return None if row is None else load_document(row, TaskReport)


def save_report(
    store: Store, report: TaskReport, *, conn: Connection | None = None
) -> TaskReport:
    index = {"task_id": report.task_id, "branch_id": report.branch_id, "done": report.done}
    return save_document(store, REPORTS, report, index, conn=conn)
