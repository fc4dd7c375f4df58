import datetime

import pytest

from models import Reservation, Slot
from rules import settings
from rules.clock import today
from tests.factories import gen_card, gen_location, gen_reservation, gen_slot

IN_THREE_DAYS = today() + datetime.timedelta(days=3)


def new_reservation(slot, **fields):
    return {
        "slot_id": slot.id,
        "purpose": "apply",
        "name": "安芸 花子",
        "kana": "あき はなこ",
        "birth_date": "1980-04-01",
        "phone": "0887-35-1000",
        **fields,
    }


def test_purposes_and_locations(client, database):
    """Do the API list the purposes with Japanese labels and the active locations in order?"""
    gen_location(name="本庁", sort_order=1)
    gen_location(name="支所", sort_order=2)
    gen_location(name="閉鎖", active=False)
    purposes = client.get("/api/v1/purposes").json["purposes"]
    assert {"code": "collect", "label": "交付(受取)"} in purposes
    assert [row["name"] for row in client.get("/api/v1/locations").json["locations"]] == ["本庁", "支所"]


def test_availability_by_location_purpose_and_range(client, database):
    """Does availability give each day's mark and each slot's free web seats within the range?"""
    slot = gen_slot(day=IN_THREE_DAYS, capacity=4, phone_reserved=1, booked=1)
    gen_slot(location=slot.location, day=IN_THREE_DAYS + datetime.timedelta(days=5))
    answer = client.get(
        f"/api/v1/availability?location={slot.location_id}&purpose=apply&from={IN_THREE_DAYS}&to={IN_THREE_DAYS}"
    ).json
    [day] = answer["days"]
    assert day["date"] == IN_THREE_DAYS.isoformat() and day["mark"] == "○"
    assert day["slots"] == [{"id": slot.id, "starts_at": "09:00", "ends_at": "09:30", "free": 2}]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("location=1&purpose=party", "unknown_purpose"),
        ("location=999&purpose=apply", "location_not_found"),
        ("location=1&purpose=apply&from=12/24", "invalid_date"),
    ],
)
def test_availability_bad_query(client, database, query, code):
    """Is a bad availability query answered with 422 and a machine-readable code?"""
    gen_location()
    response = client.get(f"/api/v1/availability?{query}")
    assert response.status_code == 422 and response.json["error"]["code"] == code


def test_create_look_up_and_cancel(client, database):
    """Can an integrator book, look the booking up and cancel it, without any CSRF token?"""
    slot = gen_slot(day=IN_THREE_DAYS)
    created = client.post("/api/v1/reservations", json=new_reservation(slot))
    assert created.status_code == 201 and created.json["created"]
    number = created.json["reservation"]["number"]
    assert created.json["reservation"]["kana"] == "アキ\u3000ハナコ"
    found = client.post("/api/v1/reservations/lookup", json={"number": number.lower(), "birth_date": "1980-04-01"})
    assert found.status_code == 200 and found.json["reservation"]["can_change"]
    cancelled = client.post("/api/v1/reservations/cancel", json={"number": number, "birth_date": "1980-04-01"})
    assert cancelled.json["reservation"]["status"] == "cancelled" and Slot.get_by_id(slot.id).booked == 0
    assert "Set-Cookie" not in created.headers and "Set-Cookie" not in cancelled.headers


def test_all_field_errors_at_once(client, database):
    """Does a request with several bad fields get every error, each with code, field and Japanese message?"""
    slot = gen_slot(day=IN_THREE_DAYS)
    body = new_reservation(slot, kana="Hanako", birth_date="2999-01-01", people=9, name="")
    response = client.post("/api/v1/reservations", json=body)
    assert response.status_code == 422
    fields = {error["field"]: error for error in response.json["errors"]}
    assert set(fields) == {"name", "kana", "birth_date", "people"}
    assert fields["kana"]["code"] == "invalid_kana" and "フリガナ" in fields["kana"]["message"]
    assert Reservation.select().count() == 0


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"slot_id": 999999}, 404, "slot_not_found"),
        ({"slot_id": "1"}, 404, "slot_not_found"),
        ({"purpose": "collect", "notice_number": "ZZZ-999999"}, 422, "notice_unknown"),
        ({"purpose": "renew_cert"}, 422, "purpose_mismatch"),
        ({"name": ["安芸"]}, 422, "invalid"),
    ],
)
def test_create_refusals(client, database, fields, status, code):
    """Are a foreign slot, an unknown notice number, a purpose mismatch and a wrong type refused, writing nothing?"""
    slot = gen_slot(day=IN_THREE_DAYS, purposes="apply,collect")
    response = client.post("/api/v1/reservations", json=new_reservation(slot, **fields))
    assert response.status_code == status and response.json["error"]["code"] == code
    assert Reservation.select().count() == 0 and Slot.get_by_id(slot.id).booked == 0


def test_full_slot_is_a_conflict(client, database):
    """Is a full slot answered with 409 and the same message as the site?"""
    slot = gen_slot(day=IN_THREE_DAYS, capacity=1, booked=1)
    response = client.post("/api/v1/reservations", json=new_reservation(slot))
    assert response.status_code == 409 and "満席" in response.json["error"]["message"]


