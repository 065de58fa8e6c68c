"""Back-office journeys in headless Chromium at 375×812 (issue 14): each staff role does its job in the app, and
every API call a screen makes is one that screen declares in ``web/src/screens.json``."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.browser_support import PHONE, UI_TIMEOUT_MS, Phone, new_id_number
from tests.e2e.conftest import LocalStack
from tests.e2e.screen_calls import ScreenCalls

pytest_plugins = ["tests.e2e.browser_support"]  # the browser, phone fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def other_phone(browser: Any, stack: LocalStack, name: str) -> Phone:
    device = Phone(
        browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai"), stack, name
    )
    device.context.set_default_timeout(UI_TIMEOUT_MS)
    return device


def page_errors(phone: Phone) -> list[str]:
    """Script errors (a failed load such as the absent /config.json of the local stack is not one)."""
    return [error for error in phone.console_errors if "Failed to load resource" not in error]


def tab(phone: Phone, title: str) -> None:
    phone.page.get_by_role("tab", name=title).click()


def test_supplies_from_a_community_request_to_a_signed_receipt(phone: Phone, browser: Any, local_stack: LocalStack) -> None:
    """A community head files a request; the supplies officer sees the low stock, adds a warehouse, books a
    donation in, previews the frontline-first plan (the hospital before the community), commits and dispatches;
    the head signs for what arrived."""
    head = local_stack.new_user("community_head", {"community_id": "411202-001", "county_code": "411202"}, prefix="head")
    officer = local_stack.new_user("supplies_officer", prefix="officer")
    needed = (date.fromisoformat(local_stack.today()) + timedelta(days=3)).isoformat()
    unit = f"hospital-{uuid.uuid4().hex[:8]}"  # a hospital: a medical unit, the only kind that may claim frontline_medical
    hospital = local_stack.call(
        "POST",
        "/supplies/requests",
        officer,
        {
            "item": "goggles",
            "tier": "frontline_medical",
            "quantity": 150,
            "needed_by": needed,
            "unit_kind": "department",
            "unit_id": unit,
            "unit_name": "市中心医院",
        },
    )
    assert hospital.status == 201, hospital.body

    # The community head files a request for goggles from the app
    head_phone = other_phone(browser, local_stack, "backoffice-supplies-head")
    head_calls = ScreenCalls(head_phone)
    head_phone.sign_in(head)
    head_phone.page.get_by_test_id("tool-supply-requests").click()
    page = head_phone.page
    page.get_by_test_id("own-unit").filter(has_text="湖滨社区").wait_for()  # named from the region list
    page.locator("select[name=item]").select_option("goggles")
    page.locator("input[name=quantity]").fill("100")
    page.locator("input[name=needed_by]").fill(needed)
    page.locator("textarea[name=purpose]").fill("卡口值守人员防护")
    page.get_by_test_id("request-submit").click()
    mine = page.locator("[data-request]").first
    mine.locator("[data-status=open]").wait_for()
    community_request = mine.get_attribute("data-request")
    head_phone.shot("request filed")
    assert head_phone.no_horizontal_scroll()

    # The officer: goggles below the threshold, a new warehouse, a donation booked in
    calls = ScreenCalls(phone)
    phone.sign_in(officer)
    page = phone.page
    assert page.get_by_test_id("tool-supply-requests").is_visible() and page.get_by_test_id("tool-supplies-office").is_visible()
    page.get_by_test_id("tool-supplies-office").click()
    page.locator("[data-testid=supply-stock] [data-item=goggles]").wait_for()
    page.locator("[data-testid=supply-alerts] [data-alert=goggles]").wait_for()  # held in no warehouse yet: 0 against 300
    phone.shot("stock and alerts")
    tab(phone, "仓库")
    name = f"陕州区物资库{uuid.uuid4().hex[:4]}"
    page.locator("input[name=warehouse_name]").fill(name)
    page.locator("select[name=county_code]").select_option("411203")
    page.locator("input[name=address]").fill("陕州区大营镇1号")
    page.get_by_test_id("warehouse-submit").click()
    page.locator(".van-cell", has_text=name).first.wait_for()
    tab(phone, "入库")
    warehouse = page.locator("select[name=warehouse_id] option", has_text=name).get_attribute("value")
    page.locator("select[name=warehouse_id]").select_option(warehouse)
    page.locator("select[name=item]").select_option("goggles")
    page.locator("input[name=quantity]").fill("200")
    page.locator("input[name=source]").fill("三门峡市慈善总会")
    page.locator("input[name=reference]").fill("JZ-2020-0211")
    page.get_by_test_id("inbound-submit").click()
    page.locator("[data-testid=inbound-list] .van-cell", has_text="三门峡市慈善总会").first.wait_for()
    phone.shot("inbound booked")
    tab(phone, "库存")
    alert = page.locator("[data-testid=supply-alerts] .van-cell", has_text=name)
    alert.wait_for()
    assert "200" in alert.inner_text() and "300" in alert.inner_text()  # 200 available against the default 300

    # Preview: the hospital (medical) is served in full before the community (prevention); then commit
    tab(phone, "调配")
    page.locator("select[name=run_item]").select_option("goggles")
    page.locator("select[name=run_warehouse]").select_option(warehouse)
    page.get_by_test_id("run-preview").click()
    plan = page.get_by_test_id("run-plan")
    plan.wait_for()
    quantities = {row.get_attribute("data-request"): row.get_attribute("data-quantity") for row in plan.locator("[data-request]").all()}
    assert quantities[hospital.json["request_id"]] == "150" and quantities[community_request] == "50"
    assert local_stack.call("GET", f"/supplies/requests/{community_request}", officer).json["allocated"] == 0  # a preview writes nothing
    phone.shot("allocation preview")
    page.get_by_test_id("run-commit").click()
    page.get_by_test_id("page-supplies-run").wait_for()
    page.locator(f"[data-request='{community_request}'] input").fill("豫M·20211")
    page.get_by_test_id(f"dispatch-{community_request}").click()
    page.locator(f"[data-request='{community_request}'] .van-cell", has_text="已发运").first.wait_for()
    phone.shot("dispatched")
    assert phone.no_horizontal_scroll()

    # The head signs for 48 of the 50 (two broken)
    head_phone.page.reload()
    row = head_phone.page.locator(f"[data-request='{community_request}']")
    row.locator("input").fill("48")
    head_phone.page.get_by_test_id(f"sign-{community_request}").click()
    row.locator("[data-status=partly_allocated]").wait_for()
    row.locator(".van-cell", has_text="短少 2").wait_for()
    head_phone.shot("receipt signed")
    ledger = local_stack.call("GET", f"/supplies/requests/{community_request}", head).json
    assert (ledger["allocated"], ledger["dispatched"], ledger["received"]) == (50, 50, 48)

    assert calls.undeclared() == [] and head_calls.undeclared() == []
    assert {"supplies-office", "supplies-run"} <= calls.screens_seen() and "supply-requests" in head_calls.screens_seen()
    assert not page_errors(phone) and not page_errors(head_phone), page_errors(phone) + page_errors(head_phone)
    head_phone.context.close()


def registered_resident(stack: LocalStack, name: str) -> str:
    """A resident of 湖滨社区 registered and holding a green code (through the API); returns the ID number."""
    username = stack.new_user("resident")
    id_number = new_id_number("411202")
    body = {"name": name, "id_number": id_number, "phone": f"139{random.SystemRandom().randint(10_000_000, 99_999_999)}"}
    body |= {"county_code": "411202", "community_id": "411202-001", "address": "黄河路9号"}
    assert stack.call("POST", "/residents", username, body).status == 201
    assert stack.call("POST", "/health-codes", username, {"fever": False, "in_isolation": False, "declaration_accepted": True}).status == 201
    return id_number


def test_an_enterprise_applies_to_resume_and_the_commander_refuses_then_approves(phone: Phone, browser: Any, local_stack: LocalStack) -> None:
    """The commander registers an enterprise; its admin adds employees by ID number (shown masked after), removes
    one and applies with a prevention plan; the commander refuses with a reason, the enterprise sees it, applies
    again and is approved."""
    commander = local_stack.new_user("commander", prefix="commander")
    green_id = registered_resident(local_stack, "林海")
    enterprise_id = f"ent-{uuid.uuid4().hex[:10]}"
    calls = ScreenCalls(phone)
    phone.sign_in(commander)
    page = phone.page
    page.get_by_test_id("tool-resumption-review").click()
    page.get_by_test_id("review-queue").wait_for()
    page.locator("input[name=enterprise_id]").fill(enterprise_id)
    page.locator("input[name=enterprise_name]").fill("三门峡黄河精密机械厂")
    page.locator("select[name=enterprise_county]").select_option("411202")
    page.locator("select[name=industry]").select_option("manufacturing")
    page.get_by_test_id("register-enterprise").locator("button[type=submit]").click()
    page.locator(f"[data-enterprise='{enterprise_id}']").wait_for()

    # The enterprise admin adds two employees by ID number, sees them masked, removes one, applies to resume
    admin = local_stack.new_user("enterprise_admin", {"enterprise_id": enterprise_id, "county_code": "411202"}, prefix="entadmin")
    ent_phone = other_phone(browser, local_stack, "backoffice-enterprise-admin")
    ent_calls = ScreenCalls(ent_phone)
    ent_phone.sign_in(admin)
    ent = ent_phone.page
    ent.get_by_test_id("tool-enterprise").click()
    ent.get_by_test_id("employee-form").wait_for()
    other_id = new_id_number("411202")
    for name, id_number in (("林海", green_id), ("何平", other_id)):
        ent.locator("input[name=employee_name]").fill(name)
        ent.locator("input[name=employee_id_number]").fill(id_number)
        ent.get_by_test_id("employee-submit").click()
        ent.locator("[data-testid=roster] .van-cell", has_text=f"{name[0]}*").first.wait_for()
    ent.locator("[data-testid=roster-summary] [data-colour=green]", has_text="1").wait_for()
    text = ent.get_by_test_id("page-enterprise").inner_text()
    assert "林海" not in text and green_id not in text and other_id not in text
    assert ent.locator("input[name=employee_id_number]").input_value() == ""
    ent_phone.shot("roster with masked names")
    ent.locator("[data-testid=roster] .van-cell", has_text="何*").get_by_role("button").click()
    ent.locator(".van-dialog__confirm").click()
    ent.locator("[data-testid=roster-summary] [data-colour=no_code]", has_text="0").wait_for()
    ent.locator("textarea[name=description]").fill("厂区封闭管理,设隔离观察室2间,每日两次测温。")
    ent.locator("input[name=mask_stock_days]").fill("14")
    ent.locator("[data-measure=closed_management]").click()
    # the planned day is after the server's today (the virtual clock may be days ahead of this machine's)
    server_today = datetime.fromisoformat(local_stack.request("GET", "/_local/clock").json["now"]).astimezone(ZoneInfo("Asia/Shanghai")).date()
    ent.locator("input[name=planned_date]").fill((server_today + timedelta(days=1)).isoformat())
    ent_phone.shot("application")
    ent.get_by_test_id("apply-submit").click()
    ent.locator("[data-testid=resumption-status][data-status=pending]").wait_for()
    assert ent_phone.no_horizontal_scroll()

    # The commander refuses: a reason is required, and the enterprise sees it
    page.reload()
    page.locator(f"[data-enterprise='{enterprise_id}']").click()
    page.get_by_test_id("review-detail").get_by_text("封闭管理").first.wait_for()
    phone.shot("review with the plan")
    page.get_by_test_id("review-reject").click()
    page.locator(".van-toast", has_text="驳回须填写理由").wait_for()
    page.locator("textarea[name=decision_note]").fill("隔离观察室未标明位置")
    page.get_by_test_id("review-reject").click()
    page.get_by_test_id("review-detail").wait_for(state="hidden")
    ent.reload()
    ent.locator("[data-testid=resumption-status][data-status=rejected]").wait_for()
    ent.get_by_test_id("latest-application").filter(has_text="隔离观察室未标明位置").wait_for()
    ent_phone.shot("refused with the reason")

    # The enterprise applies again and is approved
    ent.locator("textarea[name=description]").fill("隔离观察室设在东门一楼101、102。")
    ent.locator("input[name=mask_stock_days]").fill("14")
    ent.locator("input[name=planned_date]").fill((server_today + timedelta(days=1)).isoformat())
    ent.get_by_test_id("apply-submit").click()
    ent.locator("[data-testid=resumption-status][data-status=pending]").wait_for()
    page.reload()
    page.locator(f"[data-enterprise='{enterprise_id}']").click()
    page.get_by_test_id("review-approve").click()
    page.get_by_test_id("review-detail").wait_for(state="hidden")
    ent.reload()
    ent.locator("[data-testid=resumption-status][data-status=approved]").wait_for()
    ent_phone.shot("approved")
    assert local_stack.call("GET", f"/enterprises/{enterprise_id}", admin).json["resumption_status"] == "approved"

    assert calls.undeclared() == [] and ent_calls.undeclared() == []
    assert "resumption-review" in calls.screens_seen() and "enterprise" in ent_calls.screens_seen()
    assert not page_errors(phone) and not page_errors(ent_phone), page_errors(phone) + page_errors(ent_phone)
    ent_phone.context.close()


def first_sign_in(phone: Phone, username: str, temporary: str, chosen: str) -> None:
    """Sign in with the temporary password an admin gave, and choose one's own (NEW_PASSWORD_REQUIRED)."""
    page = phone.page
    phone.open("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(temporary)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("new-password-form").wait_for()
    page.locator("input[name=new_password]").fill(chosen)
    page.locator("input[name=new_password_again]").fill(chosen)
    phone.shot("choose a new password")
    page.get_by_test_id("new-password-submit").click()
    page.get_by_test_id("page-home").wait_for()


def test_the_admin_creates_a_head_who_sets_up_a_checkpoint_and_its_staff(phone: Phone, browser: Any, local_stack: LocalStack) -> None:
    """The admin creates a community head's account; the head signs in for the first time and chooses a password,
    registers a checkpoint, edits it and gives it a staff account; the new staff member chooses a password at first
    sign-in and reaches the scanner; later they forget it and reset it with a code."""
    admin = local_stack.new_user("admin", prefix="admin")
    head, staff = f"head{uuid.uuid4().hex[:8]}", f"gate{uuid.uuid4().hex[:8]}"
    calls = ScreenCalls(phone)
    phone.sign_in(admin)
    page = phone.page
    assert not page.get_by_test_id("tool-scan").count()  # every scan would refuse an admin: no scanner tile
    page.get_by_test_id("tool-staff-accounts").click()
    page.locator("input[name=staff_username]").fill(head)
    page.locator("input[name=temporary_password]").fill("temp2020pass")
    page.locator("select[name=role]").select_option("community_head")
    page.locator("select[name=scope_community]").select_option("411202-002")
    page.get_by_test_id("staff-submit").click()
    page.get_by_test_id("staff-created").get_by_text(head).wait_for()
    phone.shot("account created")

    head_phone = other_phone(browser, local_stack, "backoffice-admin-head")
    head_calls = ScreenCalls(head_phone)
    first_sign_in(head_phone, head, "temp2020pass", "qianjin2020")
    hp = head_phone.page
    hp.get_by_test_id("tool-checkpoints-admin").click()
    # the head's own community is chosen for them once the screen has loaded its options
    expect(hp.locator("select[name=cp_community]")).to_have_value("411202-002", timeout=UI_TIMEOUT_MS)
    name = f"前进社区北门{uuid.uuid4().hex[:4]}"
    hp.locator("input[name=cp_name]").fill(name)
    hp.locator("select[name=cp_kind]").select_option("residential_compound")
    hp.locator("input[name=cp_entrances]").fill("北门")
    hp.locator("input[name=cp_place]").fill("前进路12号")
    hp.get_by_test_id("checkpoint-submit").click()
    hp.locator("[data-testid=checkpoint-list] .van-cell", has_text=name).click()
    hp.get_by_test_id("checkpoint-detail").wait_for()
    hp.locator("input[name=edit_entrances]").fill("北门,东门")
    hp.get_by_test_id("checkpoint-save").click()
    hp.locator("input[name=assign_username]").fill(staff)
    hp.locator("input[name=assign_password]").fill("temp2020gate")
    hp.get_by_test_id("checkpoint-assign").click()
    hp.get_by_test_id("checkpoint-staff").get_by_text(staff).wait_for()
    head_phone.shot("checkpoint and its staff")
    checkpoint_id = hp.locator("[data-testid=checkpoint-list] [data-checkpoint]", has_text=name).get_attribute("data-checkpoint")
    record = local_stack.call("GET", f"/checkpoints/{checkpoint_id}", admin).json
    assert record["entrances"] == ["北门", "东门"] and record["community_id"] == "411202-002"

    # The new gate staff member: first sign-in, then the scanner at their checkpoint
    gate_phone = other_phone(browser, local_stack, "backoffice-admin-gate")
    first_sign_in(gate_phone, staff, "temp2020gate", "gate2020north")
    gate_phone.page.get_by_test_id("tool-scan").click()
    gate_phone.page.get_by_test_id("page-scan").get_by_text(name).first.wait_for()
    gate_phone.shot("scanner of the new checkpoint")

    # Forgotten password: a code (moto accepts any code locally; in AWS it arrives by SMS), a new password
    gate_phone.context.clear_cookies()
    gate_phone.page.evaluate("localStorage.removeItem('sanmenxia.session')")
    gate_phone.open("/login")
    gp = gate_phone.page
    gp.get_by_test_id("login-forgot").click()
    gp.locator("input[name=forgot_username]").fill(staff)
    gp.get_by_test_id("forgot-submit").click()
    gp.get_by_test_id("forgot-sent").wait_for()
    gp.locator("input[name=forgot_code]").fill("246810")
    gp.locator("input[name=forgot_new_password]").fill("gate2020reset")
    gate_phone.shot("reset the password")
    gp.get_by_test_id("forgot-submit").click()
    gp.get_by_test_id("page-home").wait_for()
    assert local_stack.sign_in(staff, "gate2020reset")

    assert calls.undeclared() == [] and head_calls.undeclared() == []
    assert {"staff-accounts"} <= calls.screens_seen() and "checkpoints-admin" in head_calls.screens_seen()
    for device in (phone, head_phone, gate_phone):
        assert not page_errors(device), page_errors(device)
        assert device.no_horizontal_scroll()
    head_phone.context.close()
    gate_phone.context.close()


def test_the_admin_changes_a_heads_role_and_scope_then_disables_and_enables_the_account(phone: Phone, local_stack: LocalStack) -> None:
    """The admin finds a community head in the list of heads, makes them commander of another county, then disables
    the account (its sign-in is refused) and enables it again (its sign-in works)."""
    admin = local_stack.new_user("admin", prefix="admin")
    head = local_stack.new_user("community_head", {"community_id": "411202-002", "county_code": "411202"}, prefix="head")
    calls = ScreenCalls(phone)
    phone.sign_in(admin)
    page = phone.page
    page.get_by_test_id("tool-staff-accounts").click()
    row = page.locator(f"[data-testid=staff-list] [data-account='{head}']")
    row.wait_for()
    row.click()
    detail = page.get_by_test_id("staff-detail")
    expect(detail.locator("select[name=edit_community]")).to_have_value("411202-002")
    detail.locator("select[name=edit_role]").select_option("commander")
    detail.locator("select[name=edit_county]").select_option("411203")
    phone.shot("change the role and scope")
    detail.get_by_test_id("staff-save").click()
    expect(row).to_have_count(0)  # no longer a head: gone from the heads' list
    page.locator("select[name=list_role]").select_option("commander")
    row.wait_for()
    expect(row).to_contain_text("陕州区")
    groups = local_stack.cognito().admin_list_groups_for_user(UserPoolId=local_stack.config["user_pool_id"], Username=head)["Groups"]
    assert [group["GroupName"] for group in groups] == ["commander"]

    row.click()
    page.get_by_test_id("staff-disable").click()
    page.locator(".van-dialog").get_by_role("button", name="确认").click()
    expect(page.get_by_test_id("staff-state")).to_contain_text("已停用")
    expect(row).to_contain_text("已停用")
    phone.shot("account disabled")
    with pytest.raises(local_stack.cognito().exceptions.NotAuthorizedException):
        local_stack.sign_in(head)
    page.get_by_test_id("staff-enable").click()
    expect(page.get_by_test_id("staff-state")).to_contain_text("启用中")
    assert local_stack.sign_in(head)
    assert calls.undeclared() == [] and "staff-accounts" in calls.screens_seen()
    assert not page_errors(phone), page_errors(phone)
    assert phone.no_horizontal_scroll()


def public_title(stack: LocalStack, article_id: str) -> str | None:
    response = stack.call("GET", f"/portal/articles/{article_id}")
    return response.json["title"] if response.status == 200 else None


def test_an_article_goes_from_draft_through_review_to_the_public_and_an_edit_is_reviewed_again(phone: Phone, browser: Any, local_stack: LocalStack) -> None:
    """The propaganda unit writes and sends a draft; the commander publishes it; an edit of the published article
    waits for review while the public reads the approved text; the commander approves it; the unit withdraws it.
    A handler of another unit has no articles tile."""
    writer = local_stack.new_user("department_handler", {"department": "propaganda"}, prefix="propaganda")
    police = local_stack.new_user("department_handler", {"department": "public_security"}, prefix="police")
    reviewer = local_stack.new_user("commander", prefix="reviewer")
    title = f"关于延长居家隔离期限的通告{uuid.uuid4().hex[:4]}"
    calls = ScreenCalls(phone)
    phone.sign_in(writer)
    page = phone.page
    page.get_by_test_id("tool-articles").click()
    page.get_by_test_id("article-new").click()
    page.locator("select[name=article_kind]").select_option("announcement")
    page.locator("input[name=article_title]").fill(title)
    page.locator("textarea[name=article_summary]").fill("居家隔离人员须满14天并经核酸检测阴性方可解除。")
    page.locator("textarea[name=article_body]").fill("一、居家隔离期限为14天。二、解除前须经核酸检测。")
    page.locator("input[name=article_source]").fill("三门峡市疫情防控指挥部")
    page.get_by_test_id("article-save").click()
    page.get_by_test_id("article-submit").click()
    page.get_by_test_id("article-editor").get_by_text("由您送审的稿件须由另一位审核人员发布。").wait_for()
    assert not page.get_by_test_id("article-publish").count()  # no approving one's own submission
    article_id = local_stack.call("GET", "/portal/manage/articles?state=in_review", writer).json["items"][0]["article_id"]
    phone.shot("sent to review")
    assert public_title(local_stack, article_id) is None

    review_phone = other_phone(browser, local_stack, "backoffice-articles-reviewer")
    review_calls = ScreenCalls(review_phone)
    review_phone.sign_in(reviewer)
    rp = review_phone.page
    rp.get_by_test_id("tool-articles").click()
    rp.get_by_role("tab", name="待审核").click()
    rp.locator(f"[data-article='{article_id}']").click()
    rp.get_by_test_id("article-publish").click()
    rp.locator(".van-toast", has_text="已发布").wait_for()
    assert public_title(local_stack, article_id) == title

    # The unit edits the published article: the public keeps the approved title until review
    page.locator(".van-popup__close-icon").click()
    page.get_by_test_id("article-editor").wait_for(state="hidden")
    page.get_by_role("tab", name="已发布").click()
    page.locator(f"[data-article='{article_id}']").click()
    page.locator("input[name=article_title]").fill(f"{title}(修订)")
    page.get_by_test_id("article-save").click()
    page.get_by_test_id("article-revision").wait_for()
    phone.shot("edit waiting for review")
    assert public_title(local_stack, article_id) == title

    rp.get_by_role("tab", name="已发布").click()
    rp.get_by_role("tab", name="待审核").click()  # read the queue again
    rp.locator(f"[data-article='{article_id}']").click()
    rp.get_by_test_id("article-revision").get_by_text(f"{title}(修订)").wait_for()
    review_phone.shot("revision to approve")
    rp.get_by_test_id("article-publish").click()
    rp.locator(".van-toast", has_text="已发布").wait_for()
    assert public_title(local_stack, article_id) == f"{title}(修订)"

    page.locator(".van-popup__close-icon").click()
    page.get_by_test_id("article-editor").wait_for(state="hidden")
    page.get_by_role("tab", name="草稿").click()
    page.get_by_role("tab", name="已发布").click()  # read the list again
    page.locator(f"[data-article='{article_id}']", has_text="修订").click()
    page.get_by_test_id("article-withdraw").click()
    page.locator(".van-toast", has_text="已撤回").wait_for()
    assert public_title(local_stack, article_id) is None

    police_phone = other_phone(browser, local_stack, "backoffice-articles-police")
    police_phone.sign_in(police)
    assert police_phone.page.get_by_test_id("tool-hotline").is_visible() and not police_phone.page.get_by_test_id("tool-articles").count()
    police_phone.open("/staff/articles")
    police_phone.page.get_by_test_id("page-home").wait_for()  # the router sends them home

    assert calls.undeclared() == [] and review_calls.undeclared() == []
    assert "articles" in calls.screens_seen() and "articles" in review_calls.screens_seen()
    for device in (phone, review_phone, police_phone):
        assert not page_errors(device), page_errors(device)
        assert device.no_horizontal_scroll()
    review_phone.context.close()
    police_phone.context.close()
