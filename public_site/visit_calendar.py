"""An iCalendar (.ics) file for one visit, so residents can put it in their phone's calendar."""

import datetime

JST_OFFSET = datetime.timedelta(hours=9)
LINE_OCTETS = 75


def visit_ics(*, number, title, day, starts_at, ends_at, location, description, stamp):
    """The .ics text (CRLF lines) of one visit; times are Japan time, written as UTC."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//kofu//reservation//JA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{number}@kofu",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(datetime.datetime.combine(day, starts_at))}",
        f"DTEND:{_utc(datetime.datetime.combine(day, ends_at))}",
        f"SUMMARY:{_escape(title)}",
        f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{_escape(description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)


def _utc(japan_time):
    return (japan_time - JST_OFFSET).strftime("%Y%m%dT%H%M%SZ")


def _escape(text):
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line):
    """Split a content line into pieces of at most 75 octets without cutting a character."""
    pieces, current = [], ""
    for character in line:
        limit = LINE_OCTETS if not pieces else LINE_OCTETS - 1
        if len((current + character).encode()) > limit:
            pieces.append(current)
            current = ""
        current += character
    pieces.append(current)
    return "\r\n ".join(pieces)
