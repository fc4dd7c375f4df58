import datetime
import email
import email.policy
import re
import time

import pytest
from flask import template_rendered
from playhouse.test_utils import count_queries

from models import Reservation, Slot
from rules import settings
from rules.clock import today
from tests.factories import gen_announcement, gen_card, gen_location, gen_reservation, gen_slot
from tests.public_site.helpers import BIRTH, book, confirm_form, csrf_token, post_details

IN_THREE_DAYS = today() + datetime.timedelta(days=3)


def nothing_written():
    return Reservation.select().count() == 0 and Slot.select().where(Slot.booked > 0).count() == 0


def test_top_page_offers_the_three_purposes(client, database):
    """Does the top page offer 申請, 交付 and 電子証明書更新, and the look-up?"""
    page = client.get("/").get_data(as_text=True)
    for label in ("申請", "交付(受取)", "電子証明書更新", "予約の確認・変更・取消"):
        assert label in page
    assert 'href="/book/collect"' in page


def test_calendar_shows_availability_marks(client, database):
    """Does the month calendar link a free day (○) and a nearly full one (△), but not a full one (×)?"""
    location = gen_location()
    free = gen_slot(location=location, day=IN_THREE_DAYS, capacity=4)
    gen_slot(location=location, day=IN_THREE_DAYS + datetime.timedelta(days=1), capacity=4, booked=3)
    gen_slot(location=location, day=IN_THREE_DAYS + datetime.timedelta(days=2), capacity=4, booked=4)
    page = client.get(f"/book/apply/{location.id}?month={IN_THREE_DAYS:%Y-%m}").get_data(as_text=True)
    assert f'href="/book/apply/{location.id}/{free.date}"' in page
    assert "空きあり" in page
    times = client.get(f"/book/apply/{location.id}/{free.date}").get_data(as_text=True)
    assert f"/book/details?purpose=apply&amp;slot={free.id}" in times and "残り4人" in times


def test_calendar_month_outside_the_window_is_clamped(client, database):
    """Does asking for a month far away show the last month of the window instead?"""
    location = gen_location()
    page = client.get(f"/book/apply/{location.id}?month=2099-01").get_data(as_text=True)
    last = today() + datetime.timedelta(days=settings.get("booking_window_end_days"))
    assert f"{last.year}年{last.month}月" in page and "次の月" not in page


def test_resident_books_and_gets_a_number(client, database, tmp_path):
    """Does the full flow book a visit, show the number and a summary, and offer an .ics file?"""
    slot = gen_slot(day=IN_THREE_DAYS)
    response = book(client, slot, email="hanako@example.jp")
    assert response.status_code == 302 and response.headers["Location"].endswith("/book/done")
    reservation = Reservation.get()
    page = client.get("/book/done").get_data(as_text=True)
    assert "予約が完了しました" in page and reservation.number in page
    calendar_file = client.get("/book/done/visit.ics")
    assert calendar_file.mimetype == "text/calendar" and f"UID:{reservation.number}@kofu" in calendar_file.text
    [mail] = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
    assert message["To"] == "hanako@example.jp" and reservation.number in message.get_body(("plain",)).get_content()


def test_double_submitted_form_books_once(client, database):
    """Does posting the confirm form twice create one booking and show the same number twice?"""
    slot = gen_slot(day=IN_THREE_DAYS, capacity=4)
    form = confirm_form(client, slot)
    first = client.post("/book/confirm", data=form)
    first_page = client.get("/book/done").get_data(as_text=True)
    second = client.post("/book/confirm", data=form)
    second_page = client.get("/book/done").get_data(as_text=True)
    assert first.status_code == second.status_code == 302
    assert Reservation.select().count() == 1 and Slot.get_by_id(slot.id).booked == 1
    number = Reservation.get().number
    assert number in first_page and number in second_page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kana": "Aki Hanako"}, "kana", "フリガナはカタカナ"),
        ({"birth_date": "2999-01-01"}, "birth_date", "生年月日に未来の日付"),
        ({"birth_date": "1980-02-30"}, "birth_date", "正しい日付"),
        ({"people": "9"}, "people", "人数は5人まで"),
        ({"name": "安" * 101}, "name", "氏名は100文字以内"),
        ({"phone": "12"}, "phone", "電話番号は"),
        ({"email": "hanako@"}, "email", "メールアドレスの形式"),
        ({"consent": ""}, "consent", "チェックを入れてください"),
    ],
)
def test_bad_details_show_an_error_summary(client, database, fields, field, message):
    """Is each bad detail listed at the top, linked to its field, with nothing written?"""
    slot = gen_slot(day=IN_THREE_DAYS)
    page = post_details(client, slot, **fields).get_data(as_text=True)
    summary = page[page.index('class="error-summary"') : page.index("</div>", page.index('class="error-summary"'))]
    assert f'href="#{field}"' in summary and message in summary
    assert 'aria-invalid="true"' in page
    assert nothing_written()


