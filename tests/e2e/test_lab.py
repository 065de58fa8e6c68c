"""Lab results (核酸, issue 17) on the local stack: a lab signs in (real Cognito on moto), uploads a result file to
the presigned URL and the S3 event imports it; a positive holds the code and the person's head sees a confirmed-case
candidate; two negatives a day apart release it; the dashboard counts the tests per day through the lake. And the lab
screen in headless Chromium: a file with errors shown by line and field, then a good one imported, and the results."""

from __future__ import annotations

import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.browser_support import UI_TIMEOUT_MS, Phone, new_id_number
from tests.e2e.conftest import LocalStack
from tests.e2e.screen_calls import ScreenCalls

pytest_plugins = ["tests.e2e.browser_support"]

COUNTY = "411281"  # 义马市
COMMUNITY = "411281-009"  # a community the demo data and other tests leave alone


def server_now(local_stack: LocalStack) -> datetime:
    """The stack's virtual now (it may run days ahead of the machine after earlier tests)."""
    return datetime.fromisoformat(local_stack.request("GET", "/_local/clock").json["now"]).astimezone(UTC)


def resident(local_stack: LocalStack, name: str) -> dict[str, Any]:
    username = local_stack.new_user("resident")
    id_number = new_id_number(COUNTY)
    body = {"name": name, "id_number": id_number, "phone": f"137{uuid.uuid4().int % 10**8:08d}", "county_code": COUNTY}
    body.update({"community_id": COMMUNITY, "address": "义马市测试路3号"})
    registered = local_stack.call("POST", "/residents", username, body)
    assert registered.status == 201, registered.body
    applied = local_stack.call("POST", "/health-codes", username, {"fever": False, "in_isolation": False, "declaration_accepted": True})
    assert applied.status == 201, applied.body
    return {"username": username, "id_number": id_number, "person_id": registered.json["person_id"]}


