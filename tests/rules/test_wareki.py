import datetime
import re

import pytest

from rules.wareki import era_date, parse_date

D = datetime.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020/05/06", D(2020, 5, 6)),
        ("2020-05-06", D(2020, 5, 6)),
        ("20200506", D(2020, 5, 6)),
        ("2020/5/6", D(2020, 5, 6)),
        ("2020.5.6", D(2020, 5, 6)),
        ("2020年5月6日", D(2020, 5, 6)),
        (" 2020/05/06 ", D(2020, 5, 6)),
        ("２０２０／０５／０６", D(2020, 5, 6)),
        ("２０２００５０６", D(2020, 5, 6)),
        ("2012/02/29", D(2012, 2, 29)),
    ],
)
def test_western_dates(text, expected):
    """Are 西暦 dates read with slashes, hyphens, dots, 年月日, no separator and full-width digits?"""
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昭和55年4月3日", D(1980, 4, 3)),
        ("H12.11.30", D(2000, 11, 30)),
        ("R8.5.20", D(2026, 5, 20)),
        ("r8.5.20", D(2026, 5, 20)),
        ("S55/4/3", D(1980, 4, 3)),
        ("平成元年1月8日", D(1989, 1, 8)),
        ("令和元年5月1日", D(2019, 5, 1)),
        ("R1.5.1", D(2019, 5, 1)),
        ("平成31年4月30日", D(2019, 4, 30)),
        ("昭和64年1月7日", D(1989, 1, 7)),
        ("大正15年12月24日", D(1926, 12, 24)),
        ("昭和元年12月25日", D(1926, 12, 25)),
        ("明治45年7月29日", D(1912, 7, 29)),
        ("Ｈ１２．１１．３０", D(2000, 11, 30)),
        ("昭和５５年４月３日", D(1980, 4, 3)),
        ("平12.11.30", D(2000, 11, 30)),
        ("㍻12年11月30日", D(2000, 11, 30)),
        ("令和 8年 5月20日", D(2026, 5, 20)),
    ],
)
def test_japanese_era_dates(text, expected):
    """Are 和暦 dates read in kanji, by letter, by first kanji, with 元年 and full-width digits?"""
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("R8.2.30", "「R8.2.30」は存在しない日付です。"),
        ("2026/02/30", "存在しない日付"),
        ("2025/02/29", "存在しない日付"),
        ("20261301", "存在しない日付"),
        ("平成31年5月1日", "平成の期間(1989年1月8日〜2019年4月30日)にない日付です。"),
        ("令和元年4月30日", "令和の期間"),
        ("昭和64年1月8日", "昭和の期間"),
        ("昭和元年12月24日", "昭和の期間"),
        ("H0.1.8", "年が正しくありません"),
        ("明治5年12月2日", "明治の期間"),
        ("2020/05", "日付として読めません"),
        ("X12.11.30", "日付として読めません"),
        ("あした", "日付として読めません"),
        ("", "日付が入力されていません。"),
        ("   ", "日付が入力されていません。"),
    ],
)
def test_impossible_or_unreadable_dates_are_refused(text, message):
    """Does an impossible, out-of-era, unreadable or empty date raise ValueError with a Japanese message?"""
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_date(text)


def test_none_counts_as_empty():
    """Is a missing value refused like an empty one?"""
    with pytest.raises(ValueError, match="日付が入力されていません"):
        parse_date(None)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 5, 20), "令和8年5月20日"),
        (D(2019, 5, 1), "令和元年5月1日"),
        (D(2019, 4, 30), "平成31年4月30日"),
        (D(1989, 1, 8), "平成元年1月8日"),
        (D(1989, 1, 7), "昭和64年1月7日"),
        (D(1912, 7, 30), "大正元年7月30日"),
    ],
)
def test_dates_are_written_in_japanese_era(day, expected):
    """Is a date written in 和暦 with the era of that day, its first year as 元年?"""
    assert era_date(day) == expected
    assert parse_date(expected) == day


def test_a_date_before_the_eras_cannot_be_written():
    """Is a date before 明治6年 refused with a Japanese message instead of a wrong era?"""
    with pytest.raises(ValueError, match="1872年12月31日は和暦で書けません"):
        era_date(D(1872, 12, 31))
