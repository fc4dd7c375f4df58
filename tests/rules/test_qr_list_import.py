import datetime

import pytest

from devices.qr_decode import DecodedPage
from models import Card, CardEvent
from rules import qr_list_import
from tests.factories import gen_card, gen_user
from tests.qr_codes import SAMPLE, payload

BIRTH = datetime.date(1980, 4, 1)


def pages(*texts_per_page, unreadable=0):
    return [DecodedPage(number, list(texts), unreadable) for number, texts in enumerate(texts_per_page, 1)]


def test_two_pages_register_every_code(database):
    """Do the codes of two pages register as new cards, with the list's note on their events?"""
    user = gen_user("clerk")
    report = qr_list_import.apply(pages([SAMPLE, payload(1)], [payload(2, visit="1")]), user)
    assert report.applied and report.ok
    assert Card.select().count() == 3
    assert {event.note for event in CardEvent.select()} == {"QR一括登録(スキャン画像)"}
    assert qr_list_import.report_lines(report)[-5:] == [
        "新規: 3 (申請時来庁 2 / 交付時来庁 1)",
        "更新: 0",
        "重複: 0",
        "エラー: 0",
        "登録しました。",
    ]


def test_plan_writes_nothing_and_classifies(database):
    """Does the preview classify new, duplicate in the ledger, update and duplicate in the file, writing nothing?"""
    gen_card(
        application_form_id="90000000000000000000001", notice_number="QRA-000001", kana="アキ　タロウ", birth_date=BIRTH
    )
    gen_card(
        application_form_id="90000000000000000000002", notice_number="QRZ-000002", kana="アキ　タロウ", birth_date=BIRTH
    )
    report = qr_list_import.plan(pages([payload(1), payload(2), payload(3)], [payload(3)]))
    assert [line.outcome for line in report.lines] == ["duplicate", "updated", "new", "duplicate"]
    assert "1ページ目と同じコード" in report.lines[3].reason
    assert report.ok and Card.select().count() == 2


@pytest.mark.parametrize(
    ("decoded", "message"),
    [
        (pages([payload(1)], []), "QRコードが見つかりません"),
        (pages([payload(1)], unreadable=1), "読み取れないQRコードが1個あります"),
        (pages([payload(1), "MNCL1,1,2"]), "形式が違います"),
        (pages([payload(1), payload(2).replace("90000000000000000000002", "9000000000000000000002")]), "22桁"),
        (pages([payload(1)], [payload(1, kana="ベツ　ヒト")]), "同じ申請書IDで内容の違うコード"),
        (pages(), "ページがありません"),
    ],
)
def test_one_bad_page_or_code_refuses_the_file(database, decoded, message):
    """Does a page without codes, an unreadable code or one bad payload refuse the whole file, writing nothing?"""
    report = qr_list_import.apply(decoded)
    assert not report.applied and not report.ok
    assert message in "\n".join(qr_list_import.report_lines(report))
    assert "何も登録しませんでした" in qr_list_import.report_lines(report)[-1]
    assert Card.select().count() == 0


def test_issued_card_in_the_list_refuses_the_file(database):
    """Does one card already issued refuse the file, leaving the other codes unregistered?"""
    gen_card(application_form_id="90000000000000000000002", notice_number="QRA-000002", stage="issued")
    report = qr_list_import.apply(pages([payload(1), payload(2)]))
    assert not report.applied and "交付済" in report.lines[1].reason
    assert Card.select().count() == 1
