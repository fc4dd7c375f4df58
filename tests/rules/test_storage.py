import datetime

import pytest

from models import Card, StorageLocation
from rules.storage import StorageError, assign_delivery, box_uses, card_from_scan, find_cards
from tests.factories import gen_card, gen_location

DELIVERED = datetime.date(2026, 12, 1)


def gen_box(location, code, capacity=3, **fields):
    cabinet, shelf, box = code.split("-")
    return StorageLocation.create(
        location=location, code=code, cabinet=cabinet, shelf=shelf, box=box, capacity=capacity, **fields
    )


def test_delivery_fills_boxes_in_order_and_warns_when_full(database):
    """Are 5 cards put into 3-card boxes in code order and 50音 order, with a warning for the full box?"""
    location = gen_location()
    second, first = gen_box(location, "A-1-2"), gen_box(location, "A-1-1")
    kana = ["オオタ　イチロウ", "アキ　ハナコ", "ウエダ　ジロウ", "イトウ　サブロウ", "エンドウ　シロウ"]
    for name in kana:
        gen_card(kana=name, delivered_on=DELIVERED, batch="R8-12")
    result = assign_delivery(DELIVERED, [second.id, first.id], batch="R8-12")
    assert result.count == 5 and result.placed == {"A-1-1": 3, "A-1-2": 2}
    assert result.warnings == ["箱 A-1-1 は満杯です(3枚)。"]
    boxed = {card.kana: card.storage_id for card in Card.select()}
    assert [kana for kana, box in sorted(boxed.items()) if box == first.id] == sorted(kana)[:3]
    assert {use.box.code: (use.used, use.full) for use in box_uses()} == {"A-1-1": (3, True), "A-1-2": (2, False)}


def test_a_delivery_that_does_not_fit_is_refused_whole(database):
    """When the chosen boxes have room for 3 of 4 cards, is nothing assigned and the shortfall told?"""
    location = gen_location()
    box = gen_box(location, "B-1-1", capacity=4)
    gen_card(delivered_on=DELIVERED, storage=box)
    for _ in range(4):
        gen_card(delivered_on=DELIVERED)
    with pytest.raises(StorageError, match="カード4枚に対して空き3枚"):
        assign_delivery(DELIVERED, [box.id])
    assert Card.select().where(Card.storage.is_null()).count() == 4


def test_only_unboxed_cards_of_that_delivery_and_place(database):
    """Are boxed, issued, other-day and other-location cards left where they are?"""
    here, there = gen_location(), gen_location()
    box = gen_box(here, "C-1-1", capacity=10)
    waiting = gen_card(delivered_on=DELIVERED, location=here)
    unplaced = gen_card(delivered_on=DELIVERED)
    gen_card(delivered_on=DELIVERED, location=there)
    gen_card(delivered_on=DELIVERED, stage="issued")
    gen_card(delivered_on=DELIVERED + datetime.timedelta(days=1))
    assert assign_delivery(DELIVERED, [box.id]).count == 2
    assert {card.id for card in Card.select().where(Card.storage == box)} == {waiting.id, unplaced.id}
    assert Card.get_by_id(unplaced.id).location_id == here.id


def test_boxes_of_two_places_are_refused(database):
    """Is a choice of boxes at two different places refused?"""
    gen_card(delivered_on=DELIVERED)
    boxes = [gen_box(gen_location(), "D-1-1").id, gen_box(gen_location(), "E-1-1").id]
    with pytest.raises(StorageError, match="同じ場所"):
        assign_delivery(DELIVERED, boxes)


def test_where_is_a_card_by_scan_number_or_form_id(database):
    """Is a card found with its box from an MNCL1 scan, its notice number in any width, or its 申請書ID?"""
    box = gen_box(gen_location(), "F-2-3")
    card = gen_card(application_form_id="44418521867264284878260", notice_number="6A6-244944", storage=box)
    gen_card()
    scan = "MNCL1,44418521867264284878260,6A6-244944,20200506,2,ヤマサキ　タロウ"
    for text in (scan, "6a6244944", "６Ａ６－２４４９４４", "44418521867264284878260"):
        found = find_cards(text)
        assert [item.id for item in found] == [card.id] and found[0].storage.code == "F-2-3"
    assert card_from_scan(scan).id == card.id


def test_where_is_a_card_by_kana_in_any_script_or_name(database):
    """Does a search in hiragana, half-width kana, katakana or kanji (with or without the space) find it?"""
    card = gen_card(name="山﨑　太郎", kana="ヤマサキ　タロウ")
    gen_card(name="田中　花子", kana="タナカ　ハナコ")
    for text in ("やまさき", "ﾔﾏｻｷ ﾀﾛｳ", "ヤマサキタロウ", "山﨑", "山﨑太郎"):
        assert [item.id for item in find_cards(text)] == [card.id], text


def test_scan_of_a_card_not_in_the_ledger_or_a_bad_code(database):
    """Are an unknown card, a malformed code and a 12-digit 個人番号 refused clearly?"""
    with pytest.raises(StorageError, match="管理簿にありません"):
        card_from_scan("XYZ-123456")
    with pytest.raises(StorageError, match="申請書IDは23桁"):
        card_from_scan("MNCL1,123,6A6-244944,20200506,2,ヤマサキ")
    with pytest.raises(StorageError, match="個人番号では検索できません"):
        find_cards("1234 5678 9012")
    assert find_cards("  ") == []
