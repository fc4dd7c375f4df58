import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from rules.clock import today
from tests.browser.resident import PHONE_VIEWPORT, open_day
from tests.browser.staff import sign_in
from tests.factories import gen_announcement, gen_card, gen_location, gen_reservation, gen_slot, gen_user

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE_VIEWPORT, "locale": "ja-JP"}


def violations(page):
    """axe-core's WCAG 2.2 A/AA violations on the page, as 'rule: element' lines."""
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{page.url} {violation['id']}: {node['target']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def test_every_page_of_a_booking_passes_wcag_checks(page, live_server, database):
    """Does every page a resident passes through, errors included, pass axe-core's WCAG 2.2 AA rules?"""
    location = gen_location(name="本庁舎 市民課")
    day = today() + datetime.timedelta(days=3)
    gen_slot(location=location, day=day, start=datetime.time(10, 0), capacity=3)
    gen_announcement(title="システム停止のお知らせ", audience="public", maintenance=True)

    page.goto(live_server)
    found = violations(page)
    found += after_loading(page, page.get_by_role("link", name=re.compile("^申請")).click)
    found += after_loading(page, page.get_by_role("link", name=re.compile("^本庁舎 市民課")).click)
    open_day(page, day)  # perhaps through the next month's page: two loads
    times = page.get_by_role("link", name=re.compile("^10:00〜10:30"))
    expect(times).to_be_visible()
    found += violations(page)
    found += after_loading(page, times.click)
    found += after_loading(page, page.get_by_role("button", name="入力内容を確認する").click)
    expect(page.locator(".error-summary")).to_be_visible()
    page.get_by_label(re.compile("^氏名")).fill("安芸 花子")
    page.get_by_label(re.compile("^フリガナ")).fill("あき はなこ")
    page.get_by_label(re.compile("^生年月日")).fill("1980-04-01")
    page.get_by_label(re.compile("^電話番号")).fill("0887-35-1000")
    page.get_by_label(re.compile("^個人情報の取扱いに同意します")).check()
    found += after_loading(page, page.get_by_role("button", name="入力内容を確認する").click)
    found += after_loading(page, page.get_by_role("button", name="予約する").click)
    expect(page.get_by_role("heading", name="予約が完了しました")).to_be_visible()
    number = page.locator(".done-number .reservation-number").inner_text()

    page.goto(f"{live_server}/reservation")
    found += after_loading(page, page.get_by_role("button", name="予約を確認する").click)
    page.get_by_label(re.compile("^予約番号")).fill(number)
    page.get_by_label(re.compile("^生年月日")).fill("1980-04-01")
    found += after_loading(page, page.get_by_role("button", name="予約を確認する").click)
    found += after_loading(page, page.get_by_role("link", name="予約を取り消す").click)
    page.goto(f"{live_server}/privacy")
    found += violations(page)
    assert found == []


def after_loading(page, navigate):
    """The violations of the page that ``navigate`` (a click) loads, checked once it has loaded:
    axe run while the old page unloads finds no document."""
    with page.expect_navigation():
        navigate()
    return violations(page)


def test_the_checker_notices_an_unlabelled_field(page, live_server, database):
    """Does the same check report a field without a label, so that a clean result means something?"""
    page.goto(live_server)
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')")
    assert any(" label: " in line for line in violations(page))


STAFF_PAGES = {
    "/admin/": "今日の状況",
    "/admin/checkin/": "本日の来庁者",
    "/admin/booking_desk/": "電話・窓口予約",
    "/admin/reservation/": None,
    "/admin/card/": None,
    "/admin/card_scan/": "棚で工程を進める",
    "/admin/qr_capture/": "QR読取登録(カード発行一覧表)",
    "/admin/card_reading/": "カード読取",
    "/admin/application/": None,
    "/admin/statistics_report/": "集計グラフ",
    "/admin/extraction/?dataset=cards&preview=1": "CSV抽出",
}


def test_staff_pages_pass_wcag_checks(page, live_server, database):
    """Do the login page, the screens clerks spend their day on and the supervisors' statistics pass WCAG 2.2 AA?"""
    gen_user("supervisor", login="madoguchi")
    location = gen_location(name="本庁舎 市民課")
    gen_reservation(slot=gen_slot(location=location, day=today()))
    gen_card()
    page.goto(f"{live_server}/admin/login")
    found = violations(page)
    sign_in(page, live_server, "madoguchi")
    for path, heading in STAFF_PAGES.items():
        response = page.goto(live_server + path)
        assert response.status == 200, path
        if heading:
            expect(page.locator("h1").first).to_contain_text(heading)
        found += violations(page)
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert found == []