@pytest.mark.parametrize(
    ("tampered", "message"),
    [
        ({"slot": "999999"}, "選択された日時の枠が見つかりません"),
        ({"slot": "1 OR 1=1"}, "選択された日時の枠が見つかりません"),
        ({"purpose": "party"}, "予約の種類が正しくありません"),
        ({"purpose": "collect"}, "交付通知書番号"),
        ({"submission_token": "<script>"}, "最初からやり直してください"),
        ({"submission_token": ""}, "最初からやり直してください"),
    ],
)
def test_tampered_hidden_field_is_refused(client, database, tampered, message):
    """Does a tampered hidden field of the confirm form get a clear message, writing nothing?"""
    slot = gen_slot(day=IN_THREE_DAYS, purposes="apply")
    form = confirm_form(client, slot)
    page = client.post("/book/confirm", data={**form, **tampered}).get_data(as_text=True)
    assert message in page and "error-summary" in page
    assert nothing_written()


def test_slot_filled_meanwhile_is_refused_at_confirmation(client, database):
    """Is a slot that became full between confirm page and submit refused with a clear message?"""
    slot = gen_slot(day=IN_THREE_DAYS, capacity=1)
    form = confirm_form(client, slot)
    Slot.update(booked=1).where(Slot.id == slot.id).execute()
    page = client.post("/book/confirm", data=form).get_data(as_text=True)
    assert "満席になりました" in page and Reservation.select().count() == 0


def test_closed_and_past_slots_are_refused(client, database):
    """Are a closed slot and a past slot refused on the details step?"""
    closed = gen_slot(day=IN_THREE_DAYS, closed=True)
    past = gen_slot(day=today() - datetime.timedelta(days=2))
    assert "受付を停止しています" in post_details(client, closed).get_data(as_text=True)
    assert "過ぎています" in post_details(client, past).get_data(as_text=True)
    assert nothing_written()


def test_duplicate_is_refused(client, database):
    """Is a second 申請 booking of the same person refused with a clear message?"""
    gen_reservation(slot=gen_slot(day=IN_THREE_DAYS), kana="アキ ハナコ", birth_date=datetime.date(1980, 4, 1))
    page = post_details(client, gen_slot(day=IN_THREE_DAYS + datetime.timedelta(days=1))).get_data(as_text=True)
    assert "既にあります" in page and Reservation.select().count() == 1


def test_collect_booking_with_full_width_notice_number(client, database):
    """Is a 交付 booking accepted with the notice number typed in full width without the hyphen?"""
    slot = gen_slot(day=IN_THREE_DAYS)
    gen_card(stage="notified", location=slot.location, birth_date=datetime.date(1980, 4, 1), notice_number="A1B-123456")
    response = book(client, slot, purpose="collect", notice_number="Ａ１Ｂ１２３４５６")
    assert response.status_code == 302 and Reservation.get().notice_number == "A1B-123456"


def test_unknown_notice_number_is_refused_with_the_phone(client, database):
    """Is an unknown 交付通知書 number refused with the reason and the counter's phone number?"""
    slot = gen_slot(day=IN_THREE_DAYS)
    page = post_details(client, slot, purpose="collect", notice_number="ZZZ-999999").get_data(as_text=True)
    assert 'href="#notice_number"' in page and settings.get("counter_phone") in page
    assert nothing_written()


def test_honeypot_stops_a_bot(client, database):
    """Is a form with the hidden ホームページ field filled refused without booking?"""
    slot = gen_slot(day=IN_THREE_DAYS)
    assert post_details(client, slot, website="http://spam.example").status_code == 400
    form = confirm_form(client, slot)
    assert client.post("/book/confirm", data={**form, "website": "x"}).status_code == 400
    assert nothing_written()


