"""本日の来庁者: today's bookings per location, one-click 来庁済 with undo, no-shows, a QR scan
of the resident's 交付通知書 that jumps to their booking, and the day's list for printing."""

import datetime

from flask import flash, redirect, request, url_for
from flask_admin import expose

import audit
from admin_views.base import StaffPage
from models import PURPOSES, RESERVATION_STATUSES, Location, Reservation
from pdf import pdf_response, render_html
from rules.checkin import day_list, find_by_notice, mark_no_shows, mark_visited, slot_has_ended, undo_visit
from rules.clock import now, today
from rules.qr_payload import notice_number_from_scan

WRITE_VIEWS = ("visit", "undo", "no_shows")


class CheckInView(StaffPage):
    min_role = "viewer"
    view_roles = dict.fromkeys(WRITE_VIEWS, "clerk")

    @expose("/")
    def index(self):
        locations = list(Location.in_order())
        location = _chosen_location(locations)
        day = _chosen_day()
        search = request.args.get("q", "")
        return self.render(
            "admin/checkin.html",
            locations=locations,
            location=location,
            day=day,
            search=search,
            reservations=day_list(location.id, day, search) if location else [],
            highlight=request.args.get("highlight", type=int),
            purposes=dict(PURPOSES),
            statuses=dict(RESERVATION_STATUSES),
            ended=lambda reservation: slot_has_ended(reservation.slot, now()),
            is_today=day == today(),
        )

    @expose("/scan")
    def scan(self):
        """A USB QR reader types the 交付通知書 code into the scan field and presses Enter."""
        try:
            number = notice_number_from_scan(request.args.get("code", ""))
        except ValueError as error:
            flash(f"読み取れませんでした: {error}", "error")
            return redirect(url_for(".index", location=request.args.get("location")))
        reservation = find_by_notice(number, today())
        if reservation is None:
            flash(f"交付通知書番号 {number} の本日の予約はありません。", "error")
            return redirect(url_for(".index", location=request.args.get("location")))
        anchor = f"r-{reservation.id}"
        return redirect(
            url_for(".index", location=reservation.slot.location_id, highlight=reservation.id, _anchor=anchor)
        )

    @expose("/visit/<int:reservation_id>", methods=("POST",))
    def visit(self, reservation_id):
        return self._change(reservation_id, lambda: mark_visited(reservation_id, now()), "来庁済にしました。")

    @expose("/undo/<int:reservation_id>", methods=("POST",))
    def undo(self, reservation_id):
        return self._change(reservation_id, lambda: undo_visit(reservation_id), "予約中に戻しました。")

    @expose("/no-shows", methods=("POST",))
    def no_shows(self):
        location_id = request.form.get("location", type=int)
        marked = mark_no_shows(location_id, today(), now())
        if marked:
            audit.record("update", model="Reservation", detail=f"不来庁 {marked}件(場所ID {location_id})")
        flash(f"時間を過ぎた{marked}件を不来庁にしました。", "success")
        return redirect(url_for(".index", location=location_id))

    @expose("/print")
    def print_list(self):
        """The day's list as the same HTML the PDF is made from, for the browser's print dialog."""
        return render_html("day_list.html", **_day_list_context())

    @expose("/pdf")
    def pdf(self):
        context = _day_list_context()
        filename = f"来庁予約一覧_{context['location'].name}_{context['day']:%Y%m%d}.pdf"
        return pdf_response("day_list.html", filename, model="Reservation", detail=filename, **context)

    def _change(self, reservation_id, change, message):
        reservation = Reservation.get_or_none(Reservation.id == reservation_id)
        if reservation is None:
            flash("予約が見つかりません。", "error")
            return redirect(url_for(".index"))
        before = reservation.status
        if change():
            after = Reservation.get_by_id(reservation_id).status
            audit.record("update", model="Reservation", object_id=reservation_id, changes={"status": [before, after]})
            flash(f"{reservation.number} {reservation.name} さんを{message}", "success")
        else:
            flash(f"{reservation.number} はこの操作ができない状態です。", "error")
        location_id = reservation.slot.location_id
        return redirect(
            url_for(".index", location=location_id, highlight=reservation_id, _anchor=f"r-{reservation_id}")
        )


def _chosen_location(locations):
    wanted = request.args.get("location", type=int)
    return next((location for location in locations if location.id == wanted), locations[0] if locations else None)


def _chosen_day():
    try:
        return datetime.date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return today()


def _day_list_context():
    location = Location.get_or_none(Location.id == request.args.get("location", type=int))
    if location is None:
        location = Location.in_order().first()
    day = _chosen_day()
    return {
        "location": location,
        "day": day,
        "reservations": day_list(location.id, day),
        "purposes": dict(PURPOSES),
        "statuses": dict(RESERVATION_STATUSES),
    }
