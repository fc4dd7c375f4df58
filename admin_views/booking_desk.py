"""電話・窓口予約: staff book a visit from live availability. Duplicates and failed ledger checks
show as warnings that need an explicit, audited override."""

import datetime

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user

import audit
from admin_views.base import StaffPage
from admin_views.booking_forms import StaffBookingForm
from models import PURPOSES, Location, Reservation
from rules import booking
from rules.clock import now, today

DAYS_SHOWN = 14


class BookingDeskView(StaffPage):
    min_role = "clerk"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        locations = list(Location.in_order())
        choice = _choice(locations)
        form = StaffBookingForm(slot_id=choice["slot_id"], purpose=choice["purpose"])
        warnings = []
        if form.validate_on_submit():
            try:
                result = _book(form)
            except booking.OverrideNeeded as needed:
                warnings = needed.warnings
            except booking.BookingError as error:
                _show_error(form, error)
            else:
                flash(f"予約番号 {result.reservation.number} で登録しました。", "success")
                return redirect(url_for(".done", reservation_id=result.reservation.id))
        return self.render(
            "admin/booking_desk.html",
            locations=locations,
            purposes=PURPOSES,
            form=form,
            warnings=warnings,
            days=_days(choice),
            slots=_slots(choice),
            slot=booking.slot_summary(choice["slot_id"]),
            **choice,
        )

    @expose("/done/<int:reservation_id>")
    def done(self, reservation_id):
        reservation = Reservation.get_or_none(Reservation.id == reservation_id)
        if reservation is None:
            return redirect(url_for(".index"))
        return self.render(
            "admin/booking_done.html",
            reservation=reservation,
            slot=booking.slot_summary(reservation.slot_id),
            purposes=dict(PURPOSES),
        )


def _choice(locations):
    """Location, purpose, first day, day and slot chosen so far, from the query string."""
    location_id = request.args.get("location", type=int)
    location = next((item for item in locations if item.id == location_id), locations[0] if locations else None)
    purpose = request.args.get("purpose") if request.args.get("purpose") in dict(PURPOSES) else "apply"
    return {
        "location": location,
        "purpose": purpose,
        "start": _date_arg("start") or today(),
        "day": _date_arg("day"),
        "slot_id": request.args.get("slot", type=int),
    }


def _date_arg(name):
    try:
        return datetime.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _days(choice):
    if choice["location"] is None:
        return []
    last = choice["start"] + datetime.timedelta(days=DAYS_SHOWN - 1)
    availability = booking.day_availability(
        choice["location"].id, choice["purpose"], choice["start"], last, channel="phone"
    )
    return sorted(availability.items())


def _slots(choice):
    if choice["location"] is None or choice["day"] is None:
        return []
    return booking.slot_availability(choice["location"].id, choice["purpose"], choice["day"])


def _book(form):
    applicant = booking.Applicant(
        name=form.name.data,
        kana=form.kana.data,
        birth_date=form.birth_date.data,
        phone=form.phone.data or "",
        email=form.email.data or "",
        people=form.people.data,
        notice_number=form.notice_number.data or "",
    )
    result = booking.book(
        form.slot_id.data,
        form.purpose.data,
        applicant,
        channel=form.channel.data,
        override=form.override.data,
        submission_token=form.submission_token.data,
        created_by=current_user.id,
        note=form.note.data or "",
        at=now(),
    )
    if result.created:
        reservation = result.reservation
        audit.record("create", model="Reservation", object_id=reservation.id, detail=f"{reservation.number}")
        if result.overridden:
            audit.record(
                "override",
                model="Reservation",
                object_id=reservation.id,
                detail="警告を承知で登録: " + ", ".join(result.overridden),
            )
    return result


def _show_error(form, error):
    field = getattr(form, error.field, None)
    if field is not None and error.field not in ("slot_id", "purpose", "submission_token"):
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