def until(check: Any, what: str, seconds: float = 60) -> Any:
    """Wait on a condition (the S3 event is delivered by the stack's pump), never a fixed sleep."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


def test_a_lab_uploads_results_a_positive_holds_and_opens_a_case_negatives_release_and_the_dashboard_counts(local_stack: LocalStack) -> None:
    lab = local_stack.new_user("lab", {"lab_id": f"lab-e2e-{uuid.uuid4().hex[:6]}"})
    head = local_stack.new_user("community_head", {"community_id": COMMUNITY, "county_code": COUNTY})
    commander = local_stack.new_user("commander", {"county_code": COUNTY})
    alice, bob = resident(local_stack, "义马甲"), resident(local_stack, "义马乙")
    sampled = (server_now(local_stack) - timedelta(hours=60)).astimezone(UTC)
    shanghai = sampled + timedelta(hours=8)
    stamp = shanghai.strftime("%Y-%m-%d %H:%M")
    csv = f"样本编号,身份证号,检测结果,采样时间\nE2E-P1,{alice['id_number']},阳性,{stamp}\nE2E-N1,{bob['id_number']},阴性,{stamp}\n"
    # When the lab starts an upload and PUTs the file to the presigned URL (as the browser does)
    started = local_stack.call("POST", "/lab/uploads", lab, {"file_name": "e2e.csv"})
    assert started.status == 201, started.body
    target = started.json["upload"]
    put = urllib.request.Request(target["url"], data=csv.encode(), method="PUT", headers={"Content-Type": "text/csv"})
    with urllib.request.urlopen(put, timeout=30) as answer:
        assert answer.status == 200
    # Then the S3 event imports it whole
    upload_id = started.json["upload_id"]
    done = until(lambda: (r := local_stack.call("GET", f"/lab/uploads/{upload_id}", lab).json)["status"] != "awaiting_upload" and r, "the import")
    assert (done["status"], done["new"], done["positives"]) == ("imported", 2, 1), done
    local_stack.drain()
    # And Alice's code is red from the lab's hold; Bob's is not
    code = local_stack.call("GET", "/health-codes/me", alice["username"]).json
    assert code["color"] == "red" and any(reason.get("source") == "lab" for reason in code["reasons"]), code
    assert local_stack.call("GET", "/health-codes/me", bob["username"]).json["color"] != "red"
    # And her community's head sees a pending confirmed-case record from the lab
    listed = local_stack.call("GET", f"/key-persons?status=pending&community_id={COMMUNITY}", head).json["items"]
    mine = [item for item in listed if item["person_id"] == alice["person_id"]]
    assert len(mine) == 1 and mine[0]["category"] == "confirmed_case" and mine[0]["sources"][0]["source"] == "lab", listed
    # When two negatives 24 h apart follow (one result at a time, by the API)
    for sample, hours in (("E2E-N2", 40), ("E2E-N3", 14)):
        at = (server_now(local_stack) - timedelta(hours=hours)).isoformat()
        answer = local_stack.call("POST", "/lab/results", lab, {"sample_id": sample, "id_number": alice["id_number"], "result": "negative", "sampled_at": at})
        assert answer.status == 201, answer.body
    # Then the release criteria are met and the lab's hold is lifted
    assert answer.json["release"]["met"] is True
    local_stack.drain()
    code = local_stack.call("GET", "/health-codes/me", alice["username"]).json
    assert not any(reason.get("source") == "lab" for reason in code.get("reasons", []) if reason.get("kind") == "hold"), code
    # And the dashboard counts the community's tests per day of sampling, through the lake
    first = shanghai.date()
    last = (server_now(local_stack) + timedelta(hours=8)).date()
    query = f"community_id={COMMUNITY}&from={first.isoformat()}&to={last.isoformat()}"
    figure = local_stack.call("GET", f"/dashboard/lab-tests?{query}", commander)
    assert figure.status == 200, figure.body
    assert figure.json["totals"] == {"tests": 4, "positives": 1, "negatives": 3}, figure.json
    assert figure.json["rows"][0] == {"date": first.isoformat(), "tests": 2, "positives": 1, "negatives": 1}
    assert alice["id_number"] not in figure.body.decode()
    # And another county's commander is refused the community's figure
    stranger = local_stack.new_user("commander", {"county_code": "411202"})
    assert local_stack.call("GET", f"/dashboard/lab-tests?{query}", stranger).status == 403


@pytest.mark.e2e
@pytest.mark.browser
def test_the_lab_screen_shows_errors_by_line_then_imports_and_lists_results(phone: Phone, local_stack: LocalStack) -> None:
    calls = ScreenCalls(phone)
    lab = local_stack.new_user("lab", {"lab_id": f"lab-web-{uuid.uuid4().hex[:6]}"})
    carol = resident(local_stack, "义马丙")
    stamp = (server_now(local_stack) + timedelta(hours=8) - timedelta(hours=5)).strftime("%Y-%m-%d %H:%M")
    phone.sign_in(lab)
    page = phone.page
    page.get_by_test_id("tool-lab").click()
    page.get_by_test_id("page-lab").wait_for()
    # A file whose third line has an unknown result and fourth a bad time: rejected, each problem by line and field
    who = carol["id_number"]
    bad = f"sample_id,id_number,result,sampled_at\nW-1,{who},negative,{stamp}\nW-2,{who},maybe,{stamp}\nW-3,{who},negative,yesterday\n"
    page.set_input_files("input[name=file]", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    page.get_by_test_id("lab-upload").click()
    page.locator("[data-testid=lab-report][data-status=rejected]").wait_for(timeout=UI_TIMEOUT_MS)
    errors = page.get_by_test_id("lab-errors")
    assert errors.locator("tr[data-line='3']").count() == 1 and errors.locator("tr[data-line='4']").count() == 1, errors.inner_text()
    assert "result" in errors.inner_text() and "sampled_at" in errors.inner_text()
    phone.shot("lab rejected")
    # The corrected file is imported, and its upload listed
    good = f"sample_id,id_number,result,sampled_at\nW-1,{carol['id_number']},negative,{stamp}\n"
    page.set_input_files("input[name=file]", files=[{"name": "good.csv", "mimeType": "text/csv", "buffer": good.encode()}])
    page.get_by_test_id("lab-upload").click()
    page.locator("[data-testid=lab-report][data-status=imported]").wait_for(timeout=UI_TIMEOUT_MS)
    page.locator("[data-testid=lab-uploads] [data-status=imported]").first.wait_for(timeout=UI_TIMEOUT_MS)
    phone.shot("lab imported")
    # The results tab lists the sample with the ID number masked
    page.get_by_role("tab", name="检测结果").click()
    row = page.locator("[data-testid=lab-results] [data-sample='W-1']")
    row.wait_for(timeout=UI_TIMEOUT_MS)
    assert carol["id_number"] not in page.content() and "*" in row.inner_text()
    assert phone.no_horizontal_scroll()
    assert calls.undeclared() == [] and "lab" in calls.screens_seen()
