"""``gen_*`` factories for applications, fees and documents (issue 4)."""

import datetime
import itertools

from models import Application
from tests.factories import gen_location

_sequence = itertools.count(1)


def new_form_id():
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
