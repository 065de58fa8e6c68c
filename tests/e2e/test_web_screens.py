"""More of the 线上三门峡 app in headless Chromium (375×812): the QR refreshed before its token expires, sign-up
through Cognito from the phone, a 12345 call dispatched and answered, a community head's daily follow-up, and
the staff screens at phone width."""

from __future__ import annotations

import random
import re
import time
from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.browser_support import ARTIFACTS, PHONE, UI_TIMEOUT_MS, Phone, new_id_number, pick_community
from tests.e2e.conftest import LocalStack

pytest_plugins = ["tests.e2e.browser_support"]  # the browser, phone fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.browser]

APPLY = {"fever": False, "in_isolation": False, "declaration_accepted": True}
INDUSTRY = "manufacturing"


def registered_resident(stack: LocalStack, name: str, community_id: str = "411202-001") -> tuple[str, str]:
    """A resident registered and holding a code, made through the API; returns (username, id number)."""
    username = stack.new_user("resident")
    id_number = new_id_number(community_id.split("-")[0])
    body = {"name": name, "id_number": id_number, "phone": "139" + str(random.SystemRandom().randint(10_000_000, 99_999_999))}
    body |= {"county_code": community_id.split("-")[0], "community_id": community_id, "address": "黄河路9号"}
    assert stack.call("POST", "/residents", username, body).status == 201
    assert stack.call("POST", "/health-codes", username, APPLY).status == 201
    return username, id_number


