"""What kofu reads from a マイナンバーカード, command by command (DESIGN §3.4).

Without any PIN: the expiry of the 利用者証明用電子証明書 (JPKI AP, EF 000A). With 照合番号B
(birth YYMMDD + card expiry year + security code, typed by staff from the card face): name,
address, birth date and sex from the 券面事項入力補助AP and the card expiry from the 券面AP.
EF 0001 of any AP holds the 個人番号 and is never selected. Before each VERIFY the retry
counter is asked, and the read stops when one try or fewer is left: a wrong guess then would
lock the card and send the resident to the counter for a reset."""

import datetime
import unicodedata
from dataclasses import dataclass

from cryptography import x509

from devices.tlv import TlvError, elements, read_header

JPKI_AP = bytes.fromhex("D392F000260100000001")
TEXT_AP = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助AP
FACE_AP = bytes.fromhex("D3921000310001010402")  # 券面AP
AUTH_CERTIFICATE_EF = 0x000A
TEXT_PIN_EF, FACE_PIN_EF, DATA_EF = 0x0015, 0x0012, 0x0002
MY_NUMBER_EF = 0x0001
TEXT_TAG, NAME_TAG, ADDRESS_TAG, BIRTH_TAG, SEX_TAG, EXPIRY_TAG = 0xFF20, 0xDF22, 0xDF23, 0xDF24, 0xDF25, 0xDF29
FIRST_READ = 5  # the longest tag + length header of these files
CHUNK = 256
JST = datetime.timezone(datetime.timedelta(hours=9))
SEXES = {"1": "male", "2": "female"}
NAME_MAX, ADDRESS_MAX = 100, 200  # the ledger's columns
TRIES_NEEDED = 2


class CardError(Exception):
    """A reading that cannot go on; ``message`` is for the clerk."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class VerificationError(ValueError):
    """``field`` names the form field the clerk must correct."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class CardFace:
    name: str
    address: str
    birth_date: datetime.date
    sex: str | None
    card_expiry: datetime.date


@dataclass(frozen=True)
class CardReading:
    cert_expiry: datetime.date | None
    face: CardFace | None = None

    def as_dict(self):
        """Plain JSON values: dates as ISO text."""
        return {"cert_expiry": _iso(self.cert_expiry), "face": _face_dict(self.face) if self.face else None}

    @classmethod
    def from_dict(cls, values):
        """The reading ``as_dict`` wrote, checked as input from outside: raises ValueError."""
        if not isinstance(values, dict):
            raise ValueError("読み取り結果の形式が正しくありません。")
        face = values.get("face")
        if face is not None:
            if not isinstance(face, dict):
                raise ValueError("読み取り結果の形式が正しくありません。")
            face = CardFace(
                name=_bounded_text(face, "name", NAME_MAX),
                address=_bounded_text(face, "address", ADDRESS_MAX),
                birth_date=_iso_date(face.get("birth_date")),
                sex=_known_sex(face.get("sex")),
                card_expiry=_iso_date(face.get("card_expiry")),
            )
        cert_expiry = values.get("cert_expiry")
        return cls(_iso_date(cert_expiry) if cert_expiry is not None else None, face)


def verification_b(birth_yymmdd, expiry_year, security_code):
    """The 14 characters of 照合番号B, from the three parts printed on the card (full-width digits
    accepted); a part that cannot be right raises before the card is ever asked."""
    birth = _digits(birth_yymmdd, "birth_yymmdd", 6, "生年月日(YYMMDD)は6桁の数字で入力してください。")
    try:
        datetime.datetime.strptime(birth, "%y%m%d")
    except ValueError as error:
        raise VerificationError("birth_yymmdd", "生年月日(YYMMDD)が日付になっていません。") from error
    year = _digits(expiry_year, "expiry_year", 4, "有効期限の西暦年は4桁の数字で入力してください。")
    if not 2015 <= int(year) <= 2100:
        raise VerificationError("expiry_year", "有効期限の西暦年が正しくありません(カード表面の有効期限の年)。")
    code = _digits(security_code, "security_code", 4, "セキュリティコードは4桁の数字で入力してください。")
    return birth + year + code


def _digits(text, field, length, message):
    digits = unicodedata.normalize("NFKC", text or "").strip()
    if len(digits) != length or not digits.isascii() or not digits.isdigit():
        raise VerificationError(field, message)
    return digits


