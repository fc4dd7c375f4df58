import datetime
import email
import email.policy
import re

import pytest
from playwright.sync_api import expect

from models import Reservation, Slot
from rules.clock import today
from tests.browser.resident import PHONE_VIEWPORT, fits_the_phone, open_day
from tests.factories import gen_location, gen_reservation, gen_slot


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE_VIEWPORT, "locale": "ja-JP"}


def test_resident_books_on_a_phone_then_cancels(page, live_server, database, tmp_path):
    """On a 390 px phone, does a resident book, get the number and the mail, look it up and cancel it?"""
    location = gen_location(name="本庁舎 市民課")
    day = today() + datetime.timedelta(days=3)
    gen_slot(location=location, day=day, start=datetime.time(10, 0), capacity=3)

    page.goto(live_server)
    page.get_by_role("link", name=re.compile("^申請")).click()
    page.get_by_role("link", name=re.compile("^本庁舎 市民課")).click()
    expect(page.get_by_role("table")).to_be_visible()
    assert fits_the_phone(page)
    open_day(page, day)
    page.get_by_role("link", name=re.compile("^10:00〜10:30")).click()

    page.get_by_label(re.compile("^氏名")).fill("安芸 花子")
    page.get_by_label(re.compile("^フリガナ")).fill("あき はなこ")
    page.get_by_label(re.compile("^生年月日")).fill("1980-04-01")
    page.get_by_label(re.compile("^電話番号")).fill("0887-35-1000")
    page.get_by_label(re.compile("^メールアドレス")).fill("hanako@example.jp")
    page.get_by_label(re.compile("^個人情報の取扱いに同意します")).check()
    assert fits_the_phone(page)
    page.get_by_role("button", name="入力内容を確認する").click()
    expect(page.get_by_role("heading", name="予約内容を確認してください")).to_be_visible()
    page.get_by_role("button", name="予約する").click()

    expect(page.get_by_role("heading", name="予約が完了しました")).to_be_visible()
    number = page.locator(".done-number .reservation-number").inner_text()
    assert re.fullmatch(r"[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}", number)
    expect(page.get_by_text("hanako@example.jp に確認メールを送信しました。")).to_be_visible()
    assert fits_the_phone(page)
    [mail] = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
    assert number in message.get_body(("plain",)).get_content()

    page.get_by_role("link", name="トップページへ戻る").click()
    page.get_by_role("link", name="予約番号と生年月日で予約を確認する").click()
    page.get_by_label(re.compile("^予約番号")).fill(number.replace("-", "").lower())
    page.get_by_label(re.compile("^生年月日")).fill("1980-04-01")
    page.get_by_role("button", name="予約を確認する").click()
    expect(page.get_by_role("heading", name="予約の内容")).to_be_visible()
    expect(page.get_by_text(number).first).to_be_visible()
    page.get_by_role("link", name="予約を取り消す").click()
    page.get_by_role("button", name="予約を取り消す").click()
    expect(page.get_by_role("heading", name="予約を取り消しました")).to_be_visible()
    assert Reservation.get(Reservation.number == number).status == "cancelled"


def test_resident_moves_a_booking_to_another_day_on_a_phone(page, live_server, database):
    """On a 390 px phone, does a resident who looks a booking up move it to another day and time
    with one more person, the seats following the booking?"""
    location = gen_location(name="東部支所")
    first_day, second_day = (today() + datetime.timedelta(days=offset) for offset in (3, 5))
    old_slot = gen_slot(location=location, day=first_day, start=datetime.time(9, 0), capacity=3, booked=1)
    new_slot = gen_slot(location=location, day=second_day, start=datetime.time(14, 0), capacity=3)
    reservation = gen_reservation(slot=old_slot, birth_date=datetime.date(1975, 1, 31))

    page.goto(live_server)
    page.get_by_role("link", name="予約番号と生年月日で予約を確認する").click()
    page.get_by_label(re.compile("^予約番号")).fill(reservation.number)
    page.get_by_label(re.compile("^生年月日")).fill("1975-01-31")
    page.get_by_role("button", name="予約を確認する").click()
    page.get_by_role("link", name="日時・人数を変更する").click()
    expect(page.get_by_role("heading", name="変更後の日付を選んでください")).to_be_visible()
    assert fits_the_phone(page)
    open_day(page, second_day)
    page.get_by_role("link", name=re.compile("^14:00〜14:30")).click()
    expect(page.get_by_role("heading", name="予約を変更します")).to_be_visible()
    page.get_by_label("来庁する人数").select_option("2")
    assert fits_the_phone(page)
    page.get_by_role("button", name="この内容に変更する").click()

    expect(page.get_by_role("status")).to_have_text("予約を変更しました。")
    expect(page.get_by_text(f"{second_day.month}月{second_day.day}日").first).to_be_visible()
    moved = Reservation.get_by_id(reservation.id)
    assert (moved.slot_id, moved.people, moved.status) == (new_slot.id, 2, "booked")
    assert [Slot.get_by_id(slot.id).booked for slot in (old_slot, new_slot)] == [0, 2]
