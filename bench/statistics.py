"""Benchmark of 集計グラフ on a year of a city of 300,000: 150,000 reservations in 11,680 slots,
60,000 applications, 100,000 cards issued and 30,000 fees over 365 days at 4 locations. Each
report is timed (best of 3) against the cheapest question about the same rows, measured in the
same run: a COUNT(*) of the table the report reads. The tables are analysed after seeding, as
kofu's own bulk writers (CSV import, restore) do: PostgreSQL plans a fresh table as empty.

    .venv/bin/python bench/statistics.py [--postgres postgresql://...]
"""

import argparse
import datetime
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ledger_import import best_of, migrated_app, postgres_schema  # noqa: E402
from database import refresh_planner_statistics  # noqa: E402
from models import Application, Card, CardEvent, FeePayment, Location, Reservation, Slot, db  # noqa: E402
from rules.statistics_report import build_report  # noqa: E402

FIRST_DAY = datetime.date(2026, 1, 1)
DAYS, LOCATIONS, SLOTS_A_DAY = 365, 4, 8
RESERVATIONS, APPLICATIONS, ISSUED, FEES = 150_000, 60_000, 100_000, 30_000
REPORTS = (
    ("予約人数・場所別・月ごと", "reserved", "location", "month", Reservation),
    ("来庁人数・受付経路別・日ごと", "visited", "channel", "day", Reservation),
    ("申請受付・申請方法別・週ごと", "applications", "method", "week", Application),
    ("交付・場所別・日ごと", "issued", "location", "day", CardEvent),
    ("手数料・種別別・月ごと", "fees", "kind", "month", FeePayment),
)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL の URL(一時スキーマを作って測り、最後に削除)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}", folder)
        if arguments.postgres:
            with postgres_schema(arguments.postgres) as url:
                measure("PostgreSQL", url, folder)


def measure(label, url, folder):
    app = migrated_app(url, folder)
    last_day = FIRST_DAY + datetime.timedelta(days=DAYS - 1)
    with app.app_context(), db.connection_context():
        seed(random.Random(1))
        refresh_planner_statistics(db, (Location, Slot, Reservation, Application, Card, CardEvent, FeePayment))
        print(f"{label}:")
        for name, subject, breakdown, unit, model in REPORTS:
            baseline = best_of(3, lambda model=model: model.select().count())
            seconds = best_of(3, lambda s=subject, b=breakdown, u=unit: build_report(FIRST_DAY, last_day, s, b, u))
            print(f"  {name}: {seconds * 1000:.0f} ms (COUNT(*) {baseline * 1000:.1f} ms, {seconds / baseline:.1f}×)")
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()


def seed(chance):
    with db.atomic():
        locations = [Location.create(code=f"L{n + 1}", name=f"窓口{n + 1}", sort_order=n).id for n in range(LOCATIONS)]
        slots = _slots(locations)
        _insert(Reservation, (_reservation(n, chance.choice(slots), chance) for n in range(RESERVATIONS)))
        _insert(Application, (_application(n, chance, locations) for n in range(APPLICATIONS)))
        _insert(Card, (_card(n, chance, locations) for n in range(ISSUED)))
        card_ids = [card_id for (card_id,) in Card.select(Card.id).tuples()]
        _insert(CardEvent, ({"card": card_id, "to_stage": "issued", "at": _moment(chance)} for card_id in card_ids))
        _insert(FeePayment, (_fee(n, chance, locations) for n in range(FEES)))


def _slots(locations):
    rows = [
        {
            "location": location,
            "date": FIRST_DAY + datetime.timedelta(days=day),
            "starts_at": datetime.time(9 + hour),
            "ends_at": datetime.time(9 + hour, 30),
            "purposes": "apply,collect,renew_cert",
            "capacity": 100,
        }
        for location in locations
        for day in range(DAYS)
        for hour in range(SLOTS_A_DAY)
    ]
    _insert(Slot, rows)
    return [slot_id for (slot_id,) in Slot.select(Slot.id).tuples()]


def _reservation(n, slot, chance):
    return {
        **_names(n),
        "number": f"R{n:09d}",
        "slot": slot,
        "purpose": chance.choice(("apply", "collect", "renew_cert")),
        "channel": chance.choice(("web", "web", "phone", "counter")),
        "status": chance.choice(("booked", "visited", "visited", "visited", "no_show", "cancelled")),
        "people": chance.choice((1, 1, 1, 2, 3)),
    }


def _application(n, chance, locations):
    return {
        **_names(n),
        "application_form_id": f"{n:023d}",
        "method": chance.choice(("counter", "outreach", "workplace", "support")),
        "visit_type": "at_issuance",
        "location": chance.choice(locations),
        "received_on": _moment(chance).date(),
    }


def _card(n, chance, locations):
    return {
        **_names(n),
        "application_form_id": f"{n:023d}",
        "visit_type": "at_issuance",
        "stage": "issued",
        "location": chance.choice(locations),
    }


def _fee(n, chance, locations):
    return {
        "location": chance.choice(locations),
        "kind": chance.choice(("reissue_card", "reissue_cert")),
        "amount": 1000,
        "fiscal_year": 2026,
        "receipt_seq": n + 1,
        "paid_at": _moment(chance),
        "void": chance.random() < 0.01,
    }


def _names(n):
    return {
        "name": f"安芸　{n}",
        "kana": "アキ　タロウ",
        "kana_key": "アキタロウ",
        "birth_date": datetime.date(1980, 1, 1),
    }


def _moment(chance):
    return datetime.datetime.combine(FIRST_DAY, datetime.time(9)) + datetime.timedelta(
        days=chance.randrange(DAYS), minutes=chance.randrange(480)
    )


def _insert(model, rows, batch=1000):
    rows = list(rows)
    for start in range(0, len(rows), batch):
        model.insert_many(rows[start : start + batch]).execute()


if __name__ == "__main__":
    main()
