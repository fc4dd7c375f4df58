"""予約: reservations, slots and the rules and closed days they are made from."""

from flask import flash
from flask_admin.actions import action
from flask_admin.model.template import LinkRowAction
from wtforms.validators import ValidationError

import audit
from admin_views.base import StaffModelView
from models import Location, Reservation, Slot, db
from rules import booking

PERSON_FORM_EXCLUDED = ("kana_key", "created_at", "updated_at")


class ReservationView(StaffModelView):
    # Seats are counted by the booking rules: bookings are made on the 電話・窓口予約 screen and
    # cancelled with the action below; this form only corrects the resident's details.
    allow_create = False
    allow_delete = False
    column_list = ("number", "slot", "purpose", "channel", "status", "name", "kana", "birth_date", "people", "phone")
    column_searchable_list = ("number", "name", "kana", "kana_key", "phone", "notice_number")
    column_filters = ("purpose", "channel", "status", Slot.date, Location.name, "birth_date")
    column_default_sort = ("created_at", True)
    form_columns = ("name", "kana", "birth_date", "phone", "email", "notice_number", "note")
    column_extra_row_actions = [LinkRowAction("fa fa-calendar", "/admin/booking_desk/change/{row_id}", "日時を変更")]

    def get_query(self):
        return Reservation.select(Reservation, Slot).join(Slot).switch(Reservation)

    @action("cancel", "取消", "選択した予約を取り消し、席を空けます。よろしいですか?")
    def action_cancel(self, ids):
        active = list(Reservation.select().where(Reservation.id.in_(ids), Reservation.status == "booked"))
        with db.atomic():
            for reservation in active:
                booking.cancel(reservation.number, reservation.birth_date, channel="phone")
                audit.record(
                    "update", model="Reservation", object_id=reservation.id, changes={"status": ["booked", "cancelled"]}
                )
        skipped = len(ids) - len(active)
        note = f"(予約中でない{skipped}件はそのままです)" if skipped else ""
        flash(f"{len(active)}件の予約を取り消しました。{note}", "success")


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
    column_default_sort = [("date", False), ("starts_at", False)]
    form_excluded_columns = ("booked", "reservations")

    def get_query(self):
        return Slot.select(Slot, Location).join(Location).switch(Slot)

    def on_model_change(self, form, model, is_created):
        if model.ends_at <= model.starts_at:
            raise ValidationError("終了は開始より後の時刻にしてください。")
        if model.capacity < model.booked:
            raise ValidationError(f"定員は予約済みの人数({model.booked}人)より少なくできません。")
        if not 0 <= model.phone_reserved <= model.capacity:
            raise ValidationError("電話予約用の席は0以上、定員以下にしてください。")

    @action("close", "受付停止", "選択した時間枠の受付を停止します。既存の予約はそのままです。よろしいですか?")
    def action_close(self, ids):
        self._set_closed(ids, True)

    @action("reopen", "受付再開", "選択した時間枠の受付を再開します。よろしいですか?")
    def action_reopen(self, ids):
        self._set_closed(ids, False)

    def _set_closed(self, ids, closed):
        with db.atomic():
            changed = Slot.update(closed=closed).where(Slot.id.in_(ids), Slot.closed != closed).execute()
            audit.record(
                "update",
                model="Slot",
                object_id=",".join(map(str, ids))[:32],
                detail=f"{'受付停止' if closed else '受付再開'} {changed}件",
            )
        flash(f"{changed}件の時間枠を{'受付停止' if closed else '受付再開'}にしました。", "success")


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