def test_duplicate_is_refused(client, database):
    """Is the same person refused a second booking of the same purpose?"""
    gen_reservation(kana="アキ ハナコ", birth_date=datetime.date(1980, 4, 1))
    response = client.post("/api/v1/reservations", json=new_reservation(gen_slot(day=IN_THREE_DAYS)))
    assert response.status_code == 422 and response.json["error"]["code"] == "duplicate"


def test_collect_with_notice_number(client, database):
    """Is a 交付 booking accepted with a ready card and its notice number without hyphen?"""
    slot = gen_slot(day=IN_THREE_DAYS)
    gen_card(stage="notified", location=slot.location, birth_date=datetime.date(1980, 4, 1), notice_number="A1B-123456")
    body = new_reservation(slot, purpose="collect", notice_number="a1b123456")
    response = client.post("/api/v1/reservations", json=body)
    assert response.status_code == 201 and response.json["reservation"]["notice_number"] == "A1B-123456"


def test_same_submission_token_books_once(client, database):
    """Does a repeated request with the same submission_token return the first booking?"""
    slot = gen_slot(day=IN_THREE_DAYS)
    body = new_reservation(slot, submission_token="integrator-request-0001")
    first = client.post("/api/v1/reservations", json=body)
    second = client.post("/api/v1/reservations", json=body)
    assert (first.status_code, second.status_code) == (201, 200) and not second.json["created"]
    assert first.json["reservation"]["number"] == second.json["reservation"]["number"]
    assert Reservation.select().count() == 1


def test_not_json_and_unknown_booking(client, database):
    """Are a body that is not JSON and an unknown number answered with codes?"""
    response = client.post("/api/v1/reservations", data="name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_json"
    response = client.post("/api/v1/reservations/lookup", json={"number": "ABCD-2345", "birth_date": "1980-04-01"})
    assert response.status_code == 404 and response.json["error"]["code"] == "reservation_not_found"
    response = client.post("/api/v1/reservations/cancel", json={"number": "ABCD-2345", "birth_date": "04/01"})
    assert response.status_code == 422 and response.json["error"]["field"] == "birth_date"


def test_cancel_after_deadline(client, database):
    """Is a cancellation after the deadline refused with its code?"""
    slot = gen_slot(day=today() + datetime.timedelta(days=1), start=datetime.time(23, 30))
    gen_reservation(slot=slot, number="ABCD-2345", birth_date=datetime.date(1980, 4, 1))
    settings.put("cancel_deadline_days_before", "2")
    response = client.post("/api/v1/reservations/cancel", json={"number": "ABCD-2345", "birth_date": "1980-04-01"})
    assert response.status_code == 422 and response.json["error"]["code"] == "deadline_passed"


def test_api_is_rate_limited_in_json(request, app_config):
    """Is the API limited like the site, answering 429 in JSON with a Japanese message?"""
    app_config.update(RATELIMIT_LOOKUP="2 per minute")
    client = request.getfixturevalue("client")
    body = {"number": "ABCD-2345", "birth_date": "1980-04-01"}
    codes = [client.post("/api/v1/reservations/lookup", json=body).status_code for _ in range(3)]
    assert codes == [404, 404, 429]
    response = client.post("/api/v1/reservations/lookup", json=body)
    assert response.json["error"]["code"] == "rate_limited" and "アクセスが集中" in response.json["error"]["message"]


def test_openapi_document(client, database):
    """Is an OpenAPI document published that lists every endpoint?"""
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/purposes",
        "/locations",
        "/availability",
        "/reservations",
        "/reservations/lookup",
        "/reservations/cancel",
    }


def test_html_forms_still_need_csrf(client, database):
    """Is only the API exempt from CSRF: a site form posted without its token is refused?"""
    slot = gen_slot(day=IN_THREE_DAYS)
    response = client.post("/book/details", data={"purpose": "apply", "slot": slot.id})
    assert response.status_code == 400 and "有効期限" in response.get_data(as_text=True)


def test_api_booking_with_address_sends_the_mail(client, database, tmp_path):
    """Does an API booking with an e-mail address get the same confirmation mail?"""
    slot = gen_slot(day=IN_THREE_DAYS)
    number = client.post("/api/v1/reservations", json=new_reservation(slot, email="hanako@example.jp")).json[
        "reservation"
    ]["number"]
    [mail] = (tmp_path / "outbox").glob("*.eml")
    assert number.encode() in mail.read_bytes()


def test_unknown_api_path_answers_json(client, database):
    """Does an unknown /api/v1/ path answer a JSON error, not an HTML page?"""
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.get_json()["error"] == {"code": "not_found", "field": None, "message": "ページが見つかりません。"}


def test_cross_origin_calls_only_from_listed_origins(app_config, database):
    """Can a listed integrator's page call the API from the browser, while any other site cannot?"""
    from app import create_app

    client = create_app(
        {**app_config, "API_ALLOWED_ORIGINS": "https://liff.example.jp, https://city.example.jp/"}
    ).test_client()
    preflight = client.options(
        "/api/v1/reservations", headers={"Origin": "https://liff.example.jp", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://liff.example.jp"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    listed = client.get("/api/v1/purposes", headers={"Origin": "https://city.example.jp"})
    assert listed.headers["Access-Control-Allow-Origin"] == "https://city.example.jp"
    other = client.get("/api/v1/purposes", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers and "Origin" in other.headers["Vary"]
