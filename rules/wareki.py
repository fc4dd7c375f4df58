"""Dates as people write them in Japan: 西暦 (2020/05/06, 2020-05-06, 20200506, 2020年5月6日)
and 和暦 (昭和55年4月3日, H12.11.30, R8.5.20, 平成元年1月8日), full-width digits included; and a date
written back in 和暦 for letters to residents."""

import datetime
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    name: str
    letter: str
    first_year: int
    first_day: datetime.date
    last_day: datetime.date | None

    def contains(self, day):
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)

    def describe(self):
        last = _japanese(self.last_day) if self.last_day else ""
        return f"{self.name}の期間({_japanese(self.first_day)}〜{last})"


# 明治 dates are accepted from 明治6年1月1日: before it Japan used the lunisolar calendar, which a
# Gregorian date cannot express day for day.
ERAS = (
    Era("明治", "M", 1868, datetime.date(1873, 1, 1), datetime.date(1912, 7, 29)),
    Era("大正", "T", 1912, datetime.date(1912, 7, 30), datetime.date(1926, 12, 24)),
    Era("昭和", "S", 1926, datetime.date(1926, 12, 25), datetime.date(1989, 1, 7)),
    Era("平成", "H", 1989, datetime.date(1989, 1, 8), datetime.date(2019, 4, 30)),
    Era("令和", "R", 2019, datetime.date(2019, 5, 1), None),
)
ERA_BY_SPELLING = {
    spelling: era for era in ERAS for spelling in (era.name, era.name[0], era.letter, era.letter.lower())
}

WESTERN = re.compile(r"(\d{4})\s*[/.\-年]\s*(\d{1,2})\s*[/.\-月]\s*(\d{1,2})\s*日?")
WESTERN_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
JAPANESE_ERA = re.compile(
    r"(明治|大正|昭和|平成|令和|[明大昭平令MTSHRmtshr])\s*(元|\d{1,2})\s*[/.\-年]\s*(\d{1,2})\s*[/.\-月]\s*(\d{1,2})\s*日?"
)


def parse_date(text):
    """The date written in ``text``, or ValueError with a Japanese message."""
    written = str(text or "")
    if not written.isascii():
        # NFKC turns full-width digits and letters into ASCII, and ㍻ or ㋿ into 平成 or 令和.
        written = unicodedata.normalize("NFKC", written)
    written = written.strip()
    if not written:
        raise ValueError("日付が入力されていません。")
    match = JAPANESE_ERA.fullmatch(written)
    if match:
        return _from_era(written, *match.groups())
    match = WESTERN.fullmatch(written) or WESTERN_COMPACT.fullmatch(written)
    if match:
        return _make_date(written, *(int(part) for part in match.groups()))
    raise ValueError(f"「{text}」は日付として読めません(例: 2020/05/06、昭和55年4月3日、H12.11.30)。")


def era_date(day):
    """``day`` in 和暦 as a letter writes it: 令和8年5月20日, the first year as 元年 (令和元年5月1日)."""
    era = next((era for era in ERAS if era.contains(day)), None)
    if era is None:
        raise ValueError(f"{_japanese(day)}は和暦で書けません。")
    year_in_era = day.year - era.first_year + 1
    return f"{era.name}{'元' if year_in_era == 1 else year_in_era}年{day.month}月{day.day}日"


def _from_era(written, spelling, era_year, month, day):
    era = ERA_BY_SPELLING[spelling]
    year_in_era = 1 if era_year == "元" else int(era_year)
    if year_in_era < 1:
        raise ValueError(f"「{written}」の年が正しくありません。")
    result = _make_date(written, era.first_year + year_in_era - 1, int(month), int(day))
    if not era.contains(result):
        raise ValueError(f"「{written}」は{era.describe()}にない日付です。")
    return result


def _make_date(written, year, month, day):
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"「{written}」は存在しない日付です。") from None


def _japanese(day):
    return f"{day.year}年{day.month}月{day.day}日"