class MyNumberCard:
    """One card on a reader; ``transmit(apdu: list[int]) -> (data, sw1, sw2)`` talks to it."""

    def __init__(self, transmit):
        self._transmit = transmit

    def read(self, verification_b=None):
        cert_expiry = self.cert_expiry()
        return CardReading(cert_expiry, self.face(verification_b) if verification_b else None)

    def cert_expiry(self):
        """The last day (JST) of the 利用者証明用電子証明書, or None when the card holds none."""
        self._select_ap(JPKI_AP, "公的個人認証")
        if not self._select_ef(AUTH_CERTIFICATE_EF, required=False):
            return None
        head = self._read_binary(0, FIRST_READ)
        if not head or head[0] != 0x30:
            return None
        _tag, _header_size, der = self._read_element(head)
        try:
            not_after = x509.load_der_x509_certificate(der).not_valid_after_utc
        except ValueError as error:
            raise CardError("電子証明書を読み取れませんでした。") from error
        return not_after.astimezone(JST).date()

    def face(self, verification_b):
        self._select_ap(TEXT_AP, "券面事項入力補助")
        self._verify(TEXT_PIN_EF, verification_b)
        text = self._read_tlv_file(TEXT_TAG)
        self._select_ap(FACE_AP, "券面")
        self._verify(FACE_PIN_EF, verification_b)
        face = self._read_tlv_file(TEXT_TAG)
        return CardFace(
            name=_text(text, NAME_TAG, "氏名"),
            address=_text(text, ADDRESS_TAG, "住所"),
            birth_date=_date(text, BIRTH_TAG, "生年月日"),
            sex=SEXES.get(_text(text, SEX_TAG, "性別")),
            card_expiry=_date(face, EXPIRY_TAG, "カードの有効期限"),
        )

    def _select_ap(self, aid, label):
        sw = self._command([0x00, 0xA4, 0x04, 0x0C, len(aid), *aid])[1]
        if sw != 0x9000:
            raise CardError(f"マイナンバーカードではないか、{label}のアプリケーションがありません(応答 {sw:04X})。")

    def _select_ef(self, fid, required=True):
        """True once selected; False for a file the card lacks, when it may lack it."""
        if fid == MY_NUMBER_EF:
            raise ValueError("EF 0001 holds the 個人番号 and is never selected")
        sw = self._command([0x00, 0xA4, 0x02, 0x0C, 0x02, fid >> 8, fid & 0xFF])[1]
        if sw == 0x6A82 and not required:
            return False
        if sw != 0x9000:
            raise CardError(f"カードのファイル {fid:04X} を選択できませんでした(応答 {sw:04X})。")
        return True

    def _verify(self, pin_ef, verification_b):
        self._select_ef(pin_ef)
        tries_left = self._tries_left()
        if tries_left is not None and tries_left < TRIES_NEEDED:
            raise CardError(
                f"照合番号Bの残り試行回数が{tries_left}回のため、読み取りを中止しました。"
                "これ以上誤るとロックされます。照合番号Bをもう一度確かめてください。"
            )
        sw = self._command([0x00, 0x20, 0x00, 0x80, len(verification_b), *verification_b.encode("ascii")])[1]
        if sw == 0x9000:
            return
        if sw & 0xFFF0 == 0x63C0:
            raise CardError(f"照合番号Bが違います。カードに記載の内容を確かめてください(残り{sw & 0x0F}回)。")
        raise _locked_or_refused(sw)

    def _tries_left(self):
        """None when the card says no verification is pending."""
        sw = self._command([0x00, 0x20, 0x00, 0x80])[1]
        if sw & 0xFFF0 == 0x63C0:
            return sw & 0x0F
        if sw == 0x9000:
            return None
        raise _locked_or_refused(sw)

    def _read_tlv_file(self, outer_tag):
        self._select_ef(DATA_EF)
        tag, header_size, whole = self._read_element(self._read_binary(0, FIRST_READ))
        if tag != outer_tag:
            raise CardError(f"カードのデータを解釈できませんでした(想定外のタグ {tag:X})。")
        try:
            return elements(whole[header_size:])
        except TlvError as error:
            raise CardError(f"カードのデータを解釈できませんでした({error})。") from error

    def _read_element(self, head):
        """(tag, header size, the whole element) that ``head`` starts, read to its end in chunks of 256 bytes."""
        try:
            tag, length, header_size = read_header(head)
        except TlvError as error:
            raise CardError(f"カードのデータを解釈できませんでした({error})。") from error
        data = bytearray(head)
        while len(data) < header_size + length:
            chunk = self._read_binary(len(data), min(CHUNK, header_size + length - len(data)))
            if not chunk:
                raise CardError("カードのデータが途中で終わっています。")
            data += chunk
        return tag, header_size, bytes(data[: header_size + length])

    def _read_binary(self, offset, size):
        data, sw = self._command([0x00, 0xB0, offset >> 8, offset & 0xFF, size % CHUNK])
        if sw >> 8 == 0x6C:
            data, sw = self._command([0x00, 0xB0, offset >> 8, offset & 0xFF, sw & 0xFF])
        if sw == 0x6B00 and offset == 0:  # an empty file
            return b""
        if sw != 0x9000:
            raise CardError(f"カードを読み取れませんでした(応答 {sw:04X})。")
        return bytes(data)

    def _command(self, apdu):
        data, sw1, sw2 = self._transmit(apdu)
        return data, sw1 << 8 | sw2


def _locked_or_refused(sw):
    if sw in (0x6984, 0x6983):
        return CardError("照合番号Bがロックされています。住所地の市区町村窓口で暗証番号の初期化が必要です。")
    return CardError(f"カードが照合を受け付けませんでした(応答 {sw:04X})。")


def _text(found, tag, label):
    try:
        return found[tag].decode("utf-8").strip()
    except (KeyError, UnicodeDecodeError) as error:
        raise CardError(f"カードの{label}を読み取れませんでした。") from error


def _date(found, tag, label):
    try:
        return datetime.datetime.strptime(_text(found, tag, label), "%Y%m%d").date()
    except ValueError as error:
        raise CardError(f"カードの{label}を読み取れませんでした。") from error


def _face_dict(face):
    return {
        "name": face.name,
        "address": face.address,
        "birth_date": face.birth_date.isoformat(),
        "sex": face.sex,
        "card_expiry": face.card_expiry.isoformat(),
    }


def _iso(day):
    return day.isoformat() if day else None


def _iso_date(text):
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError) as error:
        raise ValueError("読み取り結果の日付が正しくありません。") from error


def _bounded_text(face, key, limit):
    text = face.get(key)
    if not isinstance(text, str) or not 0 < len(text) <= limit:
        raise ValueError("読み取り結果の氏名・住所が正しくありません。")
    return text


def _known_sex(code):
    if code not in (None, *SEXES.values()):
        raise ValueError("読み取り結果の性別が正しくありません。")
    return code