def second_phone(browser: Any, stack: LocalStack, name: str) -> Phone:
    device = Phone(browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"), stack, name)
    device.context.set_default_timeout(UI_TIMEOUT_MS)
    return device


def test_the_qr_is_replaced_before_its_token_expires(phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident with a code, on the code screen, with the phone's timers under the test's control
    username, _ = registered_resident(local_stack, "孙丽")
    phone.sign_in(username)
    phone.page.clock.install()
    phone.open("/code")
    qr = phone.page.get_by_test_id("code-qr")
    qr.wait_for()
    first = qr.get_attribute("data-token")
    # (tokens carry whole seconds: wait until the server issues a different one, so the app's renewal can differ)
    deadline = time.monotonic() + 120
    while local_stack.call("GET", "/health-codes/me/token", username).json["token"] == first:
        assert time.monotonic() < deadline, "the server kept issuing the same token"
        time.sleep(0.2)  # polling a condition with a deadline, not a fixed wait
    # When four and a half minutes pass (tokens live five; the app renews at four)
    phone.page.clock.fast_forward("04:30")
    # Then the QR carries a new token, which verifies
    phone.page.wait_for_function("first => document.querySelector('[data-testid=code-qr]').dataset.token !== first", arg=first)
    second = qr.get_attribute("data-token")
    assert second != first
    verdict = local_stack.call("POST", "/health-codes/verify", "checkpoint1", {"token": second})
    assert verdict.json["valid"] is True
    phone.shot("refreshed")


def test_a_citizen_signs_up_on_the_phone_and_lands_on_the_registration_form(phone: Phone, local_stack: LocalStack) -> None:
    # Given a visitor on the sign-up screen
    username = f"citizen{random.SystemRandom().randint(10_000, 99_999)}"
    page = phone.page
    phone.open("/signup")
    page.get_by_test_id("page-signup").wait_for()
    # When they sign up with a phone number and confirm the SMS code (Cognito SignUp, ConfirmSignUp)
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=phone]").fill("137" + str(random.SystemRandom().randint(10_000_000, 99_999_999)))
    page.locator("input[name=password]").fill("sanmenxia2020")
    page.get_by_role("button", name="获取验证码并注册").click()
    page.locator("input[name=code]").fill("123456")
    phone.shot("code")
    page.get_by_role("button", name="验证并登录").click()
    # Then they are signed in as a resident and asked to register their details
    page.get_by_test_id("page-register").wait_for()
    me = phone.page.evaluate("JSON.parse(localStorage.getItem('sanmenxia.session'))")
    assert me["username"] == username
    assert me["roles"] == ["resident"]
    phone.shot("register")


def test_a_hotline_call_is_dispatched_and_the_unit_answers_it(browser: Any, phone: Phone, local_stack: LocalStack) -> None:
    # Given the operator on the hotline console
    page = phone.page
    phone.sign_in("operator1")
    phone.open("/staff/hotline")
    page.get_by_test_id("page-hotline").wait_for()
    # When a call about price gouging is taken and sent at once to public security
    page.get_by_test_id("hotline-new").click()
    page.get_by_role("radio", name="举报").click()
    page.locator("textarea").fill("来电反映某药店口罩每只售价50元,哄抬物价")
    page.get_by_label("责任单位").click()
    page.locator(".van-picker-column__item", has_text="公安局").click()
    page.locator(".van-picker__confirm").click()
    page.get_by_role("button", name="生成工单").click()
    # Then the order is open at its unit
    page.get_by_test_id("page-order").wait_for()
    page.get_by_test_id("order-status").filter(has_text="已派单").wait_for()
    order_id = page.url.rsplit("/", 1)[-1]
    phone.shot("dispatched")
    # When the public-security handler accepts it and replies
    unit = second_phone(browser, local_stack, "hotline-unit")
    try:
        unit.sign_in("handler1")
        unit.open(f"/staff/orders/{order_id}")
        unit.page.get_by_test_id("order-accept").click()
        unit.page.get_by_test_id("order-status").filter(has_text="办理中").wait_for()
        unit.page.get_by_test_id("order-note").locator("textarea").fill("已约谈药店负责人,责令按进价销售,处罚款")
        unit.page.get_by_test_id("order-reply").click()
        # Then the order is answered, with each step in the timeline
        unit.page.get_by_test_id("order-status").filter(has_text="已答复").wait_for()
        timeline = unit.page.get_by_test_id("page-order").inner_text()
        for step in ("派单", "签收", "答复"):
            assert step in timeline
        assert unit.no_horizontal_scroll()
        unit.shot("replied")
    finally:
        unit.context.close()
    stored = local_stack.call("GET", f"/hotline/orders/{order_id}", "operator1").json
    assert stored["status"] == "replied"
    assert stored["department"] == "public_security"


def test_a_community_head_records_todays_follow_up_of_a_key_person(phone: Phone, local_stack: LocalStack) -> None:
    # Given a key person of 车站社区 under home isolation
    _, id_number = registered_resident(local_stack, "钱多多", "411202-003")
    head = local_stack.new_user("community_head", {"community_id": "411202-003", "county_code": "411202"})
    created = local_stack.call("POST", "/key-persons", head, {"id_number": id_number, "category": "from_wuhan", "measure": {"kind": "home_isolation"}})
    assert created.status == 201, created.body
    page = phone.page
    # When the head opens the key-person list of their community and the record
    phone.sign_in(head)
    phone.open("/staff/community")
    page.get_by_role("tab", name="重点人员").click()
    page.get_by_test_id("keyperson-row").filter(has_text="钱**").click()
    page.get_by_test_id("page-keyperson").wait_for()
    # And records today's follow-up
    page.get_by_test_id("followup-submit").click()
    # Then the follow-up is in the record's history and in the API
    page.get_by_test_id("page-keyperson").filter(has_text="36.5 °C").wait_for()
    phone.shot("follow-up")
    record = local_stack.call("GET", f"/key-persons/{created.json['kp_id']}", head).json
    assert record["last_follow_up"] == local_stack.today()
    assert len(record["follow_ups"]) == 1
    # And every staff screen of theirs fits the phone
    for route in ("/staff/community", "/staff/hotline", "/staff/dashboard", "/me"):
        phone.open_settled(route)
        assert phone.no_horizontal_scroll(), route


def test_a_household_head_shows_the_code_of_a_dependent_without_a_phone(phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident whose elderly father has no phone, registered and given a code by the resident
    username, _ = registered_resident(local_stack, "吴刚")
    member = local_stack.call("POST", "/residents/me/household", username, {"name": "吴老汉", "id_number": new_id_number(), "relation": "parent"})
    assert member.status == 201, member.body
    father = member.json["person_id"]
    assert local_stack.request("POST", f"/health-codes?person={father}", token=local_stack.token(username), body=APPLY).status == 201
    page = phone.page
    # When the resident opens the code screen and switches to their father
    phone.sign_in(username)
    phone.open("/code")
    page.get_by_test_id("code-qr").wait_for()
    page.get_by_test_id("person-switcher").click()
    page.locator(".van-action-sheet__item", has_text="吴**").click()
    # Then the screen shows the father's code, and its token verifies as his
    page.locator("[data-testid=page-code] .holder", has_text="吴**").wait_for()
    page.wait_for_function("() => document.querySelector('[data-testid=code-qr]') !== null")
    token = page.get_by_test_id("code-qr").get_attribute("data-token")
    verdict = local_stack.call("POST", "/health-codes/verify", "checkpoint1", {"token": token}).json
    assert verdict["valid"] is True
    assert verdict["person_id"] == father
    phone.shot("dependent")


def test_a_visitor_reads_published_news_without_signing_in(phone: Phone, local_stack: LocalStack) -> None:
    # Given a rumour rebuttal published by the command centre
    title = f"辟谣:喝白酒不能预防新冠肺炎 {random.SystemRandom().randint(1000, 9999)}"
    draft = {
        "kind": "rumour_rebuttal",
        "title": title,
        "summary": "饮酒不能杀灭体内病毒",
        "body": "网传喝高度白酒可以预防新型冠状病毒感染,此说法没有科学依据。请做好个人防护,勤洗手、戴口罩。",
        "source": "三门峡市新型冠状病毒感染的肺炎疫情防控指挥部",
        "rebuts": "喝白酒可以预防新冠肺炎",
    }
    created = local_stack.call("POST", "/portal/articles", "commander1", draft)
    assert created.status == 201, created.body
    assert local_stack.call("POST", f"/portal/articles/{created.json['article_id']}/submit", "commander1").status == 200
    assert local_stack.call("POST", f"/portal/articles/{created.json['article_id']}/publish", "admin1").status == 200  # a second person reviews
    page = phone.page
    # When a visitor opens the app, without signing in
    phone.open("/")
    # Then the article is among the latest news, and opens with the rumour it answers
    page.get_by_test_id("page-home").get_by_text(title).click()
    page.get_by_test_id("page-article").filter(has_text="此说法没有科学依据").wait_for()
    assert "喝白酒可以预防新冠肺炎" in page.get_by_test_id("page-article").inner_text()
    assert phone.no_horizontal_scroll()
    phone.shot("article")


def test_a_fever_declared_at_application_is_a_reason_on_the_code_and_can_be_appealed(phone: Phone, local_stack: LocalStack) -> None:
    # Given a registered resident who declares a fever when applying, in the app
    username = local_stack.new_user("resident")
    body = {"name": "郑敏", "id_number": new_id_number(), "phone": "13900006666", "county_code": "411202", "community_id": "411202-004", "address": "涧河路6号"}
    assert local_stack.call("POST", "/residents", username, body).status == 201
    page = phone.page
    phone.sign_in(username)
    phone.open("/code/apply")
    page.get_by_test_id("apply-fever").click()
    page.get_by_test_id("apply-accept").click()
    page.get_by_test_id("apply-submit").click()
    # Then the code is yellow and says why: a fever hold placed by the health code
    page.get_by_test_id("code-color").and_(page.locator("[data-color=yellow]")).wait_for()
    reasons = page.get_by_test_id("code-reasons").inner_text()
    assert "发热 · 健康码" in reasons
    assert "申领时申报发热" in reasons and "fever declared" not in reasons  # the reason's code in one language
    phone.shot("yellow-fever")
    # When they appeal against the hold
    page.get_by_test_id("code-appeal").click()
    page.get_by_test_id("page-appeal").wait_for()
    page.locator("textarea").fill("申领时误选发热,实测体温36.4度")
    page.get_by_role("button", name="提交申诉").click()
    # Then the appeal is recorded (it becomes a 12345 work order) and the app says so
    page.locator(".van-dialog", has_text="申诉已提交").wait_for()
    phone.shot("appealed")
    appeals = local_stack.call("GET", "/health-codes/me", username).json["appeals"]
    assert [appeal["hold"] for appeal in appeals] == ["fever#declaration"]
    # And it has one number: its 12345 order's, the one "我的诉求" lists
    assert appeals[0]["order_id"] in page.locator(".van-dialog", has_text="申诉已提交").inner_text()


def test_a_red_code_counts_down_the_check_ins_to_green(phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident with a green code who then misses three days of check-ins (the day of application
    # counts as checked in: red from the fourth morning)
    username, _ = registered_resident(local_stack, "冯晓")
    for _ in range(4):
        local_stack.advance(1)
    page = phone.page
    # When they open the code screen
    phone.sign_in(username)
    phone.open("/code")
    # Then it is red and says three more check-ins on consecutive days turn it green
    page.get_by_test_id("code-color").and_(page.locator("[data-color=red]")).wait_for()
    assert "再连续打卡 3 天可转为绿码" in page.get_by_test_id("code-to-green").inner_text()
    phone.shot("red")
    # When they check in today
    page.get_by_test_id("code-checkin").click()
    page.get_by_test_id("checkin-submit").click()
    page.get_by_test_id("page-code").wait_for()
    # Then two more are needed, and the QR is still red
    page.get_by_test_id("code-to-green").filter(has_text="再连续打卡 2 天可转为绿码").wait_for()
    assert page.get_by_test_id("code-color").get_attribute("data-color") == "red"
    phone.shot("red-after-check-in")


def test_a_gate_without_network_keeps_the_scan_and_sends_it_once_back_online(phone: Phone, local_stack: LocalStack) -> None:
    # Given a checkpoint officer who has registered one person online, and a second resident with a code
    _, first_id = registered_resident(local_stack, "陈静")
    second, second_id = registered_resident(local_stack, "褚亮")
    checkpoint_id = f"cp-web-{random.SystemRandom().randint(100000, 999999)}"
    body = {"checkpoint_id": checkpoint_id, "name": "会兴村村口", "kind": "village_entrance", "community_id": "411202-005"}
    body["location"] = {"latitude": 34.8, "longitude": 111.2, "place": "会兴村"}
    assert local_stack.call("POST", "/checkpoints", "commander1", body).status == 201
    officer = local_stack.new_user("checkpoint_staff", {"checkpoint_id": checkpoint_id, "community_id": "411202-005"})
    page = phone.page
    phone.sign_in(officer)
    phone.open("/staff/scan")
    page.get_by_test_id("scan-stats").wait_for()
    page.get_by_role("tab", name="身份证").click()
    page.get_by_test_id("scan-id-number").locator("input").fill(first_id)
    page.get_by_test_id("scan-temperature").locator("input").fill("36.5")
    page.get_by_test_id("scan-submit").click()
    page.get_by_test_id("scan-result").click()
    page.get_by_test_id("scan-result").wait_for(state="hidden")
    # When the network drops while the second person is registered at the gate
    page.wait_for_function("document.querySelector('[data-testid=trust-status]').dataset.fetched !== ''")
    phone.context.set_offline(True)
    page.get_by_test_id("scan-id-number").locator("input").fill(second_id)
    page.get_by_test_id("scan-temperature").locator("input").fill("36.5")
    page.get_by_test_id("scan-submit").click()
    page.get_by_test_id("scan-result").click()
    # Then the scan is kept on the device (its ID number sealed), and the app says so
    waiting = page.get_by_text("1 条登记待上传,点击上传")
    waiting.wait_for()
    assert second_id not in page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    phone.shot("offline")
    # When the network is back, the waiting scan is sent by itself
    phone.context.set_offline(False)
    waiting.wait_for(state="hidden")
    # Then the second person has exactly one scan at this checkpoint, and nothing waits on the device
    mine = [scan for scan in local_stack.call("GET", "/scans/me", second).json["items"] if scan["checkpoint_id"] == checkpoint_id]
    assert len(mine) == 1
    assert mine[0]["decision"] == "pass"
    assert page.evaluate("JSON.parse(localStorage.getItem('sanmenxia.pendingScans'))") == []


def test_an_enterprise_admin_sees_only_the_rosters_code_colours_with_masked_names(phone: Phone, local_stack: LocalStack) -> None:
    # Given an enterprise with two employees due back: one holding a green code, one never registered
    _, green_id = registered_resident(local_stack, "林海")
    enterprise_id = f"ent-web-{random.SystemRandom().randint(100000, 999999)}"
    body = {"enterprise_id": enterprise_id, "name": "三门峡黄河机械厂", "county_code": "411202", "industry": INDUSTRY, "above_scale": True}
    assert local_stack.call("POST", "/enterprises", "commander1", body).status == 201
    admin = local_stack.new_user("enterprise_admin", {"enterprise_id": enterprise_id, "county_code": "411202"})
    roster = {"employees": [{"name": "林海", "id_number": green_id}, {"name": "何平", "id_number": new_id_number()}]}
    assert local_stack.call("POST", f"/enterprises/{enterprise_id}/employees", admin, roster).status == 200
    page = phone.page
    # When the enterprise admin opens their return-to-work screen
    phone.sign_in(admin)
    page.get_by_test_id("tool-enterprise").click()
    # Then they see one green and one without a code, by masked name only
    page.locator("[data-testid=roster-summary] [data-colour=green]", has_text="1").wait_for()
    assert page.locator("[data-testid=roster-summary] [data-colour=no_code]").inner_text() == "1"
    text = page.get_by_test_id("page-enterprise").inner_text()
    assert "林*" in text and "何*" in text
    assert "林海" not in text and green_id not in text
    phone.shot("roster")


def test_a_visitor_sees_supplies_need_against_delivered(phone: Phone, local_stack: LocalStack) -> None:
    # When a visitor opens the supplies screen from the home page, without signing in
    phone.open("/")
    phone.page.get_by_test_id("page-home").get_by_text("物资保障").click()
    # Then every kind of supplies is listed with its need, delivered and stock
    listing = phone.page.get_by_test_id("page-supplies")
    listing.locator("[data-item]").first.wait_for()
    assert listing.locator("[data-item]").count() >= 9
    assert "需求" in listing.inner_text()
    assert phone.no_horizontal_scroll()
    phone.shot("supplies")


def test_a_resident_reports_a_lead_with_a_photo_and_follows_it(phone: Phone, local_stack: LocalStack) -> None:
    # Given a signed-in resident with a photo of the scene on the phone
    from PIL import Image

    username = local_stack.new_user("resident")
    photo = ARTIFACTS / f"scene-{username}.jpg"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (320, 240), (200, 60, 40)).save(photo, "JPEG")
    page = phone.page
    phone.sign_in(username)
    # When they report price gouging in 湖滨社区 with the photo
    phone.open("/tipoff")
    page.get_by_test_id("tipoff-category").click()
    page.locator(".van-picker-column__item", has_text="哄抬物价").click()
    page.locator(".van-picker__confirm").click()
    pick_community(phone, "湖滨区", "湖滨社区")
    page.locator("input[name=address]").fill("黄河路农贸市场")
    page.locator("textarea[name=description]").fill("摊位口罩每只卖30元")
    page.get_by_test_id("tipoff-photo").locator("input[type=file]").set_input_files(str(photo))
    page.locator(".van-uploader__preview").wait_for()
    phone.shot("filled")
    page.get_by_test_id("tipoff-submit").click()
    # Then the app gives the tracking code, and the tip-off with its photo is in "my tip-offs"
    done = page.locator(".van-dialog", has_text="查询码")
    done.wait_for()
    code = re.search(r"查询码:([A-Za-z0-9_-]+)", done.inner_text())
    assert code, done.inner_text()
    assert not code.group(1).startswith("-") and code.group(1) == code.group(1).upper()  # grouped, one case
    done.locator(".van-dialog__cancel").click()
    page.get_by_test_id("page-mytipoffs").filter(has_text="哄抬物价").wait_for()
    phone.shot("mine")
    tracked = local_stack.call("POST", "/tipoffs/track", username, {"code": code.group(1).lower()}).json  # any case
    assert tracked["category"] == "price_gouging"
    assert tracked["photos"] == 1
    assert tracked["department"] == "market_regulation"


def test_a_saved_trip_is_flagged_when_a_case_on_it_is_published_and_the_resident_registers(phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident who saves yesterday's train G1234, carriage 5, seat 12A in the app
    username, _ = registered_resident(local_stack, "蒋涛")
    day = (date.fromisoformat(local_stack.today()) - timedelta(days=1)).isoformat()
    number = f"G{random.SystemRandom().randint(1000, 9999)}"
    page = phone.page
    phone.sign_in(username)
    phone.open("/cotravel")
    page.get_by_test_id("cotravel-date").locator("input").fill(day)
    page.get_by_test_id("cotravel-number").locator("input").fill(number)
    page.locator("input[name=carriage]").fill("5")
    page.locator("input[name=seat]").fill("12A")
    page.get_by_role("button", name="保存行程,有新情况时提醒我").click()
    page.locator(".van-swipe-cell", has_text=number).wait_for()
    # When the command centre publishes a confirmed case on the same carriage
    case = {"date": day, "mode": "train", "number": number, "carriage": "5", "seat": "13B", "from": "武汉", "to": "三门峡南"}
    case["source_url"] = "https://www.smx.gov.cn/notice/2020-02-01.html"
    loaded = local_stack.call("POST", "/co-travel/case-trips", "commander1", {"trips": [case]})
    assert loaded.status == 201, loaded.body
    local_stack.drain()
    # Then the resident's inbox has the alert
    phone.open("/notifications")
    # (in Chinese only: the title is a code the app puts in words, the day in the locale's format)
    page.get_by_test_id("page-notifications").locator(".note", has_text=re.compile(rf"^同行提醒:\S+ {number}")).first.wait_for()
    phone.shot("alert")
    # When they query the trip and register as a possible close contact
    phone.open("/cotravel")
    page.get_by_test_id("cotravel-date").locator("input").fill(day)
    page.get_by_test_id("cotravel-number").locator("input").fill(number)
    page.locator("input[name=carriage]").fill("5")
    page.get_by_test_id("cotravel-query").click()
    result = page.get_by_test_id("cotravel-result")
    result.wait_for()
    assert result.get_attribute("data-risk") != "none"
    assert "武汉 → 三门峡南" in page.get_by_test_id("page-cotravel").inner_text()
    page.get_by_test_id("cotravel-register").click()
    # Then the app confirms, and the code carries a co-travel hold
    page.locator(".van-dialog", has_text="已登记").wait_for()
    phone.shot("registered")
    reasons = local_stack.call("GET", "/health-codes/me", username).json["reasons"]
    assert any(reason.get("hold_kind") == "co_travel" for reason in reasons)


def test_a_citizen_signs_in_with_their_mobile_number_and_a_wrong_one_reads_like_a_wrong_password(phone: Phone, local_stack: LocalStack) -> None:
    # Given a citizen who signed up as a user name with a mobile number and confirmed it
    idp, client_id = local_stack.cognito(), local_stack.config["user_pool_client_id"]
    mobile = "136" + str(random.SystemRandom().randint(10_000_000, 99_999_999))
    username = f"mobile{mobile[-8:]}"
    idp.sign_up(ClientId=client_id, Username=username, Password="sanmenxia2020", UserAttributes=[{"Name": "phone_number", "Value": "+86" + mobile}])
    idp.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode="123456")
    page = phone.page

    def refusal(account: str, password: str) -> str:
        phone.open("/login")
        page.get_by_test_id("page-login").wait_for()
        page.locator("input[name=username]").fill(account)
        page.locator("input[name=password]").fill(password)
        page.get_by_test_id("login-submit").click()
        toast = page.locator(".error-toast").filter(visible=True)
        toast.wait_for()
        text = toast.inner_text()
        toast.wait_for(state="hidden")
        return text

    # When someone types a wrong password for that number, or a number nobody has
    wrong_password = refusal(mobile, "wrong2020pass")
    unknown_number = refusal("13" + mobile[2:-1] + str((int(mobile[-1]) + 1) % 10), "sanmenxia2020")
    # Then both read the same, in Chinese only, and say nothing about whether the account exists
    assert wrong_password == unknown_number == "账号或密码错误"
    # When the citizen signs in with the number as typed on a phone (spaces and all)
    phone.sign_in(f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}", "sanmenxia2020")
    # Then they are in as their own account
    me = page.evaluate("JSON.parse(localStorage.getItem('sanmenxia.session'))")
    assert me["username"] == username
