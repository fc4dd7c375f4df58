import datetime

from public_site.visit_calendar import visit_ics


def make_ics(**fields):
    values = {
        "number": "ABCD-2345",
        "title": "マイナンバーカード 申請(安芸市)",
        "day": datetime.date(2026, 12, 7),
        "starts_at": datetime.time(9, 0),
        "ends_at": datetime.time(9, 30),
        "location": "本庁舎 市民課",
        "description": "予約番号: ABCD-2345\n人数: 1人",
        "stamp": datetime.datetime(2026, 12, 1, 10, 0),
        **fields,
    }
    return visit_ics(**values)


def test_times_are_written_in_utc():
    """Is 9:00 in Japan written as 00:00 UTC, with CRLF line ends?"""
    text = make_ics()
    assert "DTSTART:20261207T000000Z\r\n" in text and "DTEND:20261207T003000Z\r\n" in text
    assert "UID:ABCD-2345@kofu\r\n" in text and text.endswith("END:VCALENDAR\r\n")


def test_long_japanese_lines_are_folded_without_cutting_characters():
    """Are lines longer than 75 octets folded, each piece whole UTF-8, and escaped?"""
    text = make_ics(location="高知県安芸市矢ノ丸一丁目4番40号, 本庁舎 1階 市民課 マイナンバーカード窓口")
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "LOCATION:高知県安芸市矢ノ丸一丁目4番40号\\, 本庁舎 1階 市民課 マイナンバーカード窓口\r\n" in unfolded
    assert "DESCRIPTION:予約番号: ABCD-2345\\n人数: 1人" in unfolded