def test_edit_button_returns_to_the_filled_form(client, database):
    """Does 修正する bring back the details form with what was typed?"""
    slot = gen_slot(day=IN_THREE_DAYS)
    form = confirm_form(client, slot)
    page = client.post("/book/confirm", data={**form, "action": "edit"}).get_data(as_text=True)
    assert "お客様の情報を入力してください" in page and 'value="安芸 花子"' in page
    assert "error-summary" not in page and nothing_written()


def look_up(client, number, birth_date=BIRTH):
    token = csrf_token(client.get("/reservation").get_data(as_text=True))
    return client.post("/reservation", data={"number": number, "birth_date": birth_date, "csrf_token": token})


def test_look_up_and_cancel(client, database):
    """Can a resident find the booking with number and birth date, and cancel it?"""
    slot = gen_slot(day=IN_THREE_DAYS)
    book(client, slot)
    number = Reservation.get().number
    assert look_up(client, number.lower().replace("-", "")).headers["Location"].endswith("/reservation/detail")
    detail = client.get("/reservation/detail").get_data(as_text=True)
    assert number in detail and "予約を取り消す" in detail
    assert f"UID:{number}@kofu" in client.get("/reservation/visit.ics").text
    token = csrf_token(client.get("/reservation/cancel").get_data(as_text=True))
    page = client.post("/reservation/cancel", data={"csrf_token": token}).get_data(as_text=True)
    assert "予約を取り消しました" in page
    assert Reservation.get().status == "cancelled" and Slot.get_by_id(slot.id).booked == 0


def test_look_up_with_wrong_birth_date_fails(client, database):
    """Is a look-up with the wrong birth date refused without saying which part was wrong?"""
    book(client, gen_slot(day=IN_THREE_DAYS))
    page = look_up(client, Reservation.get().number, "1980-04-02").get_data(as_text=True)
    assert "予約番号または生年月日が正しくありません" in page
    assert client.get("/reservation/detail").status_code == 302


