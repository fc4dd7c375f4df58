"""The staff site's hours (DESIGN.md §4): open 6:30–23:00, closed the day after each month's
3rd Saturday and from 12月29日 to 1月3日. Administrators set all three and are never shut out.

Plain functions over a naive JST moment and the settings' values; the caller reads both.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from rules.office_days import is_new_year_holiday

HOURS_PATTERN = re.compile(r"(\d{1,2}):(\d{2})\s*[-~〜]\s*(\d{1,2}):(\d{2})")
THIRD_SATURDAY_NEXT_DAY = "毎月第3土曜日の翌日"
NEW_YEAR_HOLIDAYS = "12月29日〜1月3日"
HOURS_FORMAT_MESSAGE = (
    "利用時間は「06:30-23:00」のように、開始と終了の時刻(0:00〜23:59)で入力してください(空欄は制限なし)。"
)


def parse_hours(text):
    """``"06:30-23:00"`` → (opens, closes) as times; empty text → None (no limit).

    Raises ValueError in Japanese for anything else, so the settings screen can say why."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    if not text:
        return None
    match = HOURS_PATTERN.fullmatch(text)
    if match is None:
        raise ValueError(HOURS_FORMAT_MESSAGE)
    try:
        opens = datetime.time(int(match[1]), int(match[2]))
        closes = datetime.time(int(match[3]), int(match[4]))
    except ValueError:
        raise ValueError(HOURS_FORMAT_MESSAGE) from None
    if opens >= closes:
        raise ValueError("利用時間の終了は開始より後の時刻にしてください(日をまたぐ時間帯は指定できません)。")
    return opens, closes


def open_around_the_clock(put):
    """Store, through ``put`` (``rules.settings.put``), hours that never close the staff site."""
    put("staff_site_hours", "")
    put("staff_site_closed_after_third_saturday", "いいえ")
    put("staff_site_closed_new_year", "いいえ")


def is_exempt(role):
    """Administrators may always sign in, so they can do maintenance and fix these settings."""
    return role == "admin"


@dataclass(frozen=True)
class StaffHours:
    hours: tuple[datetime.time, datetime.time] | None
    closed_after_third_saturday: bool = True
    closed_new_year: bool = True

    @classmethod
    def from_settings(cls, get):
        """Read the three settings through ``get`` (``rules.settings.get``)."""
        return cls(
            parse_hours(get("staff_site_hours")),
            get("staff_site_closed_after_third_saturday"),
            get("staff_site_closed_new_year"),
        )

    def is_open(self, at):
        return self.closed_reason(at) is None

    def closed_reason(self, at):
        """Why the staff site is closed at ``at``, with its hours, or None when it is open."""
        closed_day = self.closed_day(at.date())
        if closed_day:
            return f"本日は{closed_day}のため、職員用サイトを休止しています。{self.description()}"
        if self.hours and not self.hours[0] <= at.time() < self.hours[1]:
            return f"現在は職員用サイトの利用時間外です。{self.description()}"
        return None

    def closed_day(self, day):
        """The name of the closed day ``day`` falls on, or None."""
        if self.closed_after_third_saturday and _is_day_after_third_saturday(day):
            return "第3土曜日の翌日"
        if self.closed_new_year and is_new_year_holiday(day):
            return f"年末年始({NEW_YEAR_HOLIDAYS})"
        return None

    def description(self):
        """「職員用サイトの利用時間は 6:30〜23:00 です(毎月第3土曜日の翌日と12月29日〜1月3日は休止)。」"""
        if self.hours:
            opens, closes = self.hours
            text = f"職員用サイトの利用時間は {_clock(opens)}〜{_clock(closes)} です"
        else:
            text = "職員用サイトは終日利用できます"
        closed_days = [
            name
            for name, closed in (
                (THIRD_SATURDAY_NEXT_DAY, self.closed_after_third_saturday),
                (NEW_YEAR_HOLIDAYS, self.closed_new_year),
            )
            if closed
        ]
        if closed_days:
            text += f"({'と'.join(closed_days)}は休止)"
        return text + "。"


def _is_day_after_third_saturday(day):
    saturday = day - datetime.timedelta(days=1)
    return saturday.weekday() == 5 and 15 <= saturday.day <= 21


def _clock(time):
    return f"{time.hour}:{time.minute:02d}"
