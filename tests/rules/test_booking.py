import datetime
import threading

import pytest
from playhouse.shortcuts import model_to_dict

from models import Reservation, Slot, db
from rules import booking, settings
from rules.booking import Applicant, BookingError, OverrideNeeded
from rules.clock import today
from tests.factories import gen_card, gen_location, gen_reservation, gen_slot

BIRTH = datetime.date(1980, 4, 1)
TOMORROW = today() + datetime.timedelta(days=1)
# Past tomorrow: a resident may change or cancel at any hour of today (the deadline is 17:00 the day before).
CHANGEABLE = today() + datetime.timedelta(days=3)


def applicant(**fields):
    defaults = {"name": "安芸 花子", "kana": "あき はなこ", "birth_date": BIRTH, "phone": "0887-35-1000"}
    return Applicant(**{**defaults, **fields})


def seats(slot):
    return Slot.get_by_id(slot.id).booked


def refused(code, field, call):
    """Run ``call`` expecting a refusal; check that nothing was written; return the error."""
    reservations, booked = Reservation.select().count(), Slot.select(Slot.booked).tuples()[:]
    with pytest.raises(BookingError) as caught:
        call()
    assert (caught.value.code, caught.value.field) == (code, field)
    assert Reservation.select().count() == reservations
    assert Slot.select(Slot.booked).tuples()[:] == booked
    return caught.value


def ready_card(location, **fields):
    return gen_card(**{"stage": "notified", "location": location, "birth_date": BIRTH, **fields})


def test_web_booking_takes_seats_and_normalises_the_person(database):
    """Does a web booking store a number, the katakana name and take its seats?"""
    slot = gen_slot(capacity=4)
    result = booking.book(slot.id, "apply", applicant(people=2, email="hanako@example.jp"))
    reservation = Reservation.get_by_id(result.reservation.id)
    assert result.created and result.overridden == []
    assert len(reservation.number) == 9 and reservation.channel == "web" and reservation.status == "booked"
    assert reservation.kana == "アキ\u3000ハナコ" and reservation.kana_key == "アキハナコ"
    assert seats(slot) == 2


def test_booking_returns_the_row_it_stored(database):
    """Is the reservation ``book`` returns, built before its insert, the same as the stored row?"""
    slot = gen_slot()
    returned = booking.book(slot.id, "apply", applicant(), submission_token="token-1").reservation
    stored = Reservation.get_by_id(returned.id)
    assert model_to_dict(returned, recurse=False) == model_to_dict(stored, recurse=False)
    assert returned.slot.location.name == stored.slot.location.name


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"kana": "Aki Hanako"}, "invalid_kana", "kana"),
        ({"kana": "安芸花子"}, "invalid_kana", "kana"),
        ({"birth_date": today() + datetime.timedelta(days=1)}, "future_birth_date", "birth_date"),
        ({"people": 6}, "too_many_people", "people"),
        ({"people": 0}, "invalid_people", "people"),
        ({"name": "安" * 101}, "too_long", "name"),
        ({"kana": "ア" * 101}, "too_long", "kana"),
        ({"email": "a" * 250 + "@example.jp"}, "too_long", "email"),
        ({"email": "not-an-address"}, "invalid_email", "email"),
        ({"phone": "0887"}, "invalid_phone", "phone"),
        ({"phone": "0" * 21}, "too_long", "phone"),
        ({"name": ""}, "required", "name"),
    ],
)
def test_bad_details_are_refused_naming_the_field(database, fields, code, field):
    """Is each bad detail refused with a Japanese message naming its field, writing nothing?"""
    slot = gen_slot()
    error = refused(code, field, lambda: booking.book(slot.id, "apply", applicant(**fields)))
    assert booking.FIELD_LABELS[field] in error.message


def test_past_slot_is_refused(database):
    """Is a slot from yesterday refused?"""
    slot = gen_slot(day=today() - datetime.timedelta(days=1))
    refused("slot_past", "slot", lambda: booking.book(slot.id, "apply", applicant()))


