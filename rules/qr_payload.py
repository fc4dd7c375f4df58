"""QR payloads of the カード発行一覧表 and the 交付通知書 (../shared/samples/qr_payload.md).

The layout J-LIS prints is not public; this is the project's default parser ("mncl1"). Another
layout gets another parser in ``PARSERS``, chosen by the ``qr_parser`` setting.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from rules import settings
from rules.kana import is_kana_name, normalise_kana

TAG = "MNCL1"
FORM_ID = re.compile(r"^\d{23}$")
NOTICE = re.compile(r"^[A-Z2-9]{3}-?\d{6}$")
VISIT_TYPES = {"1": "at_application", "2": "at_issuance"}


@dataclass(frozen=True)
class CardCode:
    application_form_id: str
    notice_number: str
    birth_date: datetime.date
    visit_type: str
    kana: str


def parse_mncl1(text):
    """One カード発行一覧表 code → CardCode, or ValueError saying in Japanese what is wrong."""
    fields = (text or "").strip().split(",")
    if len(fields) != 6 or fields[0] != TAG:
        raise ValueError(f"QRコードの形式が違います(「{TAG},」で始まる6項目ではありません)。")
    _tag, form_id, notice, birth, visit, kana = fields
    if not FORM_ID.match(form_id):
        raise ValueError(f"申請書IDは23桁の数字です(読み取った値は{len(form_id)}桁)。")
    try:
        birth_date = datetime.datetime.strptime(birth, "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"生年月日「{birth}」が正しい日付ではありません。") from None
    if visit not in VISIT_TYPES:
        raise ValueError(f"来庁区分「{visit}」は 1(申請時来庁)か 2(交付時来庁)のはずです。")
    if not is_kana_name(kana):
        raise ValueError("氏名フリガナがカタカナではありません。")
    return CardCode(form_id, notice_number(notice), birth_date, VISIT_TYPES[visit], normalise_kana(kana))


def notice_number(text):
    """A 交付通知書番号 in its stored form AAA-999999, from any width, case or hyphenation."""
    compact = "".join(ch for ch in unicodedata.normalize("NFKC", text or "").upper() if ch.isalnum())
    if not NOTICE.match(compact):
        raise ValueError("交付通知書番号の形式が違います(英数字3桁-数字6桁)。")
    return f"{compact[:3]}-{compact[3:]}"


def notice_number_from_scan(text):
    """The notice number in a scanned 交付通知書 code: either a full MNCL1 line or the bare number."""
    text = (text or "").strip()
    if text.startswith(TAG + ","):
        return parse_mncl1(text).notice_number
    return notice_number(text)


PARSERS = {"mncl1": parse_mncl1}


def parser_named(name):
    """The parser a ``qr_parser`` setting names, or ValueError saying which names exist."""
    if name not in PARSERS:
        raise ValueError(f"QRコードの読取形式「{name}」はありません(使えるもの: {'・'.join(PARSERS)})。")
    return PARSERS[name]


def parse_card_code(text):
    """One カード発行一覧表 code → CardCode, read by the parser the ``qr_parser`` setting chooses."""
    return parser_named(settings.get("qr_parser"))(text)