def test_the_cookie_names_no_booking_and_forgets_it(app, client, database, monkeypatch):
    """Does the session cookie hold neither the number nor the birth date, and stop showing the
    booking after a quarter of an hour unused, or at once when the resident ends the look-up?"""
    book(client, gen_slot(day=IN_THREE_DAYS))
    number = Reservation.get().number
    look_up(client, number)
    cookie = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)
    assert set(cookie["lookup"]) == {"id", "seen"} and number not in str(cookie) and BIRTH not in str(cookie)
    assert client.get("/reservation/detail").status_code == 200
    later = time.time() + 16 * 60
    monkeypatch.setattr("public_site.routes.time.time", lambda: later)
    assert client.get("/reservation/detail").headers["Location"].endswith("/reservation")
    monkeypatch.undo()

    look_up(client, number)
    page = client.get("/reservation/detail").get_data(as_text=True)
    assert client.post("/reservation/forget").status_code == 400
    ended = client.post("/reservation/forget", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "予約の表示を終えました" in ended.get_data(as_text=True)
    assert client.get("/reservation/detail").status_code == 302
    assert client.get("/book/done/visit.ics").status_code == 404


def test_change_moves_the_booking(client, database):
    """Can a resident move the booking to another time, taking the new seats?"""
    slot = gen_slot(day=IN_THREE_DAYS, capacity=3)
    later = gen_slot(location=slot.location, day=IN_THREE_DAYS, start=datetime.time(10, 0), capacity=3)
    book(client, slot)
    look_up(client, Reservation.get().number)
    times = client.get(f"/reservation/change/{later.date}").get_data(as_text=True)
    assert f"/reservation/change/confirm?slot={later.id}" in times
    page = client.get(f"/reservation/change/confirm?slot={later.id}").get_data(as_text=True)
    response = client.post(
        "/reservation/change/confirm", data={"slot": later.id, "people": "2", "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    assert "予約を変更しました" in client.get(response.headers["Location"]).get_data(as_text=True)
    reservation = Reservation.get()
    assert (reservation.slot_id, reservation.people) == (later.id, 2)
    assert (Slot.get_by_id(slot.id).booked, Slot.get_by_id(later.id).booked) == (0, 2)


def test_after_the_deadline_only_the_phone_helps(client, database):
    """Once the deadline has passed, does the page point to the phone and refuse a cancellation?"""
    slot = gen_slot(day=today() + datetime.timedelta(days=1), start=datetime.time(23, 30))
    gen_reservation(slot=slot, number="ABCD-2345", birth_date=datetime.date(1980, 4, 1))
    Slot.update(booked=1).where(Slot.id == slot.id).execute()
    settings.put("cancel_deadline_days_before", "2")
    look_up(client, "ABCD-2345")
    assert "受付期限を過ぎています" in client.get("/reservation/detail").get_data(as_text=True)
    token = csrf_token(client.get("/reservation/cancel").get_data(as_text=True))
    page = client.post("/reservation/cancel", data={"csrf_token": token}).get_data(as_text=True)
    assert "受付期限" in page and Reservation.get().status == "booked"


def test_pages_work_without_javascript_and_are_japanese(client, database):
    """Are the booking pages in Japanese with labelled fields, and free of scripts except the print button?"""
    slot = gen_slot(day=IN_THREE_DAYS, purposes="collect")
    page = client.get(f"/book/details?purpose=collect&slot={slot.id}").get_data(as_text=True)
    assert '<html lang="ja">' in page and "<script" not in page
    for field in ("name", "kana", "birth_date", "phone", "email", "people", "notice_number", "consent"):
        assert f'<label for="{field}">' in page
    assert re.search(r'<input[^>]*name="website"[^>]*tabindex="-1"', page)


def test_public_announcement_shows_on_booking_pages(client, database):
    """Does a public maintenance notice appear on the booking pages too?"""
    gen_announcement(title="12月20日はシステム停止", audience="public", maintenance=True)
    slot = gen_slot(day=IN_THREE_DAYS)
    for url in (f"/book/apply/{slot.location_id}", f"/book/details?purpose=apply&slot={slot.id}", "/reservation"):
        assert "【メンテナンス】12月20日はシステム停止" in client.get(url).get_data(as_text=True)


def test_cancellation_is_confirmed_by_mail(client, database, tmp_path):
    """When a resident with an e-mail address cancels, is a second mail about the cancellation sent?"""
    book(client, gen_slot(day=IN_THREE_DAYS), email="hanako@example.jp")
    look_up(client, Reservation.get().number)
    token = csrf_token(client.get("/reservation/cancel").get_data(as_text=True))
    client.post("/reservation/cancel", data={"csrf_token": token})
    mails = [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted((tmp_path / "outbox").glob("*.eml"))
    ]
    assert len(mails) == 2
    cancelled = next(mail for mail in mails if "取消" in mail["Subject"])
    assert "取消を受け付けました" in cancelled.get_body(("plain",)).get_content()
    assert not list(cancelled.iter_attachments())


def test_calendar_and_times_are_rendered_once_a_second(app, client, database, monkeypatch):
    """When a month opens, is the calendar (and a day's times) rendered once and then shared for a
    second, with a booking made meanwhile showing after that second?"""
    slot = gen_slot(day=IN_THREE_DAYS, capacity=1)
    month_url = f"/book/apply/{slot.location_id}?month={IN_THREE_DAYS:%Y-%m}"
    times_url = f"/book/apply/{slot.location_id}/{slot.date}"
    first_month, first_times = client.get(month_url).text, client.get(times_url).text
    rendered = []

    def record(_sender, template, **_extra):
        rendered.append(template)

    with template_rendered.connected_to(record, app), count_queries() as counter:
        assert client.get(month_url).text == first_month and client.get(times_url).text == first_times
    assert rendered == [] and counter.count == 0
    Slot.update(booked=1).where(Slot.id == slot.id).execute()
    later = time.monotonic() + 1.1
    monkeypatch.setattr("rules.recent.time.monotonic", lambda: later)
    assert f'href="{times_url}"' in first_month and f'href="{times_url}"' not in client.get(month_url).text
    assert "残り1人" in first_times and "残り1人" not in client.get(times_url).text


def test_shared_pages_carry_no_session(client, database):
    """Does a shared calendar page leave the resident's session alone (no cookie is set)?"""
    location = gen_location()
    response = client.get(f"/book/apply/{location.id}")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