def test_closed_slot_is_refused(database):
    """Is a closed slot refused?"""
    slot = gen_slot(closed=True)
    refused("slot_closed", "slot", lambda: booking.book(slot.id, "apply", applicant()))


def test_full_slot_is_refused(database):
    """Is a slot whose seats are all booked refused?"""
    slot = gen_slot(capacity=2, booked=2)
    refused("slot_full", "slot", lambda: booking.book(slot.id, "apply", applicant()))


def test_more_people_than_free_seats_is_refused(database):
    """Are three people refused when two seats are left?"""
    slot = gen_slot(capacity=3, booked=1)
    refused("slot_full", "slot", lambda: booking.book(slot.id, "apply", applicant(people=3)))


@pytest.mark.parametrize("slot_id", [999999, "abc", None, "-1"])
def test_unknown_slot_id_is_refused(database, slot_id):
    """Is a slot id that does not exist (or is not a number) refused?"""
    gen_slot()
    refused("slot_not_found", "slot", lambda: booking.book(slot_id, "apply", applicant()))


def test_slot_of_inactive_location_is_refused(database):
    """Is a slot at a location no longer in use refused?"""
    slot = gen_slot(location=gen_location(active=False))
    refused("slot_not_found", "slot", lambda: booking.book(slot.id, "apply", applicant()))


def test_purpose_mismatch_is_refused(database):
    """Is a 申請 booking refused in a slot that only takes 交付?"""
    slot = gen_slot(purposes="collect")
    error = refused("purpose_mismatch", "slot", lambda: booking.book(slot.id, "apply", applicant()))
    assert "申請" in error.message


def test_unknown_purpose_is_refused(database):
    """Is a purpose outside the list refused?"""
    slot = gen_slot()
    refused("unknown_purpose", "purpose", lambda: booking.book(slot.id, "party", applicant()))


def test_web_booking_outside_the_window_is_refused(database):
    """Are today and the day after the window's end refused on the web?"""
    today_slot = gen_slot(day=today(), start=datetime.time(23, 59))
    late_slot = gen_slot(day=today() + datetime.timedelta(days=61))
    refused("outside_window", "slot", lambda: booking.book(today_slot.id, "apply", applicant()))
    refused("outside_window", "slot", lambda: booking.book(late_slot.id, "apply", applicant()))


def test_window_follows_the_settings(database):
    """Does widening the window in the settings let a slot 70 days ahead be booked?"""
    settings.put("booking_window_end_days", "90")
    slot = gen_slot(day=today() + datetime.timedelta(days=70))
    assert booking.book(slot.id, "apply", applicant()).created


def test_phone_reserved_seats_are_for_staff_only(database):
    """Are the seats kept for phone bookings closed to the web but open to phone staff?"""
    slot = gen_slot(capacity=3, phone_reserved=1, booked=2)
    refused("slot_full", "slot", lambda: booking.book(slot.id, "apply", applicant()))
    assert booking.book(slot.id, "apply", applicant(), channel="phone").created
    assert seats(slot) == 3


def test_duplicate_is_refused_on_the_web(database):
    """Is the same person (kana in another form, same birth date) refused a second 申請 booking?"""
    gen_reservation(slot=gen_slot(), kana="アキ　ハナコ", birth_date=BIRTH, purpose="apply")
    other = gen_slot(day=TOMORROW + datetime.timedelta(days=1))
    error = refused("duplicate", "kana", lambda: booking.book(other.id, "apply", applicant(kana="ｱｷﾊﾅｺ")))
    assert "既に" in error.message


def test_other_purpose_or_cancelled_booking_is_no_duplicate(database):
    """Are a booking for another purpose and a cancelled one no obstacle?"""
    gen_reservation(kana="アキ ハナコ", birth_date=BIRTH, purpose="renew_cert")
    gen_reservation(kana="アキ ハナコ", birth_date=BIRTH, purpose="apply", status="cancelled")
    assert booking.book(gen_slot().id, "apply", applicant()).created


