import datetime
import json
import re

import pytest

from models import AuditLog, Reservation, Slot
from rules.clock import today
from tests.factories import gen_card, gen_location, gen_reservation, gen_slot, gen_user

TOMORROW = today() + datetime.timedelta(days=1)


@pytest.fixture
def clerk(auth, database):
    gen_user("clerk", login="suzuki")
    auth.login("suzuki")
    return auth


def details(slot, **fields):
    return {
        "slot_id": slot.id,
        "purpose": "apply",
        "submission_token": f"token-{slot.id}-{len(fields)}",
        "channel": "phone",
        "name": "安芸　花子",
        "kana": "あき　はなこ",
        "birth_date": "1980-04-01",
        "phone": "0887-35-0000",
        "people": "1",
        **fields,
    }


def desk_url(slot, purpose="apply"):
    return f"/admin/booking_desk/?location={slot.location_id}&purpose={purpose}&day={slot.date}&slot={slot.id}"


def test_phone_booking_from_live_availability(client, clerk):
    """Does a clerk see the slot's free seats, book it by phone, and get the number, with the write audited?"""
    slot = gen_slot(day=TOMORROW, capacity=3)
    page = client.get(desk_url(slot)).get_data(as_text=True)
    assert "残り3/3" in page
    response = clerk.post(desk_url(slot), details(slot))
    assert response.status_code == 302
    reservation = Reservation.get()
    assert (reservation.channel, reservation.kana, reservation.created_by.login) == ("phone", "アキ　ハナコ", "suzuki")
    assert Slot.get_by_id(slot.id).booked == 1
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert reservation.number in done
    assert AuditLog.get(AuditLog.action == "create").object_id == str(reservation.id)


def test_phone_bookings_may_use_the_reserved_seats(client, clerk):
    """Can staff book the seats held back from the web?"""
    slot = gen_slot(day=TOMORROW, capacity=2, phone_reserved=1, booked=1)
    assert clerk.post(desk_url(slot), details(slot)).status_code == 302
    assert Slot.get_by_id(slot.id).booked == 2


def test_duplicate_needs_an_audited_override(client, clerk):
    """Is a duplicate shown as a warning that writes nothing, and booked only with the override, audited?"""
    slot = gen_slot(day=TOMORROW)
    gen_reservation(
        slot=gen_slot(day=TOMORROW + datetime.timedelta(days=2)),
        kana="アキ　ハナコ",
        birth_date=datetime.date(1980, 4, 1),
    )
    page = clerk.post(desk_url(slot), details(slot)).get_data(as_text=True)
    assert 'id="warnings"' in page and "上の警告を確認したうえで登録する" in page
    assert Reservation.select().count() == 1
    assert clerk.post(desk_url(slot), details(slot, override="y")).status_code == 302
    assert Reservation.select().count() == 2
    override = AuditLog.get(AuditLog.action == "override")
    assert "duplicate" in override.detail


def test_collect_booking_with_a_card_not_ready_shows_why(client, clerk):
    """Does a 交付 booking whose card is not ready say why, and need the override?"""
    slot = gen_slot(day=TOMORROW)
    gen_card(
        notice_number="ABC-123456", birth_date=datetime.date(1980, 4, 1), stage="inspected", location=slot.location
    )
    form = details(slot, purpose="collect", notice_number="ＡＢＣ１２３４５６")
    page = clerk.post(desk_url(slot, "collect"), form).get_data(as_text=True)
    warning = page[page.index('id="warnings"') : page.index("</ul>", page.index('id="warnings"'))]
    assert "交付通知書" in warning or "カード" in warning
    assert Reservation.select().count() == 0
    clerk.post(desk_url(slot, "collect"), {**form, "override": "y"})
    assert Reservation.get().notice_number == "ABC-123456"


def test_bad_input_is_named_and_nothing_is_written(client, clerk):
    """Are invalid kana, a future birth date and a full slot refused with Japanese messages, writing nothing?"""
    slot = gen_slot(day=TOMORROW, capacity=1)
    kana = clerk.post(desk_url(slot), details(slot, kana="Yamada")).get_data(as_text=True)
    assert "フリガナ" in re.sub(r"<[^>]+>", "", kana.split('class="invalid-feedback"')[1])
    future = clerk.post(desk_url(slot), details(slot, birth_date="2999-01-01")).get_data(as_text=True)
    assert "生年月日" in future.split('class="invalid-feedback"')[1]
    gen_reservation(slot=slot)
    Slot.update(booked=1).where(Slot.id == slot.id).execute()
    full = clerk.post(desk_url(slot), details(slot, kana="ヤマダ　タロウ"), follow_redirects=True)
    assert "満" in full.get_data(as_text=True)
    assert Reservation.select().count() == 1 and Slot.get_by_id(slot.id).booked == 1


def test_double_submit_books_once(client, clerk):
    """Does posting the same form twice create one booking?"""
    slot = gen_slot(day=TOMORROW)
    clerk.post(desk_url(slot), details(slot))
    clerk.post(desk_url(slot), details(slot))
    assert Reservation.select().count() == 1 and Slot.get_by_id(slot.id).booked == 1


def test_viewer_cannot_open_the_desk(client, auth, database):
    """Is the booking desk closed to a viewer?"""
    gen_location()
    gen_user("viewer", login="miru")
    auth.login("miru")
    assert client.get("/admin/booking_desk/").status_code == 403


def test_staff_move_a_booking_to_another_slot(client, clerk):
    """Does a clerk move a booking to another time and people count, with seats moved and the change audited?"""
    location = gen_location()
    old_slot = gen_slot(location=location, day=TOMORROW, booked=1)
    new_slot = gen_slot(location=location, day=TOMORROW, start=datetime.time(14, 0), capacity=3)
    reservation = gen_reservation(slot=old_slot)
    listing = client.get("/admin/reservation/").get_data(as_text=True)
    assert f"/admin/booking_desk/change/{reservation.id}" in listing
    url = f"/admin/booking_desk/change/{reservation.id}?day={TOMORROW}&slot={new_slot.id}"
    assert "予約の日時変更" in client.get(url).get_data(as_text=True)
    assert clerk.post(url, {"slot_id": new_slot.id, "people": "2"}).status_code == 302
    moved = Reservation.get_by_id(reservation.id)
    assert (moved.slot_id, moved.people) == (new_slot.id, 2)
    assert (Slot.get_by_id(old_slot.id).booked, Slot.get_by_id(new_slot.id).booked) == (0, 2)
    row = AuditLog.get(AuditLog.action == "update")
    assert json.loads(row.changes) == {"people": [1, 2], "slot": [old_slot.id, new_slot.id]}


def test_change_to_a_full_slot_is_refused(client, clerk):
    """Is a move into a full slot refused with a message, leaving the booking where it was?"""
    location = gen_location()
    old_slot = gen_slot(location=location, day=TOMORROW, booked=1)
    full = gen_slot(location=location, day=TOMORROW, start=datetime.time(14, 0), capacity=1, booked=1)
    reservation = gen_reservation(slot=old_slot)
    url = f"/admin/booking_desk/change/{reservation.id}?day={TOMORROW}&slot={full.id}"
    page = clerk.post(url, {"slot_id": full.id, "people": "1"}, follow_redirects=True).get_data(as_text=True)
    assert "満" in page
    assert Reservation.get_by_id(reservation.id).slot_id == old_slot.id
    assert (Slot.get_by_id(old_slot.id).booked, Slot.get_by_id(full.id).booked) == (1, 1)
