import datetime

import pytest

from models import Card, CardEvent, QrCaptureScan, QrCaptureSession
from rules import card_capture, settings
from rules.card_capture import CaptureError
from rules.clock import now
from tests.factories import gen_card, gen_user
from tests.qr_codes import SAMPLE, payload


@pytest.fixture
def clerk(database):
    return gen_user("clerk")


def test_sample_payload_registers_a_delivered_card(clerk):
    """Does the documented sample become a 納品 card named by its kana, with its 'delivered' event?"""
    scan = card_capture.register_scan(clerk, SAMPLE)
    assert scan.outcome == "new" and scan.visit_type == "at_application"
    card = Card.get(Card.application_form_id == "44418521867264284878260")
    assert (card.name, card.kana, card.kana_key) == ("ヤマサキ　タロウ", "ヤマサキ　タロウ", "ヤマサキタロウ")
    assert card.notice_number == "6A6-244944" and card.birth_date == datetime.date(2020, 5, 6)
    assert card.stage == "delivered" and card.address == ""
    event = CardEvent.get(CardEvent.card == card)
    assert (event.to_stage, event.note, event.user_id) == ("delivered", "QR読取登録", clerk.id)


def test_hundred_scans_in_a_row_give_hundred_cards(clerk):
    """Do 100 different scans in a row give exactly 100 cards and 100 events, counted per 来庁区分?"""
    for number in range(100):
        card_capture.register_scan(clerk, payload(number, visit="1" if number % 4 == 0 else "2"))
    assert Card.select().count() == 100 and CardEvent.select().count() == 100
    counts = card_capture.session_counts(card_capture.open_session(clerk))
    assert counts["new"] == {"at_application": 25, "at_issuance": 75}


def test_same_code_twice_is_a_duplicate(clerk):
    """Is a second scan of the same code 重複, leaving one card?"""
    card_capture.register_scan(clerk, payload(1))
    scan = card_capture.register_scan(clerk, payload(1))
    assert scan.outcome == "duplicate" and "内容も同じ" in scan.reason
    assert Card.select().count() == 1 and CardEvent.select().count() == 1


def test_changed_fields_are_an_update(clerk):
    """Is a known card with another notice number and kana 更新, naming what changed, the kana-only name following?"""
    card_capture.register_scan(clerk, payload(1))
    scan = card_capture.register_scan(clerk, payload(1, kana="アキ　ジロウ", notice="QRB-000001"))
    assert scan.outcome == "updated" and scan.reason == "交付通知書番号・氏名フリガナを更新しました。"
    card = Card.get()
    assert (card.notice_number, card.kana, card.name) == ("QRB-000001", "アキ　ジロウ", "アキ　ジロウ")


def test_update_keeps_a_kanji_name(clerk):
    """Does a corrected kana leave a kanji name from the CSV alone?"""
    gen_card(
        application_form_id="90000000000000000000001",
        notice_number="QRA-000001",
        name="安芸　太郎",
        kana="アキ　タロウ",
        birth_date=datetime.date(1980, 4, 1),
    )
    scan = card_capture.register_scan(clerk, payload(1, kana="アキ　タロオ"))
    assert scan.outcome == "updated" and Card.get().name == "安芸　太郎"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("hello", "形式が違います"),
        ("", "形式が違います"),
        (payload(1).replace("90000000000000000000001", "9000000000000000000001"), "読み取った値は22桁"),
        (payload(1).replace("90000000000000000000001", "900000000000000000000012"), "読み取った値は24桁"),
        (payload(1, visit="3"), "来庁区分"),
    ],
)
def test_bad_payloads_are_errors_and_write_no_card(clerk, text, reason):
    """Is a payload of the wrong shape or a wrong-length 申請書ID an エラー with the reason, writing no card?"""
    scan = card_capture.register_scan(clerk, text)
    assert scan.outcome == "error" and reason in scan.reason
    assert Card.select().count() == 0 and scan.visit_type is None


def test_twelve_digits_are_never_stored(clerk):
    """Is a 12-digit number (a possible 個人番号) scanned by mistake hidden in what is stored?"""
    scan = card_capture.register_scan(clerk, "123456789012")
    assert scan.outcome == "error" and "123456789012" not in scan.shown + scan.reason


@pytest.mark.parametrize(("stage", "word"), [("issued", "交付済"), ("mailed", "郵送済"), ("disposed", "廃棄済")])
def test_card_already_issued_is_refused(clerk, stage, word):
    """Is a scan of a card already issued (or mailed, disposed) an エラー that changes nothing?"""
    gen_card(application_form_id="90000000000000000000001", notice_number="QRA-000001", stage=stage)
    scan = card_capture.register_scan(clerk, payload(1, kana="ベツ　ヒト"))
    assert scan.outcome == "error" and f"このカードは{word}です" in scan.reason
    assert Card.get().kana == "アキ　タロウ"


