"""Helpers for the residents' browser tests: a phone-sized page and the month calendar."""

PHONE_VIEWPORT = {"width": 390, "height": 844}


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


def open_day(page, day):
    """Click the day in the month calendar, turning to the next month when it is there."""
    link = page.get_by_role("link", name=f"{day.month}月{day.day}日 空きあり")
    if not link.count():
        page.get_by_role("link", name="次の月").click()
    link.click()
