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


def _sign_in(app: ZhibuAppBase) -> None:
    from screens.pin import PinScreen
    from screens.signin import SignInScreen
    from services import identity

    if identity.is_shared(app.store, app.pin_session):
        app.push_screen(SignInScreen())
    elif identity.needs_pin(app.store, app.pin_session):
        app.push_screen(PinScreen("证明您是本账户对应的人"))
    else:
        app.notify("本账户只属于一个人，无需切换身份（管理员可用 zhibu admin shared 设为共用账户）",
                   markup=False)  # fmt: skip


def _sign_out(app: ZhibuAppBase) -> None:
    from screens.signin import sign_out

    sign_out(app.screen)


def _branch_status(app: ZhibuAppBase, branch_id: str | None = None) -> None:
    from screens.roster.branch_status import BranchStatusScreen

    app.push_screen(BranchStatusScreen(branch_id))


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
    Route(Place.SIGN_IN, _sign_in, "切换身份", key="s", footer=True,
          palette=(PaletteEntry("切换身份", "共用账户：选择您是谁，输入个人 PIN"),)),
    Route(Place.SIGN_OUT, _sign_out,
          palette=(PaletteEntry("退出身份", "共用账户：回到无身份（看不到保密内容）"),)),
    Route(Place.ACCOUNT_REQUESTS, _account_requests, "账户申请",
          palette=(PaletteEntry("账户申请", "批准“我是谁”申请（管理员、支部书记）"),)),
    Route(Place.BRANCH_STATUS, _branch_status, "支部换届与设置",
          palette=(PaletteEntry("支部换届与设置", "任期届满提醒、正式党员人数、支委会设置"),)),
)  # fmt: skip

DRAFTS = (DraftKind("person", "人员表单", _resume_person),)
