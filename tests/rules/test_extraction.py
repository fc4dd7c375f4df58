import datetime

import pytest
from playhouse.test_utils import count_queries

from models import FeePayment, StorageLocation
from rules.extraction import DATASETS, ExtractionError, extract
from tests.factories import gen_application, gen_card, gen_location, gen_reservation, gen_slot

DEC_1, DEC_31 = datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)


def test_reservations_come_out_in_the_period_with_labels_and_their_slot(database):
    """Are the reservations of the period extracted in date order, codes as labels, slot and place joined in?"""
    location = gen_location(name="本庁 市民課")
    gen_reservation(
        slot=gen_slot(location=location, day=datetime.date(2026, 12, 9)), number="BBBB2222", purpose="collect"
    )
    gen_reservation(
        slot=gen_slot(location=location, day=DEC_1, start=datetime.time(13, 30)), number="AAAA1111", channel="phone"
    )
    gen_reservation(slot=gen_slot(location=location, day=datetime.date(2027, 1, 4)), number="CCCC3333")
    columns = ["number", "date", "starts_at", "location", "purpose", "channel", "status"]
    extraction = extract("reservations", columns, DEC_1, DEC_31)
    assert extraction.header == ["予約番号", "予約日", "開始時刻", "場所", "予約種別", "受付経路", "状態"]
    assert extraction.rows == [
        ["AAAA1111", "2026-12-01", "13:30", "本庁 市民課", "申請", "電話", "予約中"],
        ["BBBB2222", "2026-12-09", "09:00", "本庁 市民課", "交付(受取)", "Web", "予約中"],
    ]


def test_cards_without_a_place_or_box_still_come_out(database):
    """Is a card with no 交付場所 or 保管場所 extracted with those cells empty, not dropped by the joins?"""
    location = gen_location(name="本庁")
    box = StorageLocation.create(location=location, code="A-1-1", cabinet="A", shelf="1", box="1")
    gen_card(name="箱の　中", location=location, storage=box, delivered_on=DEC_1, cert_expiry=datetime.date(2031, 5, 1))
    gen_card(name="未定　の人", delivered_on=DEC_1)
    rows = extract("cards", ["name", "location", "storage", "cert_expiry"], DEC_1, DEC_1).rows
    assert sorted(rows) == [["未定　の人", "", "", ""], ["箱の　中", "本庁", "A-1-1", "2031-05-01"]]


def test_fees_of_the_last_day_count_until_midnight(database):
    """Does a fee paid at 16:59 on the last day of the period come out, with yes/no for 取消?"""
    location = gen_location()
    FeePayment.create(
        location=location,
        kind="reissue_card",
        amount=1000,
        fiscal_year=2026,
        receipt_seq=1,
        paid_at=datetime.datetime(2026, 12, 31, 16, 59),
    )
    rows = extract("fees", ["paid_at", "kind", "amount", "void"], DEC_1, DEC_31).rows
    assert rows == [["2026-12-31 16:59", "再交付手数料(カード)", 1000, "いいえ"]]


def test_one_query_whatever_the_rows(database):
    """Does an extraction cost one query for 1 application and for 30 (no query per row for the joins)?"""
    location = gen_location()

    def queries_for(count):
        for _ in range(count):
            gen_application(location=location, received_on=DEC_1)
        with count_queries() as counter:
            extract("applications", [column.key for column in DATASETS["applications"].columns], DEC_1, DEC_1)
        return counter.count

    assert queries_for(1) == queries_for(29) == 1


@pytest.mark.parametrize(
    ("dataset", "columns", "start", "end", "message"),
    [
        ("secrets", ["name"], DEC_1, DEC_31, "抽出するデータを選んでください。"),
        ("cards", ["password_hash"], DEC_1, DEC_31, "出力する項目を1つ以上選んでください。"),
        ("cards", ["name"], DEC_31, DEC_1, "終了日は開始日より後にしてください。"),
    ],
)
def test_an_extraction_that_cannot_be_made_says_why(database, dataset, columns, start, end, message):
    """Is an unknown dataset, a column outside the list, or a reversed period refused with the reason?"""
    with pytest.raises(ExtractionError, match=message):
        extract(dataset, columns, start, end)


def test_too_many_rows_are_refused_before_any_file_is_made(database):
    """Is an extraction over the row limit refused with advice to split the period?"""
    for _ in range(3):
        gen_card(delivered_on=DEC_1)
    with pytest.raises(ExtractionError, match="2件を超えます"):
        extract("cards", ["name"], DEC_1, DEC_1, limit=2)