def test_notice_number_of_another_card_is_refused(clerk):
    """Is a new code whose notice number another card holds an エラー naming that card?"""
    gen_card(application_form_id="00000000000000000000077", notice_number="QRA-000001")
    scan = card_capture.register_scan(clerk, payload(1))
    assert scan.outcome == "error" and "申請書ID 00000000000000000000077" in scan.reason
    assert Card.select().count() == 1


def test_undo_of_a_new_card_removes_it(clerk):
    """Does undo of a 新規 scan remove the card and its event, and drop it from the counts?"""
    card_capture.register_scan(clerk, payload(1))
    card_capture.register_scan(clerk, payload(2))
    undone = card_capture.undo_last_scan(clerk)
    assert undone.application_form_id.endswith("2") and undone.undone
    assert [card.application_form_id for card in Card.select()] == [undone.application_form_id[:-1] + "1"]
    assert CardEvent.select().count() == 1
    assert card_capture.session_counts(card_capture.open_session(clerk))["new"] == {"at_issuance": 1}


def test_undo_of_an_update_restores_the_fields(clerk):
    """Does undo of a 更新 scan put back the notice number and birth date the card had?"""
    card_capture.register_scan(clerk, payload(1))
    card_capture.register_scan(clerk, payload(1, notice="QRB-000001", birth="19800402"))
    card_capture.undo_last_scan(clerk)
    card = Card.get()
    assert (card.notice_number, card.birth_date) == ("QRA-000001", datetime.date(1980, 4, 1))


def test_undo_steps_back_scan_by_scan_and_then_refuses(clerk):
    """Does each undo take the previous scan, until nothing is left?"""
    card_capture.register_scan(clerk, payload(1))
    card_capture.register_scan(clerk, "hello")
    assert card_capture.undo_last_scan(clerk).outcome == "error"
    assert card_capture.undo_last_scan(clerk).outcome == "new"
    with pytest.raises(CaptureError, match="取り消せる読み取りがありません"):
        card_capture.undo_last_scan(clerk)
    assert Card.select().count() == 0


def test_undo_refused_when_the_card_moved_on(clerk):
    """Is undo refused, changing nothing, when the card has moved to a later stage since the scan?"""
    card_capture.register_scan(clerk, payload(1))
    Card.update(stage="inspected").execute()
    with pytest.raises(CaptureError, match="工程が進んでいる"):
        card_capture.undo_last_scan(clerk)
    assert Card.select().count() == 1 and not QrCaptureScan.get().undone


def test_close_gives_a_summary_and_a_new_session_follows(clerk):
    """Does closing summarise the counts per 来庁区分, and does the next scan start a new session?"""
    card_capture.register_scan(clerk, payload(1, visit="1"))
    card_capture.register_scan(clerk, payload(2))
    card_capture.register_scan(clerk, payload(2))
    card_capture.register_scan(clerk, "hello")
    session = card_capture.close_session(clerk)
    assert card_capture.summary_lines(session) == [
        "新規: 2 (申請時来庁 1 / 交付時来庁 1)",
        "更新: 0",
        "重複: 1 (交付時来庁 1)",
        "エラー: 1 (読取不可 1)",
    ]
    assert card_capture.open_session(clerk) is None
    card_capture.register_scan(clerk, payload(3))
    assert card_capture.open_session(clerk).id != session.id


def test_unknown_parser_setting_is_an_error(clerk):
    """Does a qr_parser setting naming no parser make each scan an エラー that says which parsers exist?"""
    settings.put("qr_parser", "other")
    scan = card_capture.register_scan(clerk, payload(1))
    assert scan.outcome == "error" and "読取形式「other」はありません" in scan.reason


def test_session_left_open_yesterday_is_closed_by_todays_first_scan(clerk):
    """Does today's first scan start a new session and close yesterday's open one at its last scan?"""
    yesterday = now() - datetime.timedelta(days=1)
    card_capture.register_scan(clerk, payload(1), at=yesterday)
    assert card_capture.open_session(clerk) is None
    scan = card_capture.register_scan(clerk, payload(2))
    old = QrCaptureSession.get(QrCaptureSession.id != scan.session_id)
    assert old.closed_at == yesterday
    assert card_capture.session_counts(card_capture.open_session(clerk))["new"] == {"at_issuance": 1}