def test_staff_duplicate_needs_an_override(database):
    """Does a phone booking for a duplicate warn first, and pass with an explicit override?"""
    gen_reservation(kana="アキ ハナコ", birth_date=BIRTH, purpose="apply")
    slot = gen_slot()
    with pytest.raises(OverrideNeeded) as caught:
        booking.book(slot.id, "apply", applicant(), channel="phone")
    assert [warning.code for warning in caught.value.warnings] == ["duplicate"]
    assert Reservation.select().count() == 1
    result = booking.book(slot.id, "apply", applicant(), channel="phone", override=True)
    assert result.created and result.overridden == ["duplicate"]


def test_collect_booking_matches_the_ledger(database):
    """Is a 交付 booking with a ready card at this location accepted, in full-width without hyphen?"""
    slot = gen_slot()
    card = ready_card(slot.location, notice_number="A1B-123456")
    result = booking.book(slot.id, "collect", applicant(notice_number="ａ１ｂ１２３４５６"))
    assert result.reservation.notice_number == "A1B-123456" and result.reservation.card_id == card.id


@pytest.mark.parametrize(
    ("notice", "card_fields", "code"),
    [
        ("ZZZ-999999", {}, "notice_unknown"),
        ("A1B-123456", {"birth_date": datetime.date(1990, 1, 1)}, "notice_unknown"),
        ("A1B-123456", {"stage": "preset"}, "notice_not_ready"),
        ("A1B-123456", {"stage": "issued"}, "notice_not_ready"),
        ("A1B-12345", {}, "invalid_notice_number"),
        ("", {}, "required"),
    ],
)
def test_collect_booking_failing_the_ledger_is_refused(database, notice, card_fields, code):
    """Is an unknown, mistyped or not-ready 交付通知書 refused, with the counter's phone number?"""
    slot = gen_slot()
    ready_card(slot.location, **{"notice_number": "A1B-123456", **card_fields})
    error = refused(code, "notice_number", lambda: booking.book(slot.id, "collect", applicant(notice_number=notice)))
    assert "交付通知書番号" in error.message
    if code.startswith("notice_"):
        assert settings.get("counter_phone") in error.message


def test_collect_booking_at_another_location_is_refused(database):
    """Is a card stored at the main office refused for a slot at a branch?"""
    slot = gen_slot()
    ready_card(gen_location(), notice_number="A1B-123456")
    refused(
        "notice_wrong_location",
        "notice_number",
        lambda: booking.book(slot.id, "collect", applicant(notice_number="A1B123456")),
    )


def test_staff_may_override_a_ledger_failure(database):
    """Does a phone booking for a card not yet ready pass with an override, naming what it passed over?"""
    slot = gen_slot()
    ready_card(slot.location, notice_number="A1B-123456", stage="preset")
    with pytest.raises(OverrideNeeded):
        booking.book(slot.id, "collect", applicant(notice_number="A1B-123456"), channel="phone")
    result = booking.book(slot.id, "collect", applicant(notice_number="A1B-123456"), channel="phone", override=True)
    assert result.overridden == ["notice_not_ready"]


def test_same_submission_token_books_once(database):
    """Does a re-posted form (same token) return the first booking instead of a second one?"""
    slot = gen_slot(capacity=4)
    first = booking.book(slot.id, "apply", applicant(), submission_token="token-1")
    again = booking.book(slot.id, "apply", applicant(), submission_token="token-1")
    assert again.reservation.id == first.reservation.id and not again.created
    assert Reservation.select().count() == 1 and seats(slot) == 1


def test_find_needs_number_and_birth_date(database):
    """Is a booking found by its number in any form, and only with the right birth date?"""
    reservation = booking.book(gen_slot().id, "apply", applicant()).reservation
    sloppy = reservation.number.lower().replace("-", " ")
    assert booking.find(sloppy, BIRTH).id == reservation.id
    assert booking.find(reservation.number, datetime.date(1980, 4, 2)) is None


