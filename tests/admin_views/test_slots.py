import datetime

from models import AuditLog, Reservation, Slot, SlotRule
from rules.clock import today
from tests.factories import gen_location, gen_reservation, gen_slot, gen_user

TOMORROW = today() + datetime.timedelta(days=1)


def test_generate_from_the_screen_and_see_the_week(client, supervisor):
    """Does a supervisor make the horizon's slots from the rules and see booked/capacity on the week grid?"""
    location = gen_location()
    SlotRule.create(
        location=location,
        weekdays="0,1,2,3,4,5,6",
        opens_at=datetime.time(9),
        closes_at=datetime.time(10),
        slot_minutes=60,
        capacity=2,
    )
    supervisor.post("/admin/slot_calendar/generate", {"location": location.id})
    assert Slot.select().count() > 40
    slot = Slot.get(Slot.date == TOMORROW)
    Slot.update(booked=1).where(Slot.id == slot.id).execute()
    page = client.get(f"/admin/slot_calendar/?location={location.id}&week={TOMORROW}").get_data(as_text=True)
    assert f"/admin/slot/edit/?id={slot.id}" in page and ">1/2</a>" in page
    assert "時間枠を作成" in AuditLog.get(AuditLog.model == "Slot").detail


def test_capacity_cannot_drop_below_bookings(client, supervisor):
    """Is a slot's capacity refused below what is already booked, leaving the slot unchanged?"""
    slot = gen_slot(day=TOMORROW, capacity=3, booked=2)
    form = {
        "location": slot.location_id,
        "date": str(TOMORROW),
        "starts_at": "09:00",
        "ends_at": "09:30",
        "purposes": slot.purposes,
        "capacity": "1",
        "phone_reserved": "0",
        "note": "",
    }
    page = supervisor.post(f"/admin/slot/edit/?id={slot.id}", form).get_data(as_text=True)
    assert "予約済みの人数(2人)より少なくできません" in page
    assert Slot.get_by_id(slot.id).capacity == 3


def test_close_and_reopen_slots(client, supervisor):
    """Do the close and reopen actions stop and resume a slot's bookings?"""
    slot = gen_slot(day=TOMORROW)
    supervisor.post("/admin/slot/action/", {"action": "close", "rowid": slot.id})
    assert Slot.get_by_id(slot.id).closed
    supervisor.post("/admin/slot/action/", {"action": "reopen", "rowid": slot.id})
    assert not Slot.get_by_id(slot.id).closed


def test_clerk_may_look_but_not_generate(client, auth, database):
    """Can a clerk read the week grid but not make slots or close them?"""
    slot = gen_slot(day=TOMORROW)
    gen_user("clerk", login="suzuki")
    auth.login("suzuki")
    assert client.get("/admin/slot_calendar/").status_code == 200
    assert auth.post("/admin/slot_calendar/generate").status_code == 403
    assert auth.post("/admin/slot/action/", {"action": "close", "rowid": slot.id}).status_code == 403
    assert not Slot.get_by_id(slot.id).closed


def test_cancel_action_gives_the_seats_back(client, auth, database):
    """Does cancelling from the reservation list free the seats and record the change?"""
    slot = gen_slot(day=TOMORROW, capacity=2, booked=2)
    first = gen_reservation(slot=slot)
    second = gen_reservation(slot=slot, status="visited")
    gen_user("clerk", login="suzuki")
    auth.login("suzuki")
    auth.post("/admin/reservation/action/", {"action": "cancel", "rowid": [first.id, second.id]})
    assert Reservation.get_by_id(first.id).status == "cancelled"
    assert Reservation.get_by_id(second.id).status == "visited"
    assert Slot.get_by_id(slot.id).booked == 1
    assert AuditLog.get(AuditLog.action == "update").changes == '{"status": ["booked", "cancelled"]}'


def test_reservation_form_cannot_move_seats(client, auth, database):
    """Does the reservation edit form leave slot, people and status to the booking rules?"""
    reservation = gen_reservation(slot=gen_slot(day=TOMORROW))
    gen_user("clerk", login="suzuki")
    auth.login("suzuki")
    page = client.get(f"/admin/reservation/edit/?id={reservation.id}").get_data(as_text=True)
    assert 'name="phone"' in page and 'name="people"' not in page and 'name="slot"' not in page
    assert client.get("/admin/reservation/new/").status_code == 302
