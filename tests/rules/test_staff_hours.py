import datetime

import pytest

from models import Setting
from rules import settings
from rules.staff_hours import StaffHours, is_exempt, open_around_the_clock, parse_hours

DEFAULT = StaffHours(parse_hours("06:30-23:00"))
DESCRIPTION = "職員用サイトの利用時間は 6:30〜23:00 です(毎月第3土曜日の翌日と12月29日〜1月3日は休止)。"
# 2026-03-16 is a Monday: an ordinary working day.
MONDAY = datetime.date(2026, 3, 16)


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute))


@pytest.mark.parametrize(
    ("hour", "minute", "is_open"),
    [(0, 0, False), (6, 29, False), (6, 30, True), (12, 0, True), (22, 59, True), (23, 0, False), (23, 59, False)],
)
def test_open_from_six_thirty_until_eleven(hour, minute, is_open):
    """Is the staff site open from 6:30 up to, but not at, 23:00?"""
    assert DEFAULT.is_open(at(MONDAY, hour, minute)) is is_open


def test_outside_hours_the_reason_names_the_hours_and_closed_days():
    """Does the refusal say the site is outside its hours and give the hours and closed days?"""
    assert DEFAULT.closed_reason(at(MONDAY, 23)) == f"現在は職員用サイトの利用時間外です。{DESCRIPTION}"
    assert DEFAULT.closed_reason(at(MONDAY, 9)) is None


@pytest.mark.parametrize(
    ("third_saturday", "next_day"),
    [
        (datetime.date(2026, 3, 21), datetime.date(2026, 3, 22)),  # the month starts on a Sunday: latest
        (datetime.date(2025, 11, 15), datetime.date(2025, 11, 16)),  # the month starts on a Saturday: earliest
        (datetime.date(2026, 2, 21), datetime.date(2026, 2, 22)),
        (datetime.date(2026, 8, 15), datetime.date(2026, 8, 16)),
    ],
)
def test_closed_all_day_after_the_third_saturday(third_saturday, next_day):
    """Is the day after the 3rd Saturday closed all day, while the Saturday itself is open?"""
    assert DEFAULT.is_open(at(third_saturday, 10))
    for hour, minute in ((6, 30), (12, 0), (22, 59)):
        reason = DEFAULT.closed_reason(at(next_day, hour, minute))
        assert reason == f"本日は第3土曜日の翌日のため、職員用サイトを休止しています。{DESCRIPTION}"
    assert DEFAULT.is_open(at(next_day + datetime.timedelta(days=1), 10))


@pytest.mark.parametrize(
    "sunday",
    [
        datetime.date(2026, 3, 15),  # after the 2nd Saturday
        datetime.date(2026, 3, 29),  # after the 4th Saturday
        datetime.date(2025, 11, 23),  # after the 4th Saturday of a month starting on Saturday
        datetime.date(2025, 11, 9),  # after the 2nd Saturday of that month
    ],
)
def test_other_sundays_are_open(sunday):
    """Are the days after the other Saturdays open?"""
    assert DEFAULT.is_open(at(sunday, 10))


@pytest.mark.parametrize(
    ("day", "is_open"),
    [
        (datetime.date(2026, 12, 28), True),
        (datetime.date(2026, 12, 29), False),
        (datetime.date(2026, 12, 31), False),
        (datetime.date(2027, 1, 1), False),
        (datetime.date(2027, 1, 3), False),
        (datetime.date(2027, 1, 4), True),
    ],
)
def test_closed_from_december_29_to_january_3(day, is_open):
    """Is the staff site closed over the New Year holidays, 12月29日 to 1月3日 inclusive?"""
    assert DEFAULT.is_open(at(day, 10)) is is_open
    if not is_open:
        assert DEFAULT.closed_reason(at(day, 10)).startswith("本日は年末年始(12月29日〜1月3日)のため")


