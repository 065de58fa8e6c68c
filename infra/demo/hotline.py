"""Demo data for tip-offs, the 12345 hotline and the portal, seeded through the API as the demo users.

* The portal: a situation report (疫情通报) and a measure by ``commander1``, a prevention tip, and a rumour
  rebuttal (辟谣) by ``propaganda1`` (a propaganda-unit handler created here); one draft left unpublished.
* Tip-offs: ``resident1`` reports a rumour in 411202-001 (→ the propaganda unit's queue), ``resident2``
  reports price gouging anonymously (→ market regulation), and a second rumour there links the first.
* Calls: ``operator1`` answers a consultation directly, and opens a gathering report dispatched to public
  security that ``handler1`` accepts.
* A help message from ``resident1`` (out of medicine) for community 411202-001, which ``head1`` sees.
The intake queue turns tip-offs and the help message into orders as soon as the event pump delivers them.
"""

from __future__ import annotations

from typing import Any

from infra.local.demo import DemoClient

ORDER = 50

SOURCE = "三门峡市新型冠状病毒感染的肺炎疫情防控指挥部"

ARTICLES = [
    (
        "commander1",
        {
            "kind": "announcement",
            "title": "三门峡市新冠肺炎疫情通报",
            "summary": "全市累计确诊病例7例,均已收治;今日新增0例。",
            "body": "截至今日24时,全市累计报告确诊病例7例,现有疑似病例0例,累计追踪密切接触者,均已落实医学观察措施。",
            "source": SOURCE,
        },
    ),
    (
        "commander1",
        {
            "kind": "measure",
            "title": "关于实行“两不一打卡一申请”绿码通行的通告",
            "summary": "无隔离、无发热、每日体温打卡、如实申请,即可获得绿码。",
            "body": "一天不打卡,绿码变黄码;黄码一打卡,黄码变绿码。两天黄码不打卡,黄码就会变红码;红码打卡要三天,才能红码变绿码。",
            "source": SOURCE,
        },
    ),
    (
        "commander1",
        {
            "kind": "knowledge",
            "title": "如何正确佩戴和处理口罩",
            "summary": "佩戴前洗手,鼻夹贴合;用过的口罩按有害垃圾投放,切勿回收。",
            "body": "一、佩戴前后洗手。二、深色面朝外,金属条在上。三、废弃口罩对折后装袋,投放到专用收集桶。",
            "source": "三门峡市卫生健康委员会",
        },
    ),
    (
        "propaganda1",
        {
            "kind": "rumour_rebuttal",
            "title": "“市区自来水被病毒污染”系谣言",
            "summary": "经市水务部门检测,供水水质各项指标正常。",
            "body": "近日网传“市区自来水被病毒污染”,经核实,此为谣言。请市民不信谣、不传谣。",
            "source": "三门峡市委网信办",
            "rebuts": "市区自来水被病毒污染",
        },
    ),
]


def _ok(result: tuple[int, Any], what: str) -> Any:
    status, body = result
    if status >= 300:
        raise RuntimeError(f"demo hotline: {what} failed with {status}: {body}")
    return body


def seed(demo: DemoClient) -> None:
    if "propaganda1" not in demo.accounts:
        demo.create_user("propaganda1", "department_handler", {"department": "propaganda"})
    for author, body in ARTICLES:
        draft = _ok(demo.call(author, "POST", "/portal/articles", body), "draft")
        _ok(demo.call(author, "POST", f"/portal/articles/{draft['article_id']}/submit"), "submit")
        reviewer = "admin1" if author != "admin1" else "commander1"  # a second person reviews
        _ok(demo.call(reviewer, "POST", f"/portal/articles/{draft['article_id']}/publish"), "publish")
    _ok(
        demo.call(
            "commander1",
            "POST",
            "/portal/articles",
            {"kind": "announcement", "title": "复工复产指引(草稿)", "summary": "待审核", "body": "草稿内容", "source": SOURCE},
        ),
        "draft",
    )

    place = {"county_code": "411202", "community_id": "411202-001"}
    rumour = _ok(
        demo.call(
            "resident1",
            "POST",
            "/tipoffs",
            {"category": "rumour", **place, "address": "湖滨社区业主微信群", "description": "群里有人说自来水被病毒污染,不能喝"},
        ),
        "rumour tip-off",
    )
    _ok(
        demo.call(
            "resident2",
            "POST",
            "/tipoffs",
            {"category": "rumour", **place, "address": "湖滨社区3号楼", "description": "邻居转发自来水污染的消息", "duplicate_of": rumour["tipoff_id"]},
        ),
        "linked tip-off",
    )
    _ok(
        demo.call(
            "resident2",
            "POST",
            "/tipoffs",
            {
                "category": "price_gouging",
                "county_code": "411202",
                "community_id": "411202-002",
                "address": "前进路某药店",
                "description": "N95口罩一只卖到80元",
                "anonymous": True,
            },
        ),
        "anonymous tip-off",
    )

    consultation = _ok(
        demo.call("operator1", "POST", "/hotline/orders", {"type": "consultation", "summary": "外地返回人员需要隔离几天?", "community_id": "411202-001"}),
        "consultation",
    )
    _ok(
        demo.call(
            "operator1",
            "POST",
            f"/hotline/orders/{consultation['order_id']}/reply",
            {"reply": "按规定居家医学观察14天,并每日向社区报告体温。", "resolved": True},
        ),
        "direct answer",
    )
    gathering = _ok(
        demo.call(
            "operator1",
            "POST",
            "/hotline/orders",
            {
                "type": "report",
                "category": "gathering",
                "summary": "小区广场有人聚集打牌",
                "community_id": "411202-002",
                "caller_phone": "13900001111",
                "department": "public_security",
            },
        ),
        "gathering report",
    )
    _ok(demo.call("handler1", "POST", f"/hotline/orders/{gathering['order_id']}/accept"), "accept")

    _ok(
        demo.call(
            "resident1",
            "POST",
            "/portal/help-messages",
            {"kind": "medicine", "message": "家中老人降压药吃完了,行动不便,请帮忙代购", "community_id": "411202-001"},
        ),
        "help message",
    )
