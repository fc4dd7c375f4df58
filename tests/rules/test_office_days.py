import datetime

import pytest

from rules.office_days import next_open_day


@pytest.mark.parametrize(
    ("day", "open_day"),
    [
        ("2026-12-07", "2026-12-07"),  # a Monday
        ("2026-12-05", "2026-12-07"),  # Saturday → Monday
        ("2026-12-28", "2026-12-28"),  # the last day before the year-end closure
        ("2026-12-29", "2027-01-04"),  # closed 12/29–1/3
        ("2027-05-03", "2027-05-06"),  # 憲法記念日, みどりの日, こどもの日
        ("2027-01-11", "2027-01-12"),  # 成人の日
    ],
)
def test_next_open_day_skips_weekends_holidays_and_the_year_end(day, open_day):
    """Is a deadline moved past weekends, public holidays and 12/29–1/3 to the next open day, and
    an open day kept?"""
    assert next_open_day(datetime.date.fromisoformat(day)) == datetime.date.fromisoformat(open_day)
