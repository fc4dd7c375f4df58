import datetime
import re

import pytest

from models import CardEvent, FeePayment
from rules.statistics_report import ReportError, build_report
from tests.factories import gen_application, gen_card, gen_location, gen_reservation, gen_slot

NOV_30, DEC_1, DEC_7, DEC_8 = (
    datetime.date(2026, 11, 30),
    datetime.date(2026, 12, 1),
    datetime.date(2026, 12, 7),
    datetime.date(2026, 12, 8),
)


def _fee(location, day, amount, **fields):
    defaults = {"kind": "reissue_card", "fiscal_year": 2026, "receipt_seq": FeePayment.select().count() + 1}
    at = datetime.datetime.combine(day, datetime.time(10, 0))
    return FeePayment.create(location=location, amount=amount, paid_at=at, **{**defaults, **fields})


def test_people_are_summed_per_month_and_location_without_cancellations(database):
    """Are booked people summed per month and location, cancelled bookings left out and empty months shown as 0?"""
    main, branch = gen_location(name="本庁", sort_order=1), gen_location(name="支所", sort_order=2)
    gen_reservation(slot=gen_slot(location=main, day=NOV_30), people=2)
    gen_reservation(slot=gen_slot(location=main, day=DEC_1), people=3, status="visited")
    gen_reservation(slot=gen_slot(location=branch, day=DEC_8), people=1, status="no_show")
    gen_reservation(slot=gen_slot(location=branch, day=DEC_8, start=datetime.time(10, 0)), people=4, status="cancelled")
    report = build_report(datetime.date(2026, 10, 1), datetime.date(2026, 12, 31), "reserved", "location", "month")
    assert report.columns == ["本庁", "支所"]
    assert report.rows == [("2026年10月", [0, 0], 0), ("2026年11月", [2, 0], 2), ("2026年12月", [3, 1], 4)]
    assert (report.totals, report.total) == ([5, 1], 6)


def test_visits_and_no_shows_by_channel_per_week(database):
    """Are visits counted per Monday-to-Sunday week (11/30 is a Monday) and by booking channel?"""
    slot = gen_slot(day=NOV_30)
    gen_reservation(slot=slot, channel="phone", status="visited", people=2)
    gen_reservation(slot=gen_slot(day=DEC_7), channel="web", status="visited")
    gen_reservation(slot=gen_slot(day=DEC_8), channel="web", status="visited")
    report = build_report(NOV_30, DEC_8, "visited", "channel", "week")
    assert report.columns == ["Web", "電話", "窓口"]
    assert report.rows == [("2026/11/30の週", [0, 2, 0], 2), ("2026/12/07の週", [2, 0, 0], 2)]


def test_applications_by_method_per_day(database):
    """Are applications counted on the day they were received, by method?"""
    gen_application(received_on=DEC_1, method="outreach")
    gen_application(received_on=DEC_1, method="counter")
    gen_application(received_on=DEC_7, method="counter")
    report = build_report(DEC_1, DEC_1 + datetime.timedelta(days=1), "applications", "method", "day")
    assert report.rows == [("2026/12/01", [1, 1, 0, 0], 2), ("2026/12/02", [0, 0, 0, 0], 0)]


def test_issued_cards_by_the_location_holding_them(database):
    """Are cards counted on the day of their 交付済 event, under the card's location?"""
    location = gen_location(name="本庁")
    card = gen_card(location=location)
    CardEvent.create(card=card, to_stage="issued", at=datetime.datetime(2026, 12, 1, 16, 59))
    CardEvent.create(card=gen_card(location=location), to_stage="notified", at=datetime.datetime(2026, 12, 1, 9))
    report = build_report(DEC_1, DEC_1, "issued", "location", "day")
    assert report.rows == [("2026/12/01", [1], 1)]


def test_fees_are_summed_by_kind_without_voided_ones(database):
    """Are fees summed in yen per kind, voided payments left out?"""
    location = gen_location()
    _fee(location, DEC_1, 1000)
    _fee(location, DEC_1, 200, kind="reissue_cert")
    _fee(location, DEC_7, 1000, void=True)
    report = build_report(DEC_1, DEC_7, "fees", "kind", "month")
    assert report.rows == [("2026年12月", [1000, 200, 0, 0], 1200)]
    assert build_report(DEC_1, DEC_7, "fees", "all", "month").rows == [("2026年12月", [1200], 1200)]


@pytest.mark.parametrize(
    ("start", "end", "subject", "breakdown", "unit", "message"),
    [
        (DEC_1, DEC_7, "issued", "purpose", "day", "「交付(枚)」は「予約種別」別には集計できません。"),
        (DEC_7, DEC_1, "reserved", "all", "day", "終了日は開始日より後にしてください。"),
        (datetime.date(2025, 1, 1), DEC_7, "reserved", "all", "day", "日単位の集計は366日分までです。"),
        (DEC_1, DEC_7, "secret", "all", "day", "集計する項目と単位を選んでください。"),
    ],
)
def test_a_report_that_cannot_be_made_says_why(database, start, end, subject, breakdown, unit, message):
    """Is a report that cannot be made refused with a message naming the reason?"""
    with pytest.raises(ReportError, match=re.escape(message)):
        build_report(start, end, subject, breakdown, unit)
