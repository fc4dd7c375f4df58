"""The morning a month of slots opens: N residents read availability and book at once.

    .venv/bin/python bench/booking_rush.py [--clients 100] [--seconds 10] [--capacity 6]
    .venv/bin/python bench/booking_rush.py --postgres postgresql://postgres@127.0.0.1:5432/test

Serves the app with waitress on loopback (behind a simulated proxy, so each client is a resident
with an address of its own for the rate limits), measures /healthz as the baseline, then the
month calendar, then the rush: each client opens a day's times and books a slot through the
public HTML form. Afterwards it counts overbooked slots straight from the database.
"""

import argparse
import contextlib
import datetime
import random
import re
import secrets
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg2  # noqa: E402

from bench.loadgen import Client, app_command, run, served_app  # noqa: E402

KANA_DIGITS = "アイウエオカキクケコ"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--capacity", type=int, default=6, help="seats per 30-minute slot")
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL server instead of SQLite")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir, database_url(options.postgres, data_dir) as url:
        environment = {"KOFU_DATA_DIR": data_dir, "KOFU_DATABASE_URL": url, "KOFU_PROXY_COUNT": "1"}
        app_command(environment, "init-db")
        location_id, slots_by_day = release_month(url, options.capacity)
        seats = sum(options.capacity for slots in slots_by_day.values() for _ in slots)
        with served_app(environment) as base_url:
            report(options, url, base_url, location_id, slots_by_day, seats)


@contextlib.contextmanager
def database_url(postgres_url, data_dir):
    if not postgres_url:
        yield f"sqlite:///{data_dir}/kofu.sqlite3"
        return
    schema = f"kofu_bench_{uuid.uuid4().hex[:8]}"
    _postgres(postgres_url, f"CREATE SCHEMA {schema}")
    try:
        yield f"{postgres_url}?options=-csearch_path%3D{schema}"
    finally:
        _postgres(postgres_url, f"DROP SCHEMA {schema} CASCADE")


def _postgres(url, statement):
    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def release_month(url, capacity):
    """One counter open on weekdays 9:00–17:00 in 30-minute slots, for the coming 30 days."""
    from app import create_app
    from models import Location, Slot, SlotRule, db
    from rules.clock import today
    from rules.slots import generate_slots

    create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with db.connection_context():
        location = Location.create(code="HONCHO", name="本庁 市民課")
        SlotRule.create(
            location=location,
            opens_at=datetime.time(9),
            closes_at=datetime.time(17),
            capacity=capacity,
            purposes="apply",
        )
        generate_slots(today() + datetime.timedelta(days=1), today() + datetime.timedelta(days=30))
        slots_by_day = {}
        for slot_id, day in Slot.select(Slot.id, Slot.date).tuples():
            slots_by_day.setdefault(day, []).append(slot_id)
    db.close()
    return location.id, slots_by_day


def resident(number):
    """A fictitious resident, unique by kana, with the address a proxy would report."""
    kana = "ベンチ　" + "".join(KANA_DIGITS[int(digit)] for digit in f"{number:06d}")
    return kana, f"10.{number // 62500 % 250}.{number // 250 % 250}.{number % 250 + 1}"


def report(options, url, base_url, location_id, slots_by_day, seats):
    clients = [_client(base_url, index, slots_by_day) for index in range(options.clients)]
    calendar = f"/book/apply/{location_id}"
    print(
        f"{options.clients} clients, {len(slots_by_day)} days, {seats} seats, "
        f"database {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}, one waitress process"
    )
    baseline = run("baseline /healthz", clients, lambda c: c.request("GET", "/healthz")[0] == 200, options.seconds)
    print(baseline.line())
    availability = run("availability (month)", clients, lambda c: c.request("GET", calendar)[0] == 200, options.seconds)
    print(availability.line(baseline))
    days = sorted(slots_by_day)
    outcomes = {"booked": 0, "refused": 0}

    def book(client):
        day = random.choice(days)
        if client.request("GET", f"/book/apply/{location_id}/{day.isoformat()}")[0] != 200:
            return False
        body, address = _booking_form(client, random.choice(slots_by_day[day]))
        status, _ = client.request("POST", "/book/confirm", body, {**FORM, "X-Forwarded-For": address})
        outcomes["booked" if status == 302 else "refused"] += 1
        return status in (200, 302)

    rush = run("rush (times page + booking)", clients, book, options.seconds * 2)
    bookings_per_second = outcomes["booked"] / rush.seconds
    print(rush.line(baseline))
    print(
        f"bookings: {outcomes['booked']} in {rush.seconds:.1f} s = {bookings_per_second:.1f} bookings/s; "
        f"refused (slot full): {outcomes['refused']}"
    )
    overbooked, mismatched = check_counts(url)
    print(f"overbooked slots: {overbooked}; slots whose count differs from their bookings: {mismatched}")
    print(f"availability at {availability.per_second / baseline.per_second:.0%} of the baseline's req/s")


def _client(base_url, index, slots_by_day):
    client = Client(base_url)
    client.sequence = index * 10000
    first_slot = next(iter(slots_by_day.values()))[0]
    _status, page = client.request("GET", f"/book/details?purpose=apply&slot={first_slot}")
    client.csrf_token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    return client


def _booking_form(client, slot_id):
    """The confirmed booking form of the next resident, and that resident's address."""
    client.sequence += 1
    kana, address = resident(client.sequence)
    body = urlencode(
        {
            "csrf_token": client.csrf_token,
            "purpose": "apply",
            "slot": slot_id,
            "name": "予約　太郎",
            "kana": kana,
            "birth_date": "1980-04-01",
            "phone": "0887-35-0000",
            "email": "",
            "people": "1",
            "notice_number": "",
            "consent": "y",
            "website": "",
            "submission_token": secrets.token_urlsafe(24),
        }
    )
    return body, address


def check_counts(url):
    from peewee import fn

    from database import make_database
    from models import Reservation, Slot, db

    db.initialize(make_database(url))
    with db.connection_context():
        overbooked = Slot.select().where(Slot.booked > Slot.capacity).count()
        counted = dict(
            Reservation.select(Reservation.slot, fn.SUM(Reservation.people))
            .where(Reservation.status == "booked")
            .group_by(Reservation.slot)
            .tuples()
        )
        mismatched = sum(
            1 for slot_id, booked in Slot.select(Slot.id, Slot.booked).tuples() if booked != counted.get(slot_id, 0)
        )
    return overbooked, mismatched


if __name__ == "__main__":
    main()
