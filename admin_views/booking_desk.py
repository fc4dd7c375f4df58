"""電話・窓口予約: staff book a visit from live availability. Duplicates and failed ledger checks
show as warnings that need an explicit, audited override."""

import datetime

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user

import audit
from admin_views.base import StaffPage
from admin_views.booking_forms import StaffBookingForm, StaffChangeForm
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

        def submit():
            reservation = _book(form).reservation
            flash(f"予約番号 {reservation.number} で登録しました。", "success")
            return reservation

        return self._desk(locations, choice, form, submit)

    @expose("/change/<int:reservation_id>", methods=("GET", "POST"))
    def change(self, reservation_id):
        reservation = Reservation.get_or_none(Reservation.id == reservation_id)
        if reservation is None or reservation.status != "booked":
            flash("予約中の予約だけ日時を変更できます。", "error")
            return redirect(url_for("reservation.index_view"))
        locations = list(Location.in_order())
        choice = _choice(locations, reservation.slot.location_id, reservation.purpose)
        form = StaffChangeForm(slot_id=choice["slot_id"], people=reservation.people)

        def submit():
            _change(reservation, form)
            flash(f"予約番号 {reservation.number} の日時を変更しました。", "success")
            return reservation

        return self._desk(locations, choice, form, submit, changing=reservation)

    def _desk(self, locations, choice, form, submit, changing=None):
        """On a valid post, ``submit()`` books or changes and the clerk sees the result; warnings
        that need an override and refusals come back on the form."""
        warnings = []
        if form.validate_on_submit():
            try:
                reservation = submit()
            except booking.OverrideNeeded as needed:
                warnings = needed.warnings
            except booking.BookingError as error:
                _show_error(form, error)
            else:
                return redirect(url_for(".done", reservation_id=reservation.id))
        return self.render(
            "admin/booking_desk.html",
            locations=locations,
            purposes=PURPOSES,
            form=form,
            warnings=warnings,
            days=_days(choice),
            slots=_slots(choice),
            slot=booking.slot_summary(choice["slot_id"]),
            changing=changing,
            here=_link_maker(choice),
            purpose_labels=dict(PURPOSES),
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


def _choice(locations, location_id=None, purpose=None):
    """Location, purpose, first day, day and slot chosen so far, from the query string
    (a booking being changed keeps its purpose)."""
    location_id = request.args.get("location", type=int) or location_id
    location = next((item for item in locations if item.id == location_id), locations[0] if locations else None)
    if purpose is None:
        purpose = request.args.get("purpose") if request.args.get("purpose") in dict(PURPOSES) else "apply"
    return {
        "location": location,
        "purpose": purpose,
        "start": _date_arg("start") or today(),
        "day": _date_arg("day"),
        "slot_id": request.args.get("slot", type=int),
    }


def _link_maker(choice):
    """``here(day=..., slot=...)``: this screen's URL with the choice so far plus the changes."""
    location_id = choice["location"].id if choice["location"] else None
    kept = {"location": location_id, "purpose": choice["purpose"], "start": choice["start"].isoformat()}
    return lambda **changes: url_for(request.endpoint, **request.view_args, **{**kept, **changes})


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


def _change(reservation, form):
    before = (reservation.slot_id, reservation.people)
    result = booking.change(
        reservation.number,
        reservation.birth_date,
        form.slot_id.data,
        people=form.people.data,
        channel="phone",
        override=form.override.data,
        at=now(),
    )
    after = (result.reservation.slot_id, result.reservation.people)
    changes = {name: [old, new] for name, old, new in zip(("slot", "people"), before, after, strict=True) if old != new}
    audit.record("update", model="Reservation", object_id=reservation.id, changes=changes)
    if result.overridden:
        audit.record(
            "override",
            model="Reservation",
            object_id=reservation.id,
            detail="警告を承知で変更: " + ", ".join(result.overridden),
        )


def _show_error(form, error):
    field = getattr(form, error.field, None)
    if field is not None and error.field not in ("slot_id", "purpose", "submission_token"):
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
