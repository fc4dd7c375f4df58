"""``gen_*`` factories for test data: fictitious people and places, sensible defaults."""

import datetime
import itertools

from models import Announcement, Application, Card, Location, Reservation, Slot, User
from rules.clock import now, today
from rules.passwords import hash_password
from rules.reservation_numbers import new_reservation_number

PASSWORD = "test-pass-2026"
_sequence = itertools.count(1)
_password_hash = None


def gen_user(role="clerk", login=None, **fields):
    global _password_hash
    if _password_hash is None:
        _password_hash = hash_password(PASSWORD)
    login = login or f"{role}{next(_sequence)}"
    defaults = {"name": f"職員 {login}", "password_hash": _password_hash}
    return User.create(login=login, role=role, **{**defaults, **fields})


def gen_location(**fields):
    number = next(_sequence)
    return Location.create(**{"code": f"LOC{number}", "name": f"窓口{number}", **fields})


def gen_slot(location=None, day=None, start=datetime.time(9, 0), **fields):
    location = location or gen_location()
    day = day or today() + datetime.timedelta(days=1)
    end = (datetime.datetime.combine(day, start) + datetime.timedelta(minutes=30)).time()
    defaults = {"purposes": "apply,collect,renew_cert", "capacity": 2}
    return Slot.create(location=location, date=day, starts_at=start, ends_at=end, **{**defaults, **fields})


def gen_reservation(slot=None, **fields):
    slot = slot or gen_slot()
    defaults = {
        "number": new_reservation_number(),
        "purpose": "apply",
        "channel": "web",
        "name": "安芸　花子",
        "kana": "アキ　ハナコ",
        "birth_date": datetime.date(1980, 4, 1),
        "people": 1,
    }
    return Reservation.create(slot=slot, **{**defaults, **fields})


def new_form_id():
    """A 23-digit 申請書ID no other factory row has."""
    return f"{next(_sequence):023d}"


def gen_application(location=None, **fields):
    defaults = {
        "application_form_id": new_form_id(),
        "method": "counter",
        "name": "安芸　次郎",
        "kana": "アキ　ジロウ",
        "birth_date": datetime.date(1985, 6, 15),
        "address": "高知県安芸市矢ノ丸一丁目1番1号",
        "visit_type": "at_issuance",
        "issue_kind": "new",
    }
    return Application.create(location=location or gen_location(), **{**defaults, **fields})


def gen_card(**fields):
    number = next(_sequence)
    defaults = {
        "application_form_id": f"{number:023d}",
        "name": "安芸　太郎",
        "kana": "アキ　タロウ",
        "birth_date": datetime.date(1970, 1, 2),
        "visit_type": "at_issuance",
        "notice_number": f"ABC-{number:06d}",
        "delivered_on": today(),
    }
    return Card.create(**{**defaults, **fields})


def gen_announcement(**fields):
    defaults = {"title": "お知らせ", "audience": "staff", "starts_at": now() - datetime.timedelta(hours=1)}
    return Announcement.create(**{**defaults, **fields})
