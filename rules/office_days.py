"""The days a Japanese city hall is open: not Saturdays, Sundays, public holidays (jpholiday) or
the year-end closure from 12月29日 to 1月3日."""

import datetime

import jpholiday


def is_new_year_holiday(day):
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_open(day):
    return day.weekday() < 5 and not jpholiday.is_holiday(day) and not is_new_year_holiday(day)


def next_open_day(day):
    """``day`` when the city hall is open that day, else the first open day after it."""
    while not is_open(day):
        day += datetime.timedelta(days=1)
    return day