def test_closed_days_turned_off_open_as_usual():
    """With both closed-day settings off, are those days ordinary days with ordinary hours?"""
    hours = StaffHours(parse_hours("06:30-23:00"), closed_after_third_saturday=False, closed_new_year=False)
    for day in (datetime.date(2026, 3, 22), datetime.date(2026, 12, 31), datetime.date(2027, 1, 3)):
        assert hours.is_open(at(day, 10)) and not hours.is_open(at(day, 23))
    assert hours.description() == "職員用サイトの利用時間は 6:30〜23:00 です。"


def test_one_closed_day_setting_alone():
    """Does each closed-day setting work without the other, and does the description name only it?"""
    new_year_only = StaffHours(parse_hours("06:30-23:00"), closed_after_third_saturday=False)
    assert new_year_only.is_open(at(datetime.date(2026, 3, 22), 10))
    assert not new_year_only.is_open(at(datetime.date(2026, 12, 30), 10))
    assert new_year_only.description() == "職員用サイトの利用時間は 6:30〜23:00 です(12月29日〜1月3日は休止)。"
    saturday_only = StaffHours(parse_hours("06:30-23:00"), closed_new_year=False)
    assert saturday_only.is_open(at(datetime.date(2026, 12, 30), 10))
    assert saturday_only.description() == "職員用サイトの利用時間は 6:30〜23:00 です(毎月第3土曜日の翌日は休止)。"


def test_empty_hours_mean_no_limit_but_closed_days_still_close():
    """With the hours empty, is the site open at any time of an ordinary day, still closed on closed days?"""
    hours = StaffHours(parse_hours(""))
    assert hours.is_open(at(MONDAY, 0)) and hours.is_open(at(MONDAY, 23, 59))
    assert not hours.is_open(at(datetime.date(2027, 1, 2), 12))
    assert hours.description() == "職員用サイトは終日利用できます(毎月第3土曜日の翌日と12月29日〜1月3日は休止)。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06:30-23:00", (datetime.time(6, 30), datetime.time(23, 0))),
        (" 6:30 〜 23:00 ", (datetime.time(6, 30), datetime.time(23, 0))),
        ("８：３０～１７：１５", (datetime.time(8, 30), datetime.time(17, 15))),
        ("", None),
        ("  ", None),
    ],
)
def test_hours_text_is_read(text, expected):
    """Are the usual ways of writing the hours, full-width digits included, and an empty text read?"""
    assert parse_hours(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("6時半から23時", "「06:30-23:00」のように"),
        ("06:30", "「06:30-23:00」のように"),
        ("25:00-26:00", "0:00〜23:59"),
        ("06:60-23:00", "0:00〜23:59"),
        ("23:00-06:30", "終了は開始より後"),
        ("09:00-09:00", "終了は開始より後"),
    ],
)
def test_bad_hours_text_is_refused_in_japanese(text, message):
    """Is a mistyped or reversed time range refused with a Japanese message saying how to write it?"""
    with pytest.raises(ValueError, match=message):
        parse_hours(text)


def test_only_administrators_are_exempt():
    """Are administrators, and only they, let in outside the hours?"""
    assert is_exempt("admin")
    assert not any(is_exempt(role) for role in ("supervisor", "clerk", "viewer", ""))


def test_settings_default_to_the_design_and_refuse_bad_hours(database):
    """Do the settings give 6:30〜23:00 and both closed days by default, and refuse bad hours unchanged?"""
    Setting.delete().where(Setting.key.startswith("staff_site_")).execute()
    settings.ensure_defaults()
    settings.clear_cache()
    stored = dict(Setting.select(Setting.key, Setting.value).where(Setting.key.startswith("staff_site_")).tuples())
    assert stored == {
        "staff_site_hours": "06:30-23:00",
        "staff_site_closed_after_third_saturday": "はい",
        "staff_site_closed_new_year": "はい",
    }
    assert StaffHours.from_settings(settings.get) == DEFAULT
    with pytest.raises(ValueError, match="「06:30-23:00」のように"):
        settings.put("staff_site_hours", "朝から晩まで")
    assert settings.get("staff_site_hours") == "06:30-23:00"
    open_around_the_clock(settings.put)
    assert StaffHours.from_settings(settings.get) == StaffHours(None, False, False)
