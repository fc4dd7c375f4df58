"""予約: reservations, slots and the rules and closed days they are made from."""

from admin_views.base import StaffModelView
from models import Location, Reservation, Slot

PERSON_FORM_EXCLUDED = ("kana_key", "created_at", "updated_at")


class ReservationView(StaffModelView):
    allow_delete = False  # a booking is cancelled, never deleted, so the record of it stays
    column_list = ("number", "slot", "purpose", "channel", "status", "name", "kana", "birth_date", "people", "phone")
    column_searchable_list = ("number", "name", "kana", "kana_key", "phone", "notice_number")
    column_filters = ("purpose", "channel", "status", Slot.date, Location.name, "birth_date")
    column_labels = {"slot.date": "来庁日", "location.name": "場所"}
    column_default_sort = ("created_at", True)
    form_excluded_columns = (*PERSON_FORM_EXCLUDED, "submission_token", "created_by", "card")

    def get_query(self):
        return Reservation.select(Reservation, Slot).join(Slot).switch(Reservation)


class SlotView(StaffModelView):
    write_role = "supervisor"
    column_list = (
        "location",
        "date",
        "starts_at",
        "ends_at",
        "purposes",
        "capacity",
        "phone_reserved",
        "booked",
        "closed",
    )
    column_filters = ("date", "closed", Location.name)
    column_labels = {"location.name": "場所"}
    column_default_sort = [("date", False), ("starts_at", False)]
    form_excluded_columns = ("booked",)

    def get_query(self):
        return Slot.select(Slot, Location).join(Location).switch(Slot)


class SlotRuleView(StaffModelView):
    write_role = "supervisor"
    column_list = (
        "location",
        "weekdays",
        "opens_at",
        "closes_at",
        "slot_minutes",
        "capacity",
        "phone_reserved",
        "purposes",
        "active",
    )
    form_excluded_columns = ("created_at", "updated_at")


class ClosedDateView(StaffModelView):
    write_role = "supervisor"
    column_default_sort = ("date", True)
    column_filters = ("date",)
