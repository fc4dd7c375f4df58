"""The public JSON API ``/api/v1/`` for integrators (a LINE mini-app, a city portal).

Same rules and Japanese messages as the HTML site, plus machine-readable error codes:
an error answers ``{"error": {"code", "field", "message"}, "errors": [...]}``.
"""

import datetime

from flask import Blueprint, current_app, jsonify, request

from extensions import csrf
from models import PURPOSES, Location
from public_site.limits import booking_limit, lookup_limit
from public_site.openapi import openapi_document
from public_site.routes import send_confirmation
from rules import booking
from rules.clock import now

api = Blueprint("api", __name__, url_prefix="/api/v1")
# The API keeps no session and sets no cookie: a client proves nothing by a cookie, so there is
# nothing for a cross-site request to ride on, and a CSRF form token has no place in JSON calls.
csrf.exempt(api)

MAX_RANGE_DAYS = 62
STATUS_BY_CODE = {"reservation_not_found": 404, "slot_not_found": 404, "slot_full": 409}
TEXT_FIELDS = ("name", "kana", "phone", "email", "notice_number", "number", "submission_token")


class ApiError(Exception):
    def __init__(self, status, errors):
        super().__init__(errors[0]["message"])
        self.status = status
        self.errors = errors


def _error(code, field, message, status=422):
    return ApiError(status, [{"code": code, "field": field, "message": message}])


@api.after_request
def allow_listed_origins(response):
    """Browser-based integrators (a LINE mini-app, a city portal) may call the API from the
    origins listed in KOFU_API_ALLOWED_ORIGINS; no other site can read its answers."""
    origin = request.headers.get("Origin", "")
    if origin in current_app.config["API_ALLOWED_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    response.vary.add("Origin")
    return response


@api.errorhandler(ApiError)
def api_error(error):
    return jsonify(error=error.errors[0], errors=error.errors), error.status


@api.route("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@api.route("/purposes")
def purposes():
    return jsonify(purposes=[{"code": code, "label": label} for code, label in PURPOSES])


@api.route("/locations")
def locations():
    rows = Location.in_order().select(Location.id, Location.code, Location.name, Location.address, Location.phone)
    return jsonify(locations=list(rows.dicts()))


def _query_date(name, default):
    text = request.args.get(name)
    if not text:
        return default
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _error("invalid_date", name, f"{name} は YYYY-MM-DD 形式の日付で指定してください。") from None


@api.route("/availability")
def availability():
    purpose = _checked(booking.clean_purpose, request.args.get("purpose"))
    location = Location.select(Location.id).where(Location.id == _int_arg("location"), Location.active).get_or_none()
    if location is None:
        raise _error("location_not_found", "location", "場所が見つかりません。locations の id を指定してください。")
    window_start, window_end = booking.booking_window()
    first_day = max(_query_date("from", window_start), window_start)
    last_day = min(_query_date("to", window_end), window_end, first_day + datetime.timedelta(days=MAX_RANGE_DAYS))
    marks = booking.day_availability(location.id, purpose, first_day, last_day)
    slots = booking.slots_between(location.id, purpose, first_day, last_day)
    days = [
        {
            "date": day.isoformat(),
            "mark": marks[day].mark,
            "free": marks[day].free,
            "slots": [
                {
                    "id": slot.id,
                    "starts_at": f"{slot.starts_at:%H:%M}",
                    "ends_at": f"{slot.ends_at:%H:%M}",
                    "free": slot.web_free,
                }
                for slot in slots.get(day, [])
            ],
        }
        for day in sorted(marks)
    ]
    return jsonify(
        location=location.id, purpose=purpose, first_day=first_day.isoformat(), last_day=last_day.isoformat(), days=days
    )


def _int_arg(name):
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return None


def _checked(check, *args):
    """Run a booking rule; its refusal becomes an API error with a fitting HTTP status."""
    try:
        return check(*args)
    except booking.BookingError as error:
        raise ApiError(STATUS_BY_CODE.get(error.code, 422), [error.as_dict()]) from None


def _json_body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise _error("invalid_json", None, "リクエスト本文は JSON のオブジェクトで送ってください。", status=400)
    for name in TEXT_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], str):
            label = booking.FIELD_LABELS.get(name, name)
            raise _error("invalid", name, f"{label}は文字列で指定してください。")
    return body


def _birth_date(body):
    try:
        return datetime.date.fromisoformat(str(body.get("birth_date") or ""))
    except ValueError:
        raise _error("invalid_birth_date", "birth_date", "生年月日は YYYY-MM-DD 形式で指定してください。") from None


def _applicant(body, purpose):
    """Check every field at once, so a client sees all its mistakes in one answer."""
    errors = []
    values = {}
    checks = {
        "name": lambda: booking.clean_name(body.get("name")),
        "kana": lambda: booking.clean_kana(body.get("kana")),
        "birth_date": lambda: booking.clean_birth_date(_birth_date(body), now().date()),
        "phone": lambda: booking.clean_phone(body.get("phone")),
        "email": lambda: booking.clean_email(body.get("email")),
        "people": lambda: booking.clean_people(body.get("people", 1)),
    }
    if purpose == "collect":
        checks["notice_number"] = lambda: booking.clean_notice_number(body.get("notice_number"))
    for name, check in checks.items():
        try:
            values[name] = check()
        except booking.BookingError as error:
            errors.append(error.as_dict())
        except ApiError as error:
            errors.extend(error.errors)
    if errors:
        raise ApiError(422, errors)
    return booking.Applicant(**values)


def reservation_json(reservation):
    slot = reservation.slot
    return {
        "number": reservation.number,
        "status": reservation.status,
        "purpose": reservation.purpose,
        "location": {"id": slot.location.id, "name": slot.location.name},
        "date": slot.date.isoformat(),
        "starts_at": f"{slot.starts_at:%H:%M}",
        "ends_at": f"{slot.ends_at:%H:%M}",
        "people": reservation.people,
        "name": reservation.name,
        "kana": reservation.kana,
        "notice_number": reservation.notice_number,
        "change_deadline": booking.change_deadline(slot.date).isoformat(),
        "can_change": booking.can_still_change(reservation),
    }


@api.route("/reservations", methods=["POST"])
@booking_limit
def create_reservation():
    body = _json_body()
    purpose = _checked(booking.clean_purpose, body.get("purpose"))
    applicant = _applicant(body, purpose)
    slot_id = body.get("slot_id") if type(body.get("slot_id")) is int else None
    result = _checked(lambda: booking.book(slot_id, purpose, applicant, submission_token=body.get("submission_token")))
    reservation = booking.find(result.reservation.number, applicant.birth_date)
    if result.created and reservation.email:
        send_confirmation(reservation)
    return jsonify(reservation=reservation_json(reservation), created=result.created), 201 if result.created else 200


@api.route("/reservations/lookup", methods=["POST"])
@lookup_limit
def lookup_reservation():
    body = _json_body()
    reservation = _checked(booking.look_up, body.get("number") or "", _birth_date(body))
    return jsonify(reservation=reservation_json(reservation))


@api.route("/reservations/cancel", methods=["POST"])
@lookup_limit
def cancel_reservation():
    body = _json_body()
    birth_date = _birth_date(body)
    reservation = _checked(lambda: booking.cancel(body.get("number") or "", birth_date))
    return jsonify(reservation=reservation_json(booking.find(reservation.number, birth_date)))
