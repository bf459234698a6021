"""问题清单 and 党总支任务 routes: the list (w on 今日), one problem, the
tasks (t on 今日); the problem form's draft."""

from __future__ import annotations

from domain.navigation import Place
from screens.navigation import DraftKind, PaletteEntry, Route
from widgets.app_handle import ZhibuAppBase


def _problems(app: ZhibuAppBase, branch_id: str = "") -> None:
    from screens.loop.problems import ProblemsScreen

    app.push_screen(ProblemsScreen(branch_id or None))


def _problem(app: ZhibuAppBase, problem_id: str) -> None:
    from screens.loop.problems import ProblemsScreen
    from services import problems
    from services.errors import DomainError

    try:
        p = problems.get(app.store, problem_id)
    except DomainError as e:
        app.notify(str(e), markup=False)
        return
    app.push_screen(ProblemsScreen(p.branch_id, focus=p.id))


def _tasks(app: ZhibuAppBase, unit_id: str = "") -> None:
    from screens.loop.tasks import TasksScreen

    app.push_screen(TasksScreen(unit_id or None))


def _resume_problem(app: ZhibuAppBase, key: str) -> None:
    from screens.loop.problems import ProblemForm
    from services import problems
    from services.errors import DomainError

    if key.startswith("new:"):
        _, branch_id, meeting_id = (key.split(":") + ["", ""])[:3]
        app.push_screen(ProblemForm(branch_id, meeting_id=meeting_id or None))
        return
    try:
        p = problems.get(app.store, key)
    except DomainError as e:
        app.notify(str(e), markup=False)
        return
    app.push_screen(ProblemForm(p.branch_id, problem=p))


def _resume_task(app: ZhibuAppBase, general_id: str) -> None:
    from screens.loop.tasks import TaskForm
    from services import tasks

    general = next(((g, n) for g, n in tasks.generals(app.store) if g == general_id), None)
    if general is None:
        app.notify("党总支已不存在", markup=False)
        return
    app.push_screen(TaskForm(general, tasks.branches_of(app.store, general_id)))


def _resume_report(app: ZhibuAppBase, key: str) -> None:
    from screens.loop.tasks import ReportForm
    from services import tasks

    task_id, _, branch_id = key.partition("|")
    item = next((i for i in tasks.branch_tasks(app.store, branch_id=branch_id)
                 if i.task.id == task_id), None)  # fmt: skip
    if item is None:
        app.notify("任务已不存在", markup=False)
        return
    app.push_screen(ReportForm(item))


ROUTES = (
    Route(Place.PROBLEMS, _problems, "问题清单", key="w", palette=(
        PaletteEntry("问题清单", "会议、检查、隐患排查发现的问题及会议决议：整改、验证、导出整改台账"),)),
    Route(Place.PROBLEM, _problem),
    Route(Place.TASKS, _tasks, "党总支任务", key="t", palette=(
        PaletteEntry("党总支任务", "党总支下达任务、支部报告进展、季度工作检查得分"),)),
)  # fmt: skip

DRAFTS = (
    DraftKind("problem", "问题清单", _resume_problem),
    DraftKind("task", "下达任务", _resume_task),
    DraftKind("task_report", "任务进展", _resume_report),
)
