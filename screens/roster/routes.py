"""花名册 routes: roster, add a person, import; the person-form draft."""

from __future__ import annotations

from domain.navigation import Place
from screens.navigation import DraftKind, PaletteEntry, Route
from widgets.app_handle import ZhibuAppBase


def _roster(app: ZhibuAppBase) -> None:
    from screens.roster.roster import RosterScreen

    app.go(Place.HOME)
    app.push_screen(RosterScreen())


def _add_person(app: ZhibuAppBase) -> None:
    from screens.roster.person_form import PersonForm

    app.push_screen(PersonForm(None))


def _import_people(app: ZhibuAppBase) -> None:
    from screens.roster.import_people import ImportPeopleScreen

    app.push_screen(ImportPeopleScreen())


def _account_requests(app: ZhibuAppBase) -> None:
    from screens.roster.account_requests import AccountRequestsScreen

    app.push_screen(AccountRequestsScreen())


def _resume_person(app: ZhibuAppBase, key: str) -> None:
    from screens.roster.person_form import PersonForm
    from services import roster

    person = None if key == "new" else roster.get_person(app.store, key)
    app.push_screen(PersonForm(person))


ROUTES = (
    Route(Place.ROSTER, _roster, "花名册", key="r", footer=True,
          palette=(PaletteEntry("花名册", "组织树与人员，拼音搜索"),)),
    Route(Place.ADD_PERSON, _add_person, "新增人员", key="a",
          palette=(PaletteEntry("新增人员", "打开人员表单"),)),
    Route(Place.IMPORT_PEOPLE, _import_people, "导入人员", key="i",
          palette=(PaletteEntry("导入人员", "从 .csv / .xlsx 导入"),)),
    Route(Place.ACCOUNT_REQUESTS, _account_requests, "账户申请",
          palette=(PaletteEntry("账户申请", "批准“我是谁”申请（管理员、支部书记）"),)),
)  # fmt: skip

DRAFTS = (DraftKind("person", "人员表单", _resume_person),)
