import datetime

import pytest

from models import StorageLocation
from rules.card_documents import UnknownCards, day_batch, default_day, sheets_for_cards
from rules.clock import today
from tests.factories import gen_card, gen_location, gen_reservation, gen_slot


def test_selection_keeps_the_order_asked_and_prints_a_card_once(database):
    """Does a selection give one page per card, in the order asked, a repeated id only once?"""
    first, second = gen_card(name="一番　目"), gen_card(name="二番　目")
    sheets = sheets_for_cards([second.id, first.id, second.id])
    assert [sheet.card.name for sheet in sheets] == ["二番　目", "一番　目"]
    assert all(sheet.reservation is None for sheet in sheets)


def test_selection_with_an_unknown_id_is_refused_naming_it(database):
    """Is a selection holding ids the ledger lacks refused whole, with every such id named?"""
    card = gen_card()
    with pytest.raises(UnknownCards) as refused:
        sheets_for_cards([card.id, 90001, 90002])
    assert refused.value.card_ids == [90001, 90002]
    assert "90001、90002" in str(refused.value)


def test_day_batch_is_tomorrows_collect_bookings_at_the_location_in_time_order(database):
    """Does the day batch hold tomorrow's 交付 bookings of that location only, earliest first, each with its card?"""
    location, elsewhere = gen_location(), gen_location()
    tomorrow = default_day()
    assert tomorrow == today() + datetime.timedelta(days=1)
    late, early = (gen_slot(location=location, day=tomorrow, start=datetime.time(hour, 0)) for hour in (14, 9))
    linked = gen_card(name="紐付　済み")
    by_notice = gen_card(name="番号　照合", birth_date=datetime.date(1985, 6, 7))
    gen_reservation(slot=late, purpose="collect", card=linked, notice_number=linked.notice_number)
    gen_reservation(
        slot=early, purpose="collect", notice_number=by_notice.notice_number, birth_date=datetime.date(1985, 6, 7)
    )
    gen_reservation(slot=early, purpose="apply", name="申請　予約")
    gen_reservation(slot=early, purpose="collect", card=gen_card(name="取消　済み"), status="cancelled")
    gen_reservation(slot=gen_slot(location=elsewhere, day=tomorrow), purpose="collect", card=gen_card(name="別の場所"))
    gen_reservation(slot=gen_slot(location=location, day=today()), purpose="collect", card=gen_card(name="今日　来庁"))

    batch = day_batch(location)

    assert batch.day == tomorrow and batch.location == location
    assert [sheet.card.name for sheet in batch.sheets] == ["番号　照合", "紐付　済み"]
    assert [sheet.reservation.slot.starts_at for sheet in batch.sheets] == [datetime.time(9, 0), datetime.time(14, 0)]
    assert batch.unmatched == [] and batch.reservation_count == 2


def test_day_batch_lists_bookings_whose_card_is_missing_with_the_reason(database):
    """Are bookings whose card cannot be found kept in the batch, in time order, each with why?"""
    location = gen_location()
    day = default_day()
    slots = [gen_slot(location=location, day=day, start=datetime.time(hour, 0)) for hour in (9, 10, 11)]
    other_person = gen_card(birth_date=datetime.date(1960, 1, 1))
    gen_reservation(slot=slots[2], purpose="collect", notice_number=other_person.notice_number, name="生年　違い")
    gen_reservation(slot=slots[0], purpose="collect", notice_number=None, name="番号　なし")
    gen_reservation(slot=slots[1], purpose="collect", notice_number="ZZZ-999999", name="未登録　番号")

    batch = day_batch(location, day)

    assert batch.sheets == []
    assert [(item.reservation.name, item.reason) for item in batch.unmatched] == [
        ("番号　なし", "予約に交付通知書番号がありません"),
        ("未登録　番号", "交付通知書番号 ZZZ-999999 のカードが管理簿にありません"),
        ("生年　違い", f"交付通知書番号 {other_person.notice_number} のカードと生年月日が一致しません"),
    ]


def test_the_place_of_collection_is_where_the_card_is_kept_else_its_place_of_issue(database):
    """Is a card collected at the counter its box is kept at, else at its place of issue, else unknown?"""
    main, branch = gen_location(name="本庁 市民課"), gen_location(name="東支所")
    box = StorageLocation.create(location=branch, code="E-1", cabinet="E")
    kept = gen_card(location=main, storage=box)
    unboxed = gen_card(location=main)
    nowhere = gen_card()
    sheets = sheets_for_cards([kept.id, unboxed.id, nowhere.id])
    assert [sheet.collection_place for sheet in sheets] == [branch, main, None]
