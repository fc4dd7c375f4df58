import datetime

from playwright.sync_api import expect

from models import Reservation
from rules.clock import today
from tests.browser.staff import sign_in
from tests.factories import gen_location, gen_reservation, gen_slot, gen_user


def test_clerk_phone_booking_check_in_and_day_list(page, live_server, database):
    """Does a clerk book by phone past a duplicate warning, check a resident in by the notice QR, and print the list?"""
    gen_user("clerk", login="suzuki", name="鈴木 一郎")
    location = gen_location(name="本庁 市民課")
    tomorrow = today() + datetime.timedelta(days=1)
    gen_slot(location=location, day=tomorrow, start=datetime.time(10, 0), capacity=2)
    gen_reservation(
        slot=gen_slot(location=location, day=tomorrow + datetime.timedelta(days=3)),
        purpose="apply",
        name="安芸　花子",
        kana="アキ　ハナコ",
        birth_date=datetime.date(1980, 4, 1),
    )
    arriving = gen_reservation(
        slot=gen_slot(location=location, day=today(), start=datetime.time(23, 0)),
        purpose="collect",
        name="山﨑　太郎",
        kana="ヤマサキ　タロウ",
        notice_number="6A6-244944",
    )
    sign_in(page, live_server, "suzuki")

    page.goto(f"{live_server}/admin/booking_desk/")
    page.get_by_role("link", name=f"{tomorrow.month}/{tomorrow.day}(").click()
    page.get_by_role("link", name="10:00〜10:30").click()
    page.get_by_label("氏名").fill("安芸　花子")
    page.get_by_label("フリガナ").fill("あき　はなこ")
    page.get_by_label("生年月日").fill("1980-04-01")
    page.get_by_label("電話番号").fill("0887-35-0000")
    page.get_by_role("button", name="予約を登録する").click()
    expect(page.locator("#warnings")).to_contain_text("予約")
    page.get_by_label("上の警告を確認したうえで登録する").check()
    page.get_by_role("button", name="予約を登録する").click()
    expect(page.get_by_role("heading", name="予約を登録しました")).to_be_visible()
    assert Reservation.select().where(Reservation.channel == "phone").count() == 1

    page.goto(f"{live_server}/admin/checkin/")
    scan = page.get_by_label("交付通知書のQR")
    expect(scan).to_be_focused()
    scan.fill("MNCL1,44418521867264284878260,6A6-244944,20200506,2,ヤマサキ　タロウ")
    scan.press("Enter")
    row = page.locator(f"#r-{arriving.id}")
    expect(row).to_have_class("table-warning")
    row.get_by_role("button", name="来庁済にする").click()
    expect(page.locator(f"#r-{arriving.id}")).to_contain_text("来庁済")
    assert Reservation.get_by_id(arriving.id).status == "visited"

    with page.expect_navigation():
        page.get_by_role("link", name="印刷", exact=True).click()
    expect(page.get_by_role("heading", name="来庁予約一覧")).to_be_visible()
    expect(page.get_by_text("山﨑　太郎")).to_be_visible()