def test_cancel_gives_the_seats_back(database):
    """Does cancelling mark the booking cancelled and free its seats, once only?"""
    slot = gen_slot(day=CHANGEABLE, capacity=4)
    reservation = booking.book(slot.id, "apply", applicant(people=3)).reservation
    booking.cancel(reservation.number, BIRTH)
    assert Reservation.get_by_id(reservation.id).status == "cancelled" and seats(slot) == 0
    refused("reservation_not_active", "number", lambda: booking.cancel(reservation.number, BIRTH))


def test_cancel_with_wrong_birth_date_is_refused(database):
    """Is a cancellation with the wrong birth date refused?"""
    reservation = booking.book(gen_slot().id, "apply", applicant()).reservation
    refused("reservation_not_found", "number", lambda: booking.cancel(reservation.number, datetime.date(2000, 1, 1)))


def test_cancel_after_the_deadline_is_refused_on_the_web(database):
    """Is a resident refused after 17:00 the day before, while staff may still cancel?"""
    reservation = booking.book(gen_slot().id, "apply", applicant()).reservation
    late = datetime.datetime.combine(today(), datetime.time(17, 0))
    error = refused("deadline_passed", "number", lambda: booking.cancel(reservation.number, BIRTH, at=late))
    assert "17:00" in error.message
    assert booking.cancel(reservation.number, BIRTH, channel="phone", at=late).status == "cancelled"


def test_change_moves_the_seats(database):
    """Does a change release the old seats and take the new ones?"""
    old, new = gen_slot(day=CHANGEABLE, capacity=4), gen_slot(day=CHANGEABLE, start=datetime.time(10, 0), capacity=4)
    reservation = booking.book(old.id, "apply", applicant(people=2)).reservation
    moved = booking.change(reservation.number, BIRTH, new.id, people=3).reservation
    assert moved.slot_id == new.id and moved.people == 3
    assert (seats(old), seats(new)) == (0, 3)


def test_change_within_the_same_full_slot(database):
    """May a booking in a slot it fills alone change its people from 2 to 1 there?"""
    slot = gen_slot(day=CHANGEABLE, capacity=2)
    reservation = booking.book(slot.id, "apply", applicant(people=2)).reservation
    booking.change(reservation.number, BIRTH, slot.id, people=1)
    assert seats(slot) == 1


def test_change_to_a_full_slot_keeps_the_old_booking(database):
    """Does a failed change leave the booking and both slots as they were?"""
    old, full = gen_slot(day=CHANGEABLE), gen_slot(day=CHANGEABLE, start=datetime.time(10, 0), capacity=2, booked=2)
    reservation = booking.book(old.id, "apply", applicant()).reservation
    refused("slot_full", "slot", lambda: booking.change(reservation.number, BIRTH, full.id))
    assert Reservation.get_by_id(reservation.id).slot_id == old.id


def test_change_of_collect_booking_rechecks_the_location(database):
    """Is a 交付 booking kept from moving to a location that does not hold the card?"""
    slot = gen_slot(day=CHANGEABLE)
    ready_card(slot.location, notice_number="A1B-123456")
    reservation = booking.book(slot.id, "collect", applicant(notice_number="A1B-123456")).reservation
    elsewhere = gen_slot(location=gen_location(), day=CHANGEABLE, purposes="collect")
    refused("notice_wrong_location", "notice_number", lambda: booking.change(reservation.number, BIRTH, elsewhere.id))


