"""Issue 12 in headless Chromium: the gate without network decides from the signed token against the cached key
set and revocation list, queues the scan (an ID number only sealed) and sends it once when the network returns;
online, a stale token is decided on today's colour and a revoked one refused; the resident's code screen follows
a hold placed at the gate without a tap."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import qrcode

from tests.e2e.browser_support import ARTIFACTS, UI_TIMEOUT_MS, Phone, dismiss_verdict, gate_verdict, new_id_number, submit_appeal
from tests.e2e.conftest import LocalStack
from tests.e2e.test_web_screens import registered_resident, second_phone

pytest_plugins = ["tests.e2e.browser_support"]  # the browser, phone fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def new_checkpoint(stack: LocalStack, community_id: str = "411202-005") -> tuple[str, str]:
    """A checkpoint made by the city commander and an officer scoped to it: (checkpoint id, officer)."""
    checkpoint_id = f"cp-trust-{random.SystemRandom().randint(100000, 999999)}"
    body = {"checkpoint_id": checkpoint_id, "name": "会兴村村口", "kind": "village_entrance", "community_id": community_id}
    body["location"] = {"latitude": 34.8, "longitude": 111.2, "place": "会兴村"}
    assert stack.call("POST", "/checkpoints", "commander1", body).status == 201
    return checkpoint_id, stack.new_user("checkpoint_staff", {"checkpoint_id": checkpoint_id, "community_id": community_id})


def qr_file(stack: LocalStack, resident: str, label: str) -> tuple[str, Path]:
    """The resident's current token and a PNG of it, as a photo the gate reads."""
    issued = stack.call("GET", "/health-codes/me/token", resident).json
    path = ARTIFACTS / f"trust-{label}-{resident}.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    code = qrcode.QRCode(box_size=4, border=4)  # under the reader's width: decoded without scaling
    code.add_data(issued["token"])
    code.make(fit=True)
    code.make_image(fill_color="black", back_color="white").convert("RGB").save(path, format="PNG")
    return issued["token"], path


def open_scanner(phone: Phone, officer: str) -> None:
    """Sign in and open the scanner; wait until the key set, revocation list and sealing key are cached and the
    QR reader is loaded (all fetched while online)."""
    phone.sign_in(officer)
    phone.open("/staff/scan")
    phone.page.get_by_test_id("scan-stats").wait_for()
    phone.page.wait_for_function("document.querySelector('[data-testid=trust-status]').dataset.fetched !== ''")
    phone.page.locator("[data-testid=qr-reader][data-ready=true]").wait_for(state="attached")


def scan_picture(phone: Phone, picture: Path, temperature: str = "36.6") -> dict[str, Any]:
    """Enter the temperature and give the gate a picture of a QR code; returns the verdict as shown."""
    page = phone.page
    page.get_by_role("tab", name="扫健康码").click()
    page.get_by_test_id("scan-temperature").locator("input").fill(temperature)
    page.get_by_test_id("qr-image-upload").locator("input[type=file]").set_input_files(str(picture))
    return gate_verdict(phone)


def test_offline_scans_get_a_verdict_and_are_sent_once_when_the_network_returns(phone: Phone, local_stack: LocalStack) -> None:
    # Given two residents with green codes, one of whose tokens the city commander has revoked
    alice, _ = registered_resident(local_stack, "孔明")
    bob, _ = registered_resident(local_stack, "庞统")
    _, alice_qr = qr_file(local_stack, alice, "alice")
    _, bob_qr = qr_file(local_stack, bob, "bob")
    bob_id = local_stack.call("GET", "/health-codes/me", bob).json["person_id"]
    commander = local_stack.new_user("commander")
    revoked = local_stack.call("POST", "/health-codes/revocations", commander, {"kind": "person", "person_id": bob_id, "reason": "令牌截图外传 e2e"})
    assert revoked.status == 201, revoked.body
    # And a gate officer whose scanner has fetched the key set and the revocation list while online
    checkpoint_id, officer = new_checkpoint(local_stack)
    open_scanner(phone, officer)
    page = phone.page
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and request.url.endswith("/scans") and posts.append(request.post_data or ""))
    # When the network drops and Alice's code is read
    phone.context.set_offline(True)
    verdict = scan_picture(phone, alice_qr)
    # Then the gate shows PASS from the signed token, marked as an offline verdict, and keeps the scan
    assert (verdict["decision"], verdict["offline"]) == ("pass", True)
    assert "离线核验" in verdict["text"]
    phone.shot("offline-pass")
    dismiss_verdict(phone)
    # And the temperature is not carried over to the next person
    assert page.get_by_test_id("scan-temperature").locator("input").input_value() == ""
    # When Bob's revoked token is read offline, it is refused from the cached revocation list and not kept
    verdict = scan_picture(phone, bob_qr)
    assert verdict["decision"] == "stop"
    assert "已被吊销" in verdict["text"]
    phone.shot("offline-revoked")
    dismiss_verdict(phone)
    waiting = page.get_by_text("1 条登记待上传,点击上传")
    waiting.wait_for()
    assert posts == []
    # When the network returns, the queue is sent by itself (no tap)
    phone.context.set_offline(False)
    waiting.wait_for(state="hidden")
    # Then Alice has exactly one scan at this checkpoint, posted once, and nothing waits on the device
    mine = [scan for scan in local_stack.call("GET", "/scans/me", alice).json["items"] if scan["checkpoint_id"] == checkpoint_id]
    assert len(mine) == 1 and mine[0]["decision"] == "pass"
    assert len(posts) == 1
    assert page.evaluate("JSON.parse(localStorage.getItem('sanmenxia.pendingScans'))") == []
    assert not [scan for scan in local_stack.call("GET", "/scans/me", bob).json["items"] if scan["checkpoint_id"] == checkpoint_id]


