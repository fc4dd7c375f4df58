"""The residents' site: purpose → location → month calendar → time → details → confirm → done,
then look-up, change and cancel with the reservation number and birth date.

Every choice travels in the URL or as hidden fields and is checked again by ``rules.booking``
when the booking is made; the session only remembers which booking this browser just made
or looked up."""

import calendar
import datetime
import logging
import secrets
import smtplib
import time

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for

import mailer
from models import PURPOSES, RESERVATION_STATUSES, Announcement, Location
from public_site.forms import ChangeForm, DetailsForm, LookupForm, TokenOnlyForm
from public_site.limits import booking_limit, lookup_limit
from public_site.visit_calendar import visit_ics
from rules import booking, settings
from rules.clock import now
from rules.recent import remembered

public = Blueprint("public", __name__, template_folder="templates")
AVAILABILITY_SECONDS = 1.0
REMEMBER_SECONDS = 15 * 60
log = logging.getLogger(__name__)

PURPOSE_LABELS = dict(PURPOSES)
PURPOSE_HINTS = {
    "apply": "マイナンバーカードを新しく作る・作り直すための申請です。",
    "collect": "できあがったカードを受け取ります。交付通知書(はがき)が届いてから予約してください。",
    "renew_cert": "カードの電子証明書の有効期限が近づいた方の更新手続きです。",
}
WEEKDAYS = "月火水木金土日"
MARK_LABELS = {"○": "空きあり", "△": "残りわずか", "×": "満席"}
HIDDEN_FIELDS = ("purpose", "slot", "submission_token")
FIELD_ORDER = ("name", "kana", "birth_date", "phone", "email", "people", "notice_number", "consent")


@public.app_context_processor
def public_announcements():
    """Public announcements and maintenance notices, shown on every public page."""
    return {"public_announcements": lambda: remembered("public_announcements", _current_public_announcements)}


def _current_public_announcements():
    return list(Announcement.current("public"))


@public.app_template_filter("visit_date")
def visit_date(day):
    return f"{day.year}年{day.month}月{day.day}日({WEEKDAYS[day.weekday()]})"


@public.app_template_filter("visit_time")
def visit_time(moment):
    return f"{moment.hour}:{moment.minute:02d}"


@public.route("/")
def index():
    return render_template("public/index.html", purposes=PURPOSE_LABELS, hints=PURPOSE_HINTS)


@public.route("/privacy")
def privacy():
    return render_template("public/privacy.html")


# --- choosing a slot ----------------------------------------------------------------------


def _purpose_or_404(purpose):
    if purpose not in PURPOSE_LABELS:
        abort(404)
    return purpose


def _location_or_404(location_id):
    locations = remembered("public_locations", lambda: {location.id: location for location in Location.in_order()})
    if location_id not in locations:
        abort(404)
    return locations[location_id]


@public.route("/book/<purpose>")
def choose_location(purpose):
    purpose = _purpose_or_404(purpose)
    locations = list(Location.in_order())
    return render_template(
        "public/book_location.html", purpose=purpose, purpose_label=PURPOSE_LABELS[purpose], locations=locations
    )


def _month_from_query(first_day, last_day):
    """The month asked for in ``?month=YYYY-MM``, kept inside the booking window."""
    try:
        year, month = (int(part) for part in request.args.get("month", "").split("-"))
        asked = datetime.date(year, month, 1)
    except ValueError:
        asked = first_day.replace(day=1)
    return min(max(asked, first_day.replace(day=1)), last_day.replace(day=1))


def _shift_month(first_of_month, months):
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_view(location_id, purpose, day_url, month):
    """The calendar of ``month`` within the booking window: weeks of cells, and the neighbour months."""
    first_day, last_day = booking.booking_window()
    month_end = _shift_month(month, 1) - datetime.timedelta(days=1)
    shown = (location_id, purpose, max(month, first_day), min(month_end, last_day))
    # When a month opens, hundreds of residents read the same calendar: one query a second per
    # month serves them all. A mark a second old is harmless; the booking is checked atomically.
    days = remembered(("month", *shown), lambda: booking.day_availability(*shown), seconds=AVAILABILITY_SECONDS)
    weeks = []
    for week in calendar.Calendar(firstweekday=6).monthdatescalendar(month.year, month.month):
        cells = []
        for day in week:
            availability = days.get(day) if day.month == month.month else None
            mark = availability.mark if availability else ""
            cells.append(
                {
                    "day": day,
                    "in_month": day.month == month.month,
                    "mark": mark or ("－" if day.month == month.month else ""),
                    "label": MARK_LABELS.get(mark, "予約できません"),
                    "url": day_url(day) if mark in ("○", "△") else None,
                }
            )
        weeks.append(cells)
    previous_month = _shift_month(month, -1)
    next_month = _shift_month(month, 1)
    return {
        "month": month,
        "weeks": weeks,
        "previous_month": previous_month if previous_month >= first_day.replace(day=1) else None,
        "next_month": next_month if next_month <= last_day else None,
        "first_day": first_day,
        "last_day": last_day,
    }


