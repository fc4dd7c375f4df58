import datetime

from models import Reservation
from rules.checkin import mark_no_shows, mark_visited, undo_visit
from tests.factories import gen_location, gen_reservation, gen_slot

DAY = datetime.date(2026, 12, 7)


def at(hour, minute=0):
    return datetime.datetime.combine(DAY, datetime.time(hour, minute))


def test_no_shows_follow_the_clock(database):
    """Does a booking become 不来庁 exactly when its slot has ended, and never for a later day?"""
    location = gen_location()
    booking = gen_reservation(slot=gen_slot(location=location, day=DAY, start=datetime.time(9, 0)))
    assert mark_no_shows(location.id, DAY, at(9, 29)) == 0
    assert mark_no_shows(location.id, DAY, at(9, 30)) == 1
    assert Reservation.get_by_id(booking.id).status == "no_show"
    assert mark_no_shows(location.id, DAY, at(8) - datetime.timedelta(days=1)) == 0


def test_visit_only_from_waiting(database):
    """Can only a waiting (or no-show) booking be marked 来庁済, and only a visited one be undone?"""
    booking = gen_reservation(slot=gen_slot(day=DAY), status="cancelled")
    assert mark_visited(booking.id, at(10)) == 0
    assert undo_visit(booking.id) == 0
    late = gen_reservation(slot=gen_slot(day=DAY), status="no_show")
    assert mark_visited(late.id, at(10)) == 1
    assert Reservation.get_by_id(late.id).checked_in_at == at(10)