def test_a_typed_id_waiting_offline_is_sealed_on_the_device_and_opened_by_the_server(phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident and a gate officer whose scanner has the sealing key
    resident, id_number = registered_resident(local_stack, "徐庶")
    checkpoint_id, officer = new_checkpoint(local_stack)
    open_scanner(phone, officer)
    page = phone.page
    # When the network is down and the resident's ID number is typed with a temperature
    phone.context.set_offline(True)
    page.get_by_role("tab", name="身份证").click()
    page.get_by_test_id("scan-id-number").locator("input").fill(id_number)
    page.get_by_test_id("scan-temperature").locator("input").fill("36.4")
    page.get_by_test_id("scan-submit").click()
    verdict = gate_verdict(phone)
    # Then the gate says it recorded the scan offline (the colour is decided by the server later)
    assert (verdict["decision"], verdict["offline"]) == ("pending", True)
    phone.shot("offline-typed")
    dismiss_verdict(phone)
    # And nothing on the device holds the ID number in clear, nor the birth date part of it
    stored = page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    assert id_number not in stored and id_number[6:14] not in stored
    queued = page.evaluate("JSON.parse(localStorage.getItem('sanmenxia.pendingScans'))")
    assert len(queued) == 1 and "id_number" not in queued[0]["body"] and queued[0]["body"]["sealed_id_number"].count(".") == 3
    # When the network returns, the sealed scan is sent by itself and the server finds the person
    phone.context.set_offline(False)
    page.wait_for_function("JSON.parse(localStorage.getItem('sanmenxia.pendingScans') || '[]').length === 0")
    mine = [scan for scan in local_stack.call("GET", "/scans/me", resident).json["items"] if scan["checkpoint_id"] == checkpoint_id]
    assert len(mine) == 1 and mine[0]["decision"] == "pass"


def test_online_a_stale_token_is_decided_on_todays_colour_and_the_code_screen_follows(browser: Any, phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident whose green code is open on their phone, and the QR that phone showed
    resident, id_number = registered_resident(local_stack, "姜维")
    _, stale_qr = qr_file(local_stack, resident, "stale")
    phone.sign_in(resident)
    phone.open("/code")
    color = phone.page.get_by_test_id("code-color")
    color.wait_for()
    assert color.get_attribute("data-color") == "green"
    # When a gate stops them for a fever (typed ID at 38.5 °C)
    _, officer = new_checkpoint(local_stack)
    gate = second_phone(browser, local_stack, "gate-trust-online")
    try:
        open_scanner(gate, officer)
        gate.page.get_by_role("tab", name="身份证").click()
        gate.page.get_by_test_id("scan-id-number").locator("input").fill(id_number)
        gate.page.get_by_test_id("scan-temperature").locator("input").fill("38.5")
        gate.page.get_by_test_id("scan-submit").click()
        assert gate_verdict(gate)["decision"] == "stop"
        dismiss_verdict(gate)
        # Then the resident's code screen turns from green by itself, without a tap on refresh
        phone.page.wait_for_function("document.querySelector('[data-testid=code-color]').dataset.color !== 'green'", timeout=UI_TIMEOUT_MS)
        phone.shot("code-after-fever-stop")
        # And the QR issued before the stop, shown again at the gate, is decided on today's colour: STOP
        verdict = scan_picture(gate, stale_qr)
        assert (verdict["decision"], verdict["offline"]) == ("stop", False)
        gate.shot("stale-token-stop")
        dismiss_verdict(gate)
        # And once the commander revokes the resident's tokens, the same QR is refused online at once
        person_id = local_stack.call("GET", "/health-codes/me", resident).json["person_id"]
        commander = local_stack.new_user("commander")
        assert local_stack.call("POST", "/health-codes/revocations", commander, {"kind": "person", "person_id": person_id, "reason": "e2e"}).status == 201
        verdict = scan_picture(gate, stale_qr)
        assert verdict["decision"] == "stop"
        assert "已被吊销" in verdict["text"]
        gate.shot("revoked-online")
    finally:
        gate.context.close()


def test_an_appeal_keeps_one_order_number_and_its_handler_lifts_the_hold_with_a_reason(browser: Any, phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident whose code is yellow from a fever declared when applying
    resident = local_stack.new_user("resident")
    body = {"name": "诸葛瑾", "id_number": new_id_number(), "phone": "13900007777", "county_code": "411202", "community_id": "411202-004"}
    body["address"] = "涧河路7号"
    assert local_stack.call("POST", "/residents", resident, body).status == 201
    assert local_stack.call("POST", "/health-codes", resident, {"fever": True, "in_isolation": False, "declaration_accepted": True}).status == 201
    page = phone.page
    phone.sign_in(resident)
    # When they appeal against the hold in the app
    phone.open("/code/appeal")
    page.get_by_test_id("page-appeal").wait_for()
    # Then the dialog gives the 12345 order number, and the same number is in their 12345 list
    order_id = submit_appeal(phone, "申领时误选发热,实测体温36.4度", "appeal-order-number")
    local_stack.drain()
    phone.open("/my-tipoffs")
    page.get_by_text(order_id).first.wait_for()
    # When a handler of the appeal unit (the big-data bureau) opens the order, then the person's code from it
    handler = second_phone(browser, local_stack, "appeal-handler")
    try:
        handler.sign_in(local_stack.new_user("department_handler", {"department": "big_data"}))
        handler.open(f"/staff/orders/{order_id}")
        handler.page.get_by_test_id("order-appeal-case").click()
        handler.page.get_by_test_id("page-appeal-case").wait_for()
        # Then they see the order number, the code's colour, and the hold with its source
        assert handler.page.get_by_test_id("appeal-order-id").inner_text().endswith(order_id)
        handler.page.locator("[data-testid=appeal-code-color][data-color=yellow]").wait_for()
        hold = handler.page.locator("[data-testid=appeal-hold][data-hold='fever#declaration']")
        assert "申领时申报发热" in hold.inner_text() and "fever declared" not in hold.inner_text()  # one language
        handler.shot("appeal-case")
        # When they lift the hold with a reason, a manual colour change: it is proposed and changes nothing yet
        handler.page.get_by_test_id("appeal-note").locator("textarea").fill("经核实,申领时误选发热")
        handler.page.get_by_test_id("appeal-lift").click()
        handler.open("/staff/proposals")
        mine = handler.page.locator("[data-testid=proposal][data-status=pending]", has_text="经核实,申领时误选发热")
        mine.get_by_test_id("proposal-mine").wait_for()
        assert mine.get_by_test_id("proposal-approve").count() == 0
        handler.shot("proposal-mine")
        assert local_stack.call("GET", "/health-codes/me", resident).json["color"] == "yellow"
        # When a second member of the unit approves it on the proposals screen
        second = second_phone(browser, local_stack, "appeal-second")
        try:
            second.sign_in(local_stack.new_user("department_handler", {"department": "big_data"}))
            second.open("/staff/proposals")
            pending = second.page.locator("[data-testid=proposal][data-status=pending]", has_text="经核实,申领时误选发热")
            pending.wait_for()
            second.shot("proposal-to-approve")
            pending.get_by_test_id("proposal-approve").click()
            pending.wait_for(state="detached")  # approved: it leaves the pending list
        finally:
            second.context.close()
        # Then the code shown is green and the appeal is decided
        handler.open(f"/staff/orders/{order_id}/appeal")
        handler.page.locator("[data-testid=appeal-code-color][data-color=green]").wait_for()
        handler.page.locator("[data-testid=appeal-state][data-state=lifted]").wait_for()
        handler.shot("appeal-lifted")
    finally:
        handler.context.close()
    # And the resident has the result in their inbox and a green code
    local_stack.drain()
    phone.open("/notifications")
    page.get_by_text("经核实,申领时误选发热").first.wait_for()
    phone.shot("appeal-result-in-inbox")
    assert local_stack.call("GET", "/health-codes/me", resident).json["color"] == "green"