@public.route("/book/<purpose>/<int:location_id>")
def choose_day(purpose, location_id):
    purpose = _purpose_or_404(purpose)
    location = _location_or_404(location_id)
    month = _month_from_query(*booking.booking_window())
    return _shared_page(("month", purpose, location.id, month), lambda: _month_page(purpose, location, month))


def _month_page(purpose, location, month):
    view = month_view(
        location.id,
        purpose,
        lambda day: url_for(".choose_time", purpose=purpose, location_id=location.id, day=day),
        month,
    )
    return render_template(
        "public/book_calendar.html",
        view=view,
        location=location,
        purpose_label=PURPOSE_LABELS[purpose],
        month_url=lambda month: url_for(
            ".choose_day", purpose=purpose, location_id=location.id, month=f"{month:%Y-%m}"
        ),
        back_url=url_for(".choose_location", purpose=purpose),
        step=3,
    )


def _shared_page(key, render):
    """A page that is the same for every resident (no form, no session, no nonce), rendered at
    most once a second per process: when a month opens, hundreds of residents read the same
    calendar and the same times. A page a second old is harmless; the booking is checked
    atomically."""
    return remembered(("page", request.script_root, *key), render, seconds=AVAILABILITY_SECONDS)


def _day_or_404(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        abort(404)


def _web_times(location_id, purpose, day):
    first_day, last_day = booking.booking_window()
    if not first_day <= day <= last_day:
        return []
    return [slot for slot in booking.slot_availability(location_id, purpose, day) if slot.web_free > 0]


@public.route("/book/<purpose>/<int:location_id>/<day>")
def choose_time(purpose, location_id, day):
    purpose = _purpose_or_404(purpose)
    location = _location_or_404(location_id)
    day = _day_or_404(day)
    first_day, last_day = booking.booking_window()
    if not first_day <= day <= last_day:
        return _times_page(purpose, location, day)
    return _shared_page(("times", purpose, location.id, day), lambda: _times_page(purpose, location, day))


def _times_page(purpose, location, day):
    times = [
        (slot, url_for(".details", purpose=purpose, slot=slot.id)) for slot in _web_times(location.id, purpose, day)
    ]
    return render_template(
        "public/book_times.html",
        day=day,
        times=times,
        location=location,
        purpose_label=PURPOSE_LABELS[purpose],
        back_url=url_for(".choose_day", purpose=purpose, location_id=location.id, month=f"{day:%Y-%m}"),
        step=4,
    )


# --- details, confirmation, done ----------------------------------------------------------


def _render_details(form, problems=()):
    """The details form (step 5), with the chosen slot and every problem listed at the top."""
    slot = booking.slot_summary(form.slot.data)
    return render_template(
        "public/book_details.html",
        form=form,
        slot=slot,
        purpose_label=PURPOSE_LABELS.get(form.purpose.data, ""),
        problems=list(problems) + _field_problems(form),
        restart_url=_restart_url(form, slot),
        step=5,
    )


def _field_problems(form):
    hidden = [(None, "", form[name].errors[0]) for name in HIDDEN_FIELDS if form[name].errors]
    return hidden + [(name, form[name].label.text, form[name].errors[0]) for name in FIELD_ORDER if form[name].errors]


def _restart_url(form, slot):
    if slot and form.purpose.data in PURPOSE_LABELS:
        return url_for(".choose_day", purpose=form.purpose.data, location_id=slot["location_id"])
    return url_for(".index")


def _booking_problem(form, error):
    """Put a refusal of the rules on its field; a slot or purpose problem goes to the summary."""
    if error.field in FIELD_ORDER:
        form[error.field].errors = [error.message]
        return []
    return [(None, booking.FIELD_LABELS.get(error.field, ""), error.message)]


@public.route("/book/details", methods=["GET", "POST"])
@booking_limit
def details():
    form = DetailsForm(request.form if request.method == "POST" else request.args)
    if request.method == "GET":
        form.people.data = form.people.data or 1
        return _render_details(_without_errors(form))
    if form.is_bot():
        abort(400)
    if not form.validate():
        return _render_details(form)
    try:
        booking.check(form.slot.data, form.purpose.data, form.applicant())
    except booking.BookingError as error:
        return _render_details(form, _booking_problem(form, error))
    form.submission_token.data = secrets.token_urlsafe(24)
    return render_template(
        "public/book_confirm.html",
        form=form,
        slot=booking.slot_summary(form.slot.data),
        purpose_label=PURPOSE_LABELS[form.purpose.data],
        step=6,
    )


def _without_errors(form):
    for field in form:
        field.errors = []
    return form


@public.route("/book/confirm", methods=["POST"])
@booking_limit
def confirm():
    form = DetailsForm(request.form)
    if form.is_bot():
        abort(400)
    if request.form.get("action") == "edit":
        return _render_details(_without_errors(form))
    valid = form.validate()
    if not form.submission_token.data:
        form.submission_token.errors = ["送信内容が正しくありません。お手数ですが、最初からやり直してください。"]
    if not valid or form.submission_token.errors:
        return _render_details(form)
    try:
        result = booking.book(
            form.slot.data, form.purpose.data, form.applicant(), submission_token=form.submission_token.data
        )
    except booking.BookingError as error:
        return _render_details(form, _booking_problem(form, error))
    _remember("booked", result.reservation)
    if result.created and result.reservation.email:
        session["mail_failed"] = not send_confirmation(booking.find(result.reservation.number, form.birth_date.data))
    return redirect(url_for(".done"))


@public.route("/book/done")
def done():
    reservation = _session_reservation("booked")
    if reservation is None:
        return redirect(url_for(".index"))
    return render_template(
        "public/book_done.html",
        reservation=reservation,
        purpose_label=PURPOSE_LABELS[reservation.purpose],
        deadline=booking.change_deadline(reservation.slot.date),
        mail_failed=session.get("mail_failed", False),
        ics_url=url_for(".booked_ics"),
        step=7,
    )


def _remember(key, reservation):
    """Let this browser see ``reservation`` again without typing: "booked" or "lookup". The
    cookie holds the row's id and a time, not the number or the birth date (it is signed, not
    encrypted), and stops working after REMEMBER_SECONDS without use: phones and library PCs are shared."""
    session[key] = {"id": reservation.id, "seen": time.time()}


def _session_reservation(key):
    """The reservation this browser just made ("booked") or looked up ("lookup"), or None."""
    remembered_booking = session.get(key)
    if not isinstance(remembered_booking, dict) or time.time() - remembered_booking.get("seen", 0) > REMEMBER_SECONDS:
        session.pop(key, None)
        return None
    remembered_booking["seen"] = time.time()
    session.modified = True
    return booking.find_by_id(remembered_booking.get("id"))


@public.route("/reservation/forget", methods=["POST"])
def forget():
    """「確認を終える」: this browser no longer shows the booking it made or looked up."""
    if not TokenOnlyForm().validate_on_submit():
        abort(400)
    for key in ("booked", "lookup"):
        session.pop(key, None)
    return redirect(url_for(".index", ended=1))


@public.route("/book/done/visit.ics")
def booked_ics():
    return _ics_response(_session_reservation("booked"))


@public.route("/reservation/visit.ics")
def lookup_ics():
    return _ics_response(_session_reservation("lookup"))


def _ics_response(reservation):
    if reservation is None:
        abort(404)
    response = Response(_ics_text(reservation), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="kofu-{reservation.number}.ics"'
    return response


def _ics_text(reservation):
    slot, location = reservation.slot, reservation.slot.location
    return visit_ics(
        number=reservation.number,
        title=f"マイナンバーカード {PURPOSE_LABELS[reservation.purpose]}({settings.get('municipality_name')})",
        day=slot.date,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        location=" ".join(part for part in (location.name, location.address) if part),
        description=f"予約番号: {reservation.number}\n人数: {reservation.people}人",
        stamp=now(),
    )


def send_confirmation(reservation, subject_prefix="予約受付"):
    """Mail the booking to the resident; a failure is logged and reported, never fatal."""
    body = render_template(
        "public/mail_confirmation.txt",
        reservation=reservation,
        purpose_label=PURPOSE_LABELS[reservation.purpose],
        deadline=booking.change_deadline(reservation.slot.date),
        lookup_url=url_for("public.lookup", _external=True),
        counter_phone=reservation.slot.location.phone or settings.get("counter_phone"),
    )
    message = mailer.compose(
        current_app.config["MAIL_FROM"],
        reservation.email,
        f"【{settings.get('municipality_name')}】マイナンバーカード来庁予約 {subject_prefix}({reservation.number})",
        body,
        attachments=[]
        if reservation.status == "cancelled"
        else [(f"kofu-{reservation.number}.ics", "text/calendar", _ics_text(reservation).encode())],
    )
    try:
        mailer.send(message, current_app.config["SMTP_URL"])
    except (OSError, smtplib.SMTPException, ValueError):
        log.exception("確認メールを送信できませんでした(予約番号 %s)", reservation.number)
        return False
    return True


# --- look up, change, cancel --------------------------------------------------------------


@public.route("/reservation", methods=["GET", "POST"])
@lookup_limit
def lookup():
    form = LookupForm()
    if form.validate_on_submit():
        try:
            reservation = booking.look_up(form.number.data, form.birth_date.data)
        except booking.BookingError as error:
            form.number.errors = [error.message]
        else:
            _remember("lookup", reservation)
            return redirect(url_for(".reservation"))
    problems = [
        (name, form[name].label.text, form[name].errors[0]) for name in ("number", "birth_date") if form[name].errors
    ]
    return render_template("public/lookup.html", form=form, problems=problems)


def _looked_up_or_redirect():
    reservation = _session_reservation("lookup")
    if reservation is None:
        abort(redirect(url_for(".lookup")))
    return reservation


@public.route("/reservation/detail")
def reservation():
    reservation = _looked_up_or_redirect()
    return render_template(
        "public/reservation.html",
        reservation=reservation,
        purpose_label=PURPOSE_LABELS[reservation.purpose],
        status_label=dict(RESERVATION_STATUSES)[reservation.status],
        deadline=booking.change_deadline(reservation.slot.date),
        changeable=booking.can_still_change(reservation),
        counter_phone=reservation.slot.location.phone or settings.get("counter_phone"),
    )


@public.route("/reservation/cancel", methods=["GET", "POST"])
@lookup_limit
def cancel():
    reservation = _looked_up_or_redirect()
    form = TokenOnlyForm()
    problem = None
    if form.validate_on_submit():
        try:
            cancelled = booking.cancel(reservation.number, reservation.birth_date)
        except booking.BookingError as error:
            problem = error.message
        else:
            if cancelled.email:
                send_confirmation(booking.find(cancelled.number, cancelled.birth_date), "取消")
            return render_template("public/cancelled.html", reservation=cancelled)
    return render_template(
        "public/cancel.html",
        reservation=reservation,
        form=form,
        problem=problem,
        purpose_label=PURPOSE_LABELS[reservation.purpose],
    )


@public.route("/reservation/change")
def change_day():
    reservation = _looked_up_or_redirect()
    slot = reservation.slot
    month = _month_from_query(*booking.booking_window())
    view = month_view(slot.location_id, reservation.purpose, lambda day: url_for(".change_time", day=day), month)
    return render_template(
        "public/book_calendar.html",
        view=view,
        location=slot.location,
        purpose_label=PURPOSE_LABELS[reservation.purpose],
        month_url=lambda month: url_for(".change_day", month=f"{month:%Y-%m}"),
        back_url=url_for(".reservation"),
        changing=reservation,
    )


@public.route("/reservation/change/<day>")
def change_time(day):
    reservation = _looked_up_or_redirect()
    day = _day_or_404(day)
    times = [
        (slot, url_for(".change_confirm", slot=slot.id))
        for slot in _web_times(reservation.slot.location_id, reservation.purpose, day)
    ]
    return render_template(
        "public/book_times.html",
        day=day,
        times=times,
        location=reservation.slot.location,
        purpose_label=PURPOSE_LABELS[reservation.purpose],
        back_url=url_for(".change_day", month=f"{day:%Y-%m}"),
        changing=reservation,
    )


@public.route("/reservation/change/confirm", methods=["GET", "POST"])
@booking_limit
def change_confirm():
    reservation = _looked_up_or_redirect()
    form = ChangeForm(request.form if request.method == "POST" else request.args)
    if request.method == "GET":
        form.people.data = reservation.people
        _without_errors(form)
    problem = None
    if request.method == "POST" and form.validate():
        try:
            booking.change(reservation.number, reservation.birth_date, form.slot.data, people=form.people.data)
        except booking.BookingError as error:
            problem = error.message
        else:
            changed = booking.find(reservation.number, reservation.birth_date)
            if changed.email:
                send_confirmation(changed, "変更")
            return redirect(url_for(".reservation", changed=1))
    return render_template(
        "public/change_confirm.html",
        reservation=reservation,
        form=form,
        new_slot=booking.slot_summary(form.slot.data),
        problem=problem or (form.people.errors[0] if form.people.errors else None),
        purpose_label=PURPOSE_LABELS[reservation.purpose],
    )