def test_day_availability_marks(database):
    """Does the calendar show ○ for a free day, △ for a nearly full one and × for a full one?"""
    location = gen_location()
    days = [TOMORROW + datetime.timedelta(days=n) for n in range(3)]
    for day, booked in zip(days, (0, 3, 4), strict=True):
        gen_slot(location=location, day=day, capacity=4, booked=booked)
    gen_slot(location=location, day=days[0], start=datetime.time(10, 0), purposes="collect")
    marks = booking.day_availability(location.id, "apply", days[0], days[-1])
    assert [marks[day].mark for day in days] == ["○", "△", "×"]
    assert marks[days[0]].free == 4


def test_slot_availability_web_and_staff_seats(database):
    """Does a slot show fewer free seats to the web than to staff when seats are kept for phone?"""
    slot = gen_slot(capacity=4, phone_reserved=1, booked=2)
    gen_slot(location=slot.location, start=datetime.time(10, 0), closed=True)
    [row] = booking.slot_availability(slot.location_id, "apply", slot.date)
    assert (row.id, row.web_free, row.staff_free) == (slot.id, 1, 2)


def test_booking_window_and_deadline_follow_the_settings(database):
    """Do the window and the change deadline come from the settings?"""
    at = datetime.datetime(2026, 12, 1, 9, 0)
    assert booking.booking_window(at) == (datetime.date(2026, 12, 2), datetime.date(2027, 1, 30))
    settings.put("cancel_deadline_hour", "12")
    assert booking.change_deadline(datetime.date(2026, 12, 10)) == datetime.datetime(2026, 12, 9, 12, 0)


def _race(slot_id, contenders, channel="web"):
    """``contenders`` threads book one seat each at once; returns the successes and the errors."""
    start = threading.Barrier(contenders)
    successes, errors = [], []

    def contender(number):
        start.wait()
        try:
            person = applicant(birth_date=datetime.date(1950, 1, 1) + datetime.timedelta(days=number))
            successes.append(booking.book(slot_id, "apply", person, channel=channel).reservation.id)
        except BookingError as error:
            errors.append(error.code)
        finally:
            db.close()

    threads = [threading.Thread(target=contender, args=(n,)) for n in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return successes, errors


def test_fifty_threads_race_for_the_last_two_seats(database):
    """When 50 residents book the last 2 seats at the same moment, do exactly 2 get one?"""
    slot = gen_slot(capacity=10, booked=8)
    db.close()
    successes, errors = _race(slot.id, 50)
    assert len(successes) == 2 and errors == ["slot_full"] * 48
    assert seats(slot) == 10
    assert Reservation.select().where(Reservation.slot == slot.id).count() == 2


def test_same_person_racing_in_two_slots_books_once(database):
    """When one person books two slots at the same moment, does the duplicate check still hold?"""
    slots = [gen_slot(start=datetime.time(9 + n, 0), capacity=10) for n in range(6)]
    db.close()
    start = threading.Barrier(len(slots))
    outcomes = []

    def contender(slot):
        start.wait()
        try:
            outcomes.append(booking.book(slot.id, "apply", applicant()).reservation.id)
        except BookingError as error:
            outcomes.append(error.code)
        finally:
            db.close()

    threads = [threading.Thread(target=contender, args=(slot,)) for slot in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str).count("duplicate") == len(slots) - 1
    assert Reservation.select().count() == 1


def test_same_token_racing_books_once(database):
    """When the same form is posted twice at the same moment, is one booking made?"""
    slot = gen_slot(capacity=10)
    db.close()
    results = []

    def post():
        try:
            results.append(booking.book(slot.id, "apply", applicant(), submission_token="same").reservation.id)
        finally:
            db.close()

    threads = [threading.Thread(target=post) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 5 and len(set(results)) == 1
    assert seats(slot) == 1


def test_check_writes_nothing(database):
    """Does ``check`` report a staff warning without writing anything?"""
    gen_reservation(kana="アキ ハナコ", birth_date=BIRTH, purpose="apply")
    slot = gen_slot()
    warnings = booking.check(slot.id, "apply", applicant(), channel="phone")
    assert [warning.code for warning in warnings] == ["duplicate"]
    assert seats(slot) == 0 and Reservation.select().count() == 1
