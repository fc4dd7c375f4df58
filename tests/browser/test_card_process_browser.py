from playwright.sync_api import expect

from models import Card, StorageLocation
from rules.clock import today
from tests.browser.staff import RECORD_TONES, sign_in
from tests.factories import gen_card, gen_location, gen_user

SCAN = "MNCL1,44418521867264284878260,6A6-244944,20200506,2,ヤマサキ　タロウ"


def bulk_move(page, live_server, action_label, done_message):
    page.goto(f"{live_server}/admin/card/?search=R8-12A")
    page.locator("input.action-rowtoggle").check()
    page.get_by_role("button", name="選択", exact=True).click()
    page.get_by_role("link", name=action_label).click()
    expect(page.locator(".alert-success")).to_contain_text(done_message)


def test_delivery_through_the_stages_into_boxes_and_found_by_scan(page, live_server, database):
    """Does a clerk move a delivery to 検品済 → 交付前設定済 → 交付通知書発送済, box it, and find a card by its QR?"""
    gen_user("clerk", login="suzuki", name="鈴木 一郎")
    location = gen_location(name="本庁 市民課")
    StorageLocation.create(location=location, code="A-1-1", cabinet="A", shelf="1", box="1", capacity=2)
    StorageLocation.create(location=location, code="A-1-2", cabinet="A", shelf="1", box="2", capacity=5)
    delivery = {"delivered_on": today(), "batch": "R8-12A", "visit_type": "at_issuance"}
    gen_card(name="安芸　花子", kana="アキ　ハナコ", **delivery)
    gen_card(name="井上　一郎", kana="イノウエ　イチロウ", **delivery)
    wanted = gen_card(
        name="山﨑　太郎",
        kana="ヤマサキ　タロウ",
        application_form_id="44418521867264284878260",
        notice_number="6A6-244944",
        **delivery,
    )
    gen_card(name="別の　納品", batch="R8-11")
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "suzuki")

    bulk_move(page, live_server, "→ 検品済", "3件を「検品済」にしました。")
    bulk_move(page, live_server, "→ 交付前設定済", "3件を「交付前設定済」にしました。")
    bulk_move(page, live_server, "→ 交付通知書発送済", "3件を「交付通知書発送済」にしました。")
    assert {card.name: card.stage for card in Card.select()} == {
        "安芸　花子": "notified",
        "井上　一郎": "notified",
        "山﨑　太郎": "notified",
        "別の　納品": "delivered",
    }

    page.goto(f"{live_server}/admin/card_storage/")
    page.get_by_label("納品日").fill(today().isoformat())
    page.get_by_label("納品ロット(空欄はその日の全部)").fill("R8-12A")
    page.get_by_label("A-1-1(空き2)").check()
    page.get_by_label("A-1-2(空き5)").check()
    page.get_by_role("button", name="割り当てる").click()
    expect(page.locator(".alert-success")).to_contain_text("3枚を保管場所に割り当てました")
    expect(page.locator(".alert-warning")).to_contain_text("箱 A-1-1 は満杯です(2枚)。")
    expect(page.locator("#box-list")).to_contain_text("満杯")

    search = page.get_by_label("QRコード・交付通知書番号・申請書ID・氏名・フリガナ")
    expect(search).to_be_focused()
    search.fill(SCAN)
    search.press("Enter")
    expect(page.locator("#where-results")).to_contain_text("山﨑　太郎")
    expect(page.locator("#where-results")).to_contain_text("A-1-2")
    assert Card.get_by_id(wanted.id).storage.code == "A-1-2"


def test_codes_read_faster_than_the_page_reloads_are_all_applied(page, live_server, database):
    """When a reader types twelve codes back to back on 棚で工程を進める, is every card moved and
    logged, none lost while an answer is on its way?"""
    gen_user("clerk", login="suzuki")
    cards = [gen_card(stage="delivered") for _ in range(12)]
    sign_in(page, live_server, "suzuki")
    page.add_init_script(RECORD_TONES)
    page.goto(f"{live_server}/admin/card_scan/")
    page.get_by_label("変更後の工程").select_option(label="検品済")
    field = page.get_by_label("QRコード・交付通知書番号・申請書ID")
    field.focus()
    for code in [card.notice_number for card in cards] + ["ZZZ-000000"]:
        page.keyboard.type(code + "\n", delay=2)
    expect(page.locator("#scan-log tbody tr.table-success")).to_have_count(12)
    expect(page.locator("#scan-log tbody tr.table-danger")).to_have_count(1)
    expect(page.locator("#scan-pending")).to_be_hidden()
    assert {Card.get_by_id(card.id).stage for card in cards} == {"inspected"}
    assert page.evaluate("window.recordedTones") == [880] * 12 + [220, 180]
