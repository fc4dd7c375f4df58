import datetime

import pytest

from rules.qr_payload import notice_number_from_scan, parse_mncl1

SAMPLE = "MNCL1,44418521867264284878260,6A6-244944,20200506,1,ヤマサキ　タロウ"


def test_sample_payload_parses():
    """Does the documented example give every field in stored form?"""
    code = parse_mncl1(SAMPLE)
    assert code.application_form_id == "44418521867264284878260"
    assert code.notice_number == "6A6-244944"
    assert code.birth_date == datetime.date(2020, 5, 6)
    assert code.visit_type == "at_application" and code.kana == "ヤマサキ　タロウ"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("hello", "形式が違います"),
        ("MNCL1,4441852186726428487826,6A6-244944,20200506,1,ヤマサキ　タロウ", "読み取った値は22桁"),
        ("MNCL1,444185218672642848782600,6A6-244944,20200506,1,ヤマサキ　タロウ", "読み取った値は24桁"),
        ("MNCL1,44418521867264284878260,6A6-244944,20200230,1,ヤマサキ　タロウ", "正しい日付ではありません"),
        ("MNCL1,44418521867264284878260,6A6-244944,20200506,3,ヤマサキ　タロウ", "来庁区分"),
        ("MNCL1,44418521867264284878260,6A6-24494,20200506,1,ヤマサキ　タロウ", "交付通知書番号"),
        ("MNCL1,44418521867264284878260,6A6-244944,20200506,1,Yamasaki", "カタカナ"),
    ],
)
def test_wrong_shapes_are_refused_with_the_reason(payload, message):
    """Is every malformed payload refused with a Japanese reason?"""
    with pytest.raises(ValueError, match=message):
        parse_mncl1(payload)


@pytest.mark.parametrize("scan", [SAMPLE, "6A6-244944", "6A6244944", "６ａ６－２４４９４４", " 6a6-244944\n"])
def test_notice_scan_accepts_line_or_bare_number(scan):
    """Does a 交付通知書 scan give the number, whether it holds the full line or the number in any form?"""
    assert notice_number_from_scan(scan) == "6A6-244944"
