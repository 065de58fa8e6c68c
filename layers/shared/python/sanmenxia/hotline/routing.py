"""Responsible units (责任单位) and the routing table that sends each kind of work order to one.

The routing decision, written down once:

* ``rumour`` (谣言) goes to ``propaganda`` (宣传部 / 网信办): the Cyberspace office verifies online rumours and
  publishes the rebuttal (辟谣) on the portal, which its handlers may do; when a rumour turns out to be a
  crime the handler returns the order and the operator re-dispatches it to ``public_security``.
* Price gouging, fake supplies and wild game are market offences: ``market_regulation`` (市场监管局).
* Collecting used masks for resale is investigated as a crime: ``public_security`` (公安局), as are gatherings.
* Fever persons go to ``health_commission`` (卫健委); returnees from Wuhan and villages without a fever
  checkpoint to ``community_affairs`` (城乡社区防控办, the office that runs community screening); vehicles
  back from Hubei to ``transport`` (交通运输局).
* Portal help messages go to ``community_affairs`` and are visible to the head of the resident's community;
  health-code appeals to ``big_data`` (大数据管理局).
* Hardship requests (困难诉求: medicine, daily necessities, a medical visit) have one owner, the head of the
  household's community, who handles them on the community screen; their order goes to ``community_affairs``
  of that community and follows the request (``WorkOrderProgress``), so no second unit works on the same need.
"""

from __future__ import annotations

from enum import StrEnum

from sanmenxia.contracts import WorkOrderSource


class Department(StrEnum):
    """Responsible units; a department handler's Cognito attribute ``custom:department`` holds one of these."""

    PUBLIC_SECURITY = "public_security"  # 公安局
    MARKET_REGULATION = "market_regulation"  # 市场监督管理局
    HEALTH_COMMISSION = "health_commission"  # 卫生健康委员会
    TRANSPORT = "transport"  # 交通运输局
    CIVIL_AFFAIRS = "civil_affairs"  # 民政局
    COMMUNITY_AFFAIRS = "community_affairs"  # 城乡社区防控办
    PROPAGANDA = "propaganda"  # 宣传部(网信办)
    BIG_DATA = "big_data"  # 大数据管理局(健康码)
    HOTLINE_CENTER = "hotline_center"  # 12345 热线中心(直接答复)

    @property
    def label(self) -> str:
        return DEPARTMENT_LABELS[self]


DEPARTMENT_LABELS: dict[Department, str] = {
    Department.PUBLIC_SECURITY: "公安局",
    Department.MARKET_REGULATION: "市场监督管理局",
    Department.HEALTH_COMMISSION: "卫生健康委员会",
    Department.TRANSPORT: "交通运输局",
    Department.CIVIL_AFFAIRS: "民政局",
    Department.COMMUNITY_AFFAIRS: "城乡社区防控办",
    Department.PROPAGANDA: "宣传部(网信办)",
    Department.BIG_DATA: "大数据管理局",
    Department.HOTLINE_CENTER: "12345热线中心",
}


class TipoffCategory(StrEnum):
    """The ten categories of 我要上报疫情."""

    NO_FEVER_CHECKPOINT = "no_fever_checkpoint"  # 村(社区)未设发热检测点
    FEVER_PERSON = "fever_person"  # 发热人员
    GATHERING = "gathering"  # 聚集活动
    RETURNEE_FROM_WUHAN = "returnee_from_wuhan"  # 武汉返乡人员
    VEHICLE_FROM_HUBEI = "vehicle_from_hubei"  # 湖北返回车辆
    RUMOUR = "rumour"  # 谣言
    PRICE_GOUGING = "price_gouging"  # 哄抬物价
    FAKE_SUPPLIES = "fake_supplies"  # 假冒伪劣防疫物资
    COLLECTING_USED_MASKS = "collecting_used_masks"  # 回收废旧口罩
    SELLING_WILD_GAME = "selling_wild_game"  # 售卖野味

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[TipoffCategory, str] = {
    TipoffCategory.NO_FEVER_CHECKPOINT: "村(社区)未设发热检测点",
    TipoffCategory.FEVER_PERSON: "发热人员",
    TipoffCategory.GATHERING: "聚集活动",
    TipoffCategory.RETURNEE_FROM_WUHAN: "武汉返乡人员",
    TipoffCategory.VEHICLE_FROM_HUBEI: "湖北返回车辆",
    TipoffCategory.RUMOUR: "谣言",
    TipoffCategory.PRICE_GOUGING: "哄抬物价",
    TipoffCategory.FAKE_SUPPLIES: "假冒伪劣防疫物资",
    TipoffCategory.COLLECTING_USED_MASKS: "回收废旧口罩",
    TipoffCategory.SELLING_WILD_GAME: "售卖野味",
}

#: Tip-off category → responsible unit (see the module docstring for the reasons).
TIPOFF_ROUTES: dict[TipoffCategory, Department] = {
    TipoffCategory.NO_FEVER_CHECKPOINT: Department.COMMUNITY_AFFAIRS,
    TipoffCategory.FEVER_PERSON: Department.HEALTH_COMMISSION,
    TipoffCategory.GATHERING: Department.PUBLIC_SECURITY,
    TipoffCategory.RETURNEE_FROM_WUHAN: Department.COMMUNITY_AFFAIRS,
    TipoffCategory.VEHICLE_FROM_HUBEI: Department.TRANSPORT,
    TipoffCategory.RUMOUR: Department.PROPAGANDA,
    TipoffCategory.PRICE_GOUGING: Department.MARKET_REGULATION,
    TipoffCategory.FAKE_SUPPLIES: Department.MARKET_REGULATION,
    TipoffCategory.COLLECTING_USED_MASKS: Department.PUBLIC_SECURITY,
    TipoffCategory.SELLING_WILD_GAME: Department.MARKET_REGULATION,
}

#: Sources whose orders always go to one unit (tip-offs route by category; calls are dispatched by operators).
SOURCE_ROUTES: dict[WorkOrderSource, Department] = {
    WorkOrderSource.HELP_MESSAGE: Department.COMMUNITY_AFFAIRS,
    WorkOrderSource.HARDSHIP: Department.COMMUNITY_AFFAIRS,
    WorkOrderSource.APPEAL: Department.BIG_DATA,
}

#: Unit whose handlers may publish portal content (besides commanders and admins).
PUBLISHING_DEPARTMENT = Department.PROPAGANDA


def route(source: WorkOrderSource, category: str | None, department: str | None = None) -> Department | None:
    """The unit a new order goes to: the one the source named (when it is a known unit), else the routing
    table; ``None`` leaves the order with the operators (calls, unknown categories) to dispatch by hand."""
    if department is not None and department in Department._value2member_map_:
        return Department(department)
    if source is WorkOrderSource.TIPOFF and category is not None and category in TipoffCategory._value2member_map_:
        return TIPOFF_ROUTES[TipoffCategory(category)]
    return SOURCE_ROUTES.get(source)
