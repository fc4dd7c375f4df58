"""Visit bookings (DESIGN.md §3.1): book, look up, change and cancel, and availability.

Plain functions, no Flask; the public site, the JSON API and the staff screens all call these.

Public API
----------
``book(slot_id, purpose, applicant, *, channel="web", override=False, submission_token=None,
created_by=None, note="", at=None) -> BookingResult``
    Create a reservation. ``applicant`` is an :class:`Applicant`. Refusals raise
    :class:`BookingError` (``code``, ``field``, ``message``). For ``channel`` "phone" or
    "counter", a duplicate or a failed ledger check raises :class:`OverrideNeeded` (its
    ``warnings`` list all of them) unless ``override=True``; the result's ``overridden`` then
    names the codes passed over, for the caller to audit. The same ``submission_token`` twice
    returns the first reservation (``created`` is False) instead of booking again.
``check(slot_id, purpose, applicant, *, channel="web", at=None, ignore=None) -> list[BookingError]``
    Every check of ``book`` without writing: raises hard refusals, returns the overridable
    warnings (always empty for "web").
``find(number, birth_date) -> Reservation | None``; ``look_up(number, birth_date) -> Reservation`` (or refuses)
``cancel(number, birth_date, *, channel="web", at=None) -> Reservation``
``change(number, birth_date, slot_id, *, people=None, channel="web", override=False, at=None)
-> BookingResult``
    Move a booking to another slot (or change its people) in one transaction.
``can_still_change(reservation, *, at=None) -> bool``, ``change_deadline(slot_date) -> datetime``
``booking_window(at=None) -> (first_day, last_day)``
``day_availability(location_id, purpose, first_day, last_day, *, channel="web", at=None) -> {date: DayAvailability}``
``slot_availability(location_id, purpose, day, *, at=None) -> list[SlotAvailability]``
``slots_between(location_id, purpose, first_day, last_day, *, at=None) -> {date: list[SlotAvailability]}``
``slot_summary(slot_id) -> dict | None`` (slot with its location, for confirmation pages)

Field checks (each raises BookingError naming its field, returns the cleaned value), for forms:
``clean_name``, ``clean_kana``, ``clean_birth_date``, ``clean_phone``, ``clean_email``,
``clean_people``, ``clean_notice_number``, ``clean_purpose``; ``clean_applicant`` runs them all.

Channels: "web" bookings must fall inside the booking window and may be changed or
cancelled until the deadline (settings); "phone" and "counter" (staff) may book any slot not
yet started and change or cancel at any time.

Seats: a web booking may use ``capacity - phone_reserved`` seats of a slot (counting every
booking), phone and counter bookings the whole ``capacity``. Seats are taken with one
conditional UPDATE inside the booking's transaction, so no rush can overbook a slot.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field, replace

from peewee import JOIN, Case, IntegrityError, Value, fn

from database import RenderedQuery, is_sqlite, write_transaction
from models import PURPOSES, Card, Location, Reservation, Slot, db
from rules import settings
from rules.clock import as_date, now
from rules.kana import is_kana_name, kana_key, normalise_kana
from rules.reservation_numbers import new_reservation_number, normalise_reservation_number

STAFF_CHANNELS = ("phone", "counter")
READY_STAGES = ("notified", "reminded")
FIELD_LABELS = {
    "slot": "日時",
    "purpose": "予約の種類",
    "location": "場所",
    "name": "氏名",
    "kana": "フリガナ",
    "birth_date": "生年月日",
    "phone": "電話番号",
    "email": "メールアドレス",
    "people": "人数",
    "notice_number": "交付通知書番号",
    "number": "予約番号",
    "note": "備考",
}
MAX_LENGTHS = {"name": 100, "kana": 100, "phone": 20, "email": 254, "note": 1000}
NOTICE_NUMBER = re.compile(r"^[A-Z0-9]{3}[0-9]{6}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A day shows △ when no more than this share of its seats is left.
FEW_SEATS_SHARE = 0.25


class BookingError(Exception):
    """A refused booking: ``code`` for machines, ``field`` it concerns, ``message`` in Japanese."""

    def __init__(self, code, field, message, overridable=False):
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message
        self.overridable = overridable

    def as_dict(self):
        return {"code": self.code, "field": self.field, "message": self.message}


class OverrideNeeded(BookingError):
    """Staff only: the booking is possible, but the warnings must be confirmed (``override=True``)."""

    def __init__(self, warnings):
        super().__init__("override_needed", warnings[0].field, " ".join(w.message for w in warnings))
        self.warnings = warnings


@dataclass(frozen=True)
class Applicant:
    name: str
    kana: str
    birth_date: datetime.date
    phone: str = ""
    email: str = ""
    people: int = 1
    notice_number: str = ""


@dataclass
class BookingResult:
    reservation: Reservation
    created: bool = True
    overridden: list = field(default_factory=list)


@dataclass(frozen=True)
class DayAvailability:
    free: int
    seats: int

    @property
    def mark(self):
        if self.free <= 0:
            return "×"
        return "△" if self.free <= self.seats * FEW_SEATS_SHARE else "○"


@dataclass(frozen=True)
class SlotAvailability:
    id: int
    starts_at: datetime.time
    ends_at: datetime.time
    capacity: int
    phone_reserved: int
    booked: int

    @property
    def web_free(self):
        return max(0, self.capacity - self.phone_reserved - self.booked)

    @property
    def staff_free(self):
        return max(0, self.capacity - self.booked)


# --- field checks -------------------------------------------------------------------------


def _refuse(code, field_name, message):
    raise BookingError(code, field_name, message)


def _clean_text(value, field_name, required=True):
    text = unicodedata.normalize("NFC", str(value or "")).strip()
    label = FIELD_LABELS[field_name]
    if required and not text:
        _refuse("required", field_name, f"{label}を入力してください。")
    if len(text) > MAX_LENGTHS[field_name]:
        _refuse("too_long", field_name, f"{label}は{MAX_LENGTHS[field_name]}文字以内で入力してください。")
    if CONTROL_CHARACTERS.search(text):
        _refuse("invalid", field_name, f"{label}に使えない文字が含まれています。")
    return text


def clean_name(value):
    return _clean_text(value, "name")


def clean_kana(value):
    text = normalise_kana(_clean_text(value, "kana"))
    if not is_kana_name(text):
        _refuse("invalid_kana", "kana", "フリガナはカタカナ(またはひらがな)で入力してください。")
    return text


def clean_birth_date(value, today):
    if not isinstance(value, datetime.date):
        _refuse("required", "birth_date", "生年月日を入力してください。")
    if value > today:
        _refuse("future_birth_date", "birth_date", "生年月日に未来の日付は指定できません。")
    if value.year < 1900:
        _refuse("invalid_birth_date", "birth_date", "生年月日が正しくありません。")
    return value


def clean_phone(value, required=True):
    text = unicodedata.normalize("NFKC", _clean_text(value, "phone", required)).replace("ー", "-")
    if not text:
        return ""
    digits = re.sub(r"[-‐−()\s]", "", text)
    if not digits.isdecimal() or not 10 <= len(digits) <= 11:
        _refuse("invalid_phone", "phone", "電話番号は市外局番から数字10桁または11桁で入力してください。")
    return text


def clean_email(value):
    text = unicodedata.normalize("NFKC", _clean_text(value, "email", required=False))
    if text and not EMAIL.match(text):
        _refuse("invalid_email", "email", "メールアドレスの形式が正しくありません。")
    return text


def clean_people(value, maximum=None):
    maximum = maximum or settings.get("booking_max_people")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        _refuse("invalid_people", "people", "人数は1以上の数字で指定してください。")
    if value > maximum:
        _refuse("too_many_people", "people", f"人数は{maximum}人までです。それ以上の場合は窓口へお電話ください。")
    return value


def clean_notice_number(value):
    """交付通知書番号: 英数3桁-数字6桁, with or without the hyphen, full width allowed."""
    compact = "".join(ch for ch in unicodedata.normalize("NFKC", str(value or "")).upper() if ch.isalnum())
    if not compact:
        _refuse("required", "notice_number", "交付通知書番号を入力してください。")
    if not NOTICE_NUMBER.match(compact):
        _refuse(
            "invalid_notice_number",
            "notice_number",
            "交付通知書番号は「英数字3桁-数字6桁」(例: A1B-123456)で入力してください。",
        )
    return f"{compact[:3]}-{compact[3:]}"


def clean_purpose(value):
    if value not in dict(PURPOSES):
        _refuse("unknown_purpose", "purpose", "予約の種類が正しくありません。手続きの種類から選び直してください。")
    return value


def clean_applicant(applicant, purpose, *, channel="web", at=None):
    """The applicant with every field checked and normalised; raises the first problem."""
    at = at or now()
    return replace(
        applicant,
        name=clean_name(applicant.name),
        kana=clean_kana(applicant.kana),
        birth_date=clean_birth_date(applicant.birth_date, at.date()),
        phone=clean_phone(applicant.phone, required=channel == "web"),
        email=clean_email(applicant.email),
        people=clean_people(applicant.people),
        notice_number=clean_notice_number(applicant.notice_number) if purpose == "collect" else "",
    )


# --- windows and deadlines ----------------------------------------------------------------


def booking_window(at=None):
    """The first and last day residents may book on the web."""
    day = (at or now()).date()
    return (
        day + datetime.timedelta(days=settings.get("booking_window_start_days")),
        day + datetime.timedelta(days=settings.get("booking_window_end_days")),
    )


def change_deadline(slot_date):
    """Until when a resident may change or cancel a visit on ``slot_date`` (default 17:00 the day before)."""
    day = slot_date - datetime.timedelta(days=settings.get("cancel_deadline_days_before"))
    return datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(
        hours=settings.get("cancel_deadline_hour")
    )


def can_still_change(reservation, *, at=None):
    return reservation.status == "booked" and (at or now()) < change_deadline(reservation.slot.date)


# --- slot checks --------------------------------------------------------------------------


def _load_slot(slot_id):
    try:
        slot_id = int(slot_id)
    except (TypeError, ValueError):
        slot_id = None
    slot = Slot.select(Slot, Location).join(Location).where(Slot.id == slot_id).get_or_none() if slot_id else None
    if slot is None or not slot.location.active:
        _refuse("slot_not_found", "slot", "選択された日時の枠が見つかりません。日時を選び直してください。")
    return slot


def _check_slot(slot, purpose, channel, at):
    if purpose not in slot.purposes.split(","):
        _refuse(
            "purpose_mismatch",
            "slot",
            f"選択された日時では「{dict(PURPOSES)[purpose]}」の予約を受け付けていません。日時を選び直してください。",
        )
    if slot.closed:
        _refuse("slot_closed", "slot", "選択された日時は受付を停止しています。日時を選び直してください。")
    starts = datetime.datetime.combine(slot.date, slot.starts_at)
    if starts <= at:
        _refuse("slot_past", "slot", "選択された日時は過ぎています。日時を選び直してください。")
    first_day, last_day = booking_window(at)
    if channel == "web" and not first_day <= slot.date <= last_day:
        _refuse(
            "outside_window",
            "slot",
            f"予約できるのは{first_day:%Y年%m月%d日}から{last_day:%Y年%m月%d日}までです。日時を選び直してください。",
        )


def _full():
    _refuse("slot_full", "slot", "選択された日時は満席になりました。別の日時を選んでください。")


def _seat_limit(slot, channel):
    return slot.capacity if channel in STAFF_CHANNELS else slot.capacity - slot.phone_reserved


def _counter_phone(location):
    return location.phone or settings.get("counter_phone")


# --- duplicate and ledger checks (overridable by staff) -----------------------------------


def _duplicate_query(applicant, purpose, at, excluding=None):
    """The query for the same person's active reservation of ``purpose`` from today on."""
    query = (
        Reservation.select(Reservation.id)
        .join(Slot)
        .where(
            Reservation.kana_key == kana_key(applicant.kana),
            Reservation.birth_date == applicant.birth_date,
            Reservation.purpose == purpose,
            Reservation.status == "booked",
            Slot.date >= at.date(),
        )
        .limit(1)
    )
    if excluding is not None:
        query = query.where(Reservation.id != excluding)
    return query


def _duplicate_problem(found, purpose):
    """The overridable refusal when ``_duplicate_query`` found a reservation."""
    if found:
        return BookingError(
            "duplicate",
            "kana",
            f"同じお名前(フリガナ)・生年月日で「{dict(PURPOSES)[purpose]}」の予約が既にあります。"
            "日時を変更する場合は、予約の確認・変更から手続きしてください。",
            overridable=True,
        )
    return None


def _ledger_problem(notice_number, birth_date, location):
    """Why a 交付 booking does not match the card ledger, or None when it does."""
    card = (
        Card.select(Card.id, Card.stage, Card.birth_date, Card.location, Card.storage)
        .where(Card.notice_number == notice_number)
        .get_or_none()
    )
    phone = _counter_phone(location)
    if card is None or card.birth_date != birth_date:
        return None, BookingError(
            "notice_unknown",
            "notice_number",
            f"交付通知書番号と生年月日に一致するカードが見つかりません。番号と生年月日をご確認ください。"
            f"ご不明な点は窓口(電話 {phone})へお問い合わせください。",
            overridable=True,
        )
    if card.stage not in READY_STAGES:
        return card, BookingError(
            "notice_not_ready",
            "notice_number",
            "この交付通知書番号のカードは、現在お受け取りの予約ができません。"
            f"窓口(電話 {phone})へお問い合わせください。",
            overridable=True,
        )
    if _card_location_id(card) != location.id:
        return card, BookingError(
            "notice_wrong_location",
            "notice_number",
            f"このカードは{location.name}ではお受け取りになれません。"
            f"お受け取りの場所は窓口(電話 {phone})へお問い合わせください。",
            overridable=True,
        )
    return card, None


def _card_location_id(card):
    if card.location_id is not None:
        return card.location_id
    if card.storage_id is not None:
        return card.storage.location_id
    return None


def _ledger_check(slot, purpose, applicant):
    """(card, problem) of a 交付 booking against the ledger; (None, None) for other purposes."""
    if purpose != "collect":
        return None, None
    return _ledger_problem(applicant.notice_number, applicant.birth_date, slot.location)


def _overridable_problems(slot, purpose, applicant, at, excluding=None):
    """(card, [problems]) for the duplicate and ledger checks."""
    card, ledger = _ledger_check(slot, purpose, applicant)
    duplicate = _duplicate_problem(_duplicate_query(applicant, purpose, at, excluding).exists(), purpose)
    return card, _present(duplicate, ledger)


def _present(*problems):
    return [problem for problem in problems if problem is not None]


def _settle(problems, channel, override):
    """Refuse on the web; ask staff to confirm; return the codes passed over by an override."""
    if not problems:
        return []
    if channel not in STAFF_CHANNELS:
        first = problems[0]
        raise BookingError(first.code, first.field, first.message)
    if not override:
        raise OverrideNeeded(problems)
    return [problem.code for problem in problems]


# --- booking ------------------------------------------------------------------------------


def check(slot_id, purpose, applicant, *, channel="web", at=None, ignore=None):
    """Run every check of ``book`` without writing anything. Hard refusals raise BookingError;
    the overridable warnings are returned (a web booking raises them instead). ``ignore``
    is the id of a reservation that does not count as a duplicate (when changing it)."""
    at = at or now()
    purpose, slot, applicant = _checked_request(slot_id, purpose, applicant, channel, at)
    if applicant.people > _seat_limit(slot, channel) - slot.booked:
        _full()
    _card, problems = _overridable_problems(slot, purpose, applicant, at, ignore)
    if channel not in STAFF_CHANNELS:
        _settle(problems, channel, override=False)
    return problems


def book(
    slot_id,
    purpose,
    applicant,
    *,
    channel="web",
    override=False,
    submission_token=None,
    created_by=None,
    note="",
    at=None,
):
    """Create a reservation; see the module docstring."""
    try:
        return _book(slot_id, purpose, applicant, channel, override, submission_token, created_by, note, at or now())
    except (BookingError, IntegrityError):
        # The same form posted again (a double click, a reload) is refused as a duplicate, as full
        # or by the token's unique index: answer with the booking it made the first time.
        earlier = _earlier_booking(submission_token)
        if earlier is None:
            raise
        return BookingResult(earlier, created=False)


def _earlier_booking(submission_token):
    if not submission_token:
        return None
    return Reservation.get_or_none(Reservation.submission_token == submission_token)


def _checked_request(slot_id, purpose, applicant, channel, at):
    """(purpose, slot, applicant) once the checks that need no lock have passed: the purpose,
    the slot and its free seats, and every field of the applicant."""
    purpose = clean_purpose(purpose)
    slot = _load_slot(slot_id)
    _check_slot(slot, purpose, channel, at)
    if slot.booked >= _seat_limit(slot, channel):
        _full()
    return purpose, slot, clean_applicant(applicant, purpose, channel=channel, at=at)


def _book(slot_id, purpose, applicant, channel, override, submission_token, created_by, note, at):
    purpose, slot, applicant = _checked_request(slot_id, purpose, applicant, channel, at)
    # The card is read before the lock, which guards seats and duplicates only.
    card, ledger = _ledger_check(slot, purpose, applicant)
    reservation = Reservation(
        number=new_reservation_number(),
        slot=slot,
        purpose=purpose,
        channel=channel,
        name=applicant.name,
        kana=applicant.kana,
        birth_date=applicant.birth_date,
        phone=applicant.phone,
        email=applicant.email,
        people=applicant.people,
        notice_number=applicant.notice_number or None,
        card=card.id if card else None,
        submission_token=submission_token or None,
        created_by=created_by,
        note=_clean_text(note, "note", required=False),
    )
    reservation.derive_kana_key()
    duplicate_query = RenderedQuery(_duplicate_query(applicant, purpose, at))
    seat_update = RenderedQuery(_seat_update(slot, applicant.people, channel))
    insert = RenderedQuery(Reservation.insert(reservation.__data__).returning(Reservation.id))
    with write_transaction(db):
        _serialise_person(applicant)
        duplicate = _duplicate_problem(duplicate_query.rows(db), purpose)
        overridden = _settle(_present(duplicate, ledger), channel, override)
        _take_seats(seat_update, slot.id)
        [(reservation.id,)] = insert.rows(db)
    return BookingResult(reservation, overridden=overridden)


def _serialise_person(applicant):
    """PostgreSQL: one booking transaction at a time per person, so that two bookings racing
    in different slots cannot both pass the duplicate check (SQLite's IMMEDIATE lock already
    serialises every booking)."""
    if not is_sqlite(db.obj):
        person = f"{kana_key(applicant.kana)}|{applicant.birth_date.isoformat()}"
        db.execute_sql("SELECT pg_advisory_xact_lock(hashtext(%s))", (person,))


def _seat_update(slot, people, channel):
    """The one conditional UPDATE that takes ``people`` seats while they are free and the slot open."""
    limit = Slot.capacity if channel in STAFF_CHANNELS else Slot.capacity - Slot.phone_reserved
    return Slot.update(booked=Slot.booked + people).where(
        Slot.id == slot.id, Slot.booked + people <= limit, ~Slot.closed
    )


def _take_seats(seat_update, slot_id):
    """Run ``seat_update`` (rendered) and refuse when it took nothing."""
    if not seat_update.row_count(db):
        if Slot.select(Slot.closed).where(Slot.id == slot_id).scalar():
            _refuse("slot_closed", "slot", "選択された日時は受付を停止しています。日時を選び直してください。")
        _full()


def _release_seats(slot_id, people):
    Slot.update(booked=Slot.booked - people).where(Slot.id == slot_id).execute()


# --- look up, cancel, change --------------------------------------------------------------


def find(number, birth_date):
    """The reservation with this number and birth date (with its slot and location), or None."""
    if not isinstance(birth_date, datetime.date):
        return None
    return (
        _with_place()
        .where(
            Reservation.number == normalise_reservation_number(number),
            Reservation.birth_date == birth_date,
        )
        .get_or_none()
    )


def find_by_id(reservation_id):
    """The reservation (with its slot and location) a signed session names, or None."""
    return _with_place().where(Reservation.id == reservation_id).get_or_none()


def _with_place():
    return Reservation.select(Reservation, Slot, Location).join(Slot).join(Location)


def look_up(number, birth_date):
    """Like ``find``, but refuses (code ``reservation_not_found``) instead of returning None."""
    reservation = find(number, birth_date)
    if reservation is None:
        _refuse(
            "reservation_not_found",
            "number",
            "予約番号または生年月日が正しくありません。予約完了時にお知らせした予約番号をご確認ください。",
        )
    return reservation


def _find_changeable(number, birth_date, channel, at):
    reservation = look_up(number, birth_date)
    if reservation.status != "booked":
        _refuse("reservation_not_active", "number", "この予約は既に取り消されたか、来庁済みです。")
    if channel not in STAFF_CHANNELS and at >= change_deadline(reservation.slot.date):
        deadline = change_deadline(reservation.slot.date)
        _refuse(
            "deadline_passed",
            "number",
            f"変更・取消の受付期限({deadline:%m月%d日 %H:%M})を過ぎています。"
            f"窓口(電話 {_counter_phone(reservation.slot.location)})へお電話ください。",
        )
    return reservation


def cancel(number, birth_date, *, channel="web", at=None):
    """Cancel a booking and give its seats back. Residents may do so until the deadline."""
    at = at or now()
    reservation = _find_changeable(number, birth_date, channel, at)
    with write_transaction(db):
        cancelled = (
            Reservation.update(status="cancelled", cancelled_at=at, updated_at=at)
            .where(Reservation.id == reservation.id, Reservation.status == "booked")
            .execute()
        )
        if not cancelled:
            _refuse("reservation_not_active", "number", "この予約は既に取り消されたか、来庁済みです。")
        _release_seats(reservation.slot_id, reservation.people)
    reservation.status, reservation.cancelled_at = "cancelled", at
    return reservation


def change(number, birth_date, slot_id, *, people=None, channel="web", override=False, at=None):
    """Move a booking to another slot (or the same one with other people) atomically."""
    at = at or now()
    reservation = _find_changeable(number, birth_date, channel, at)
    people = reservation.people if people is None else clean_people(people)
    slot = _load_slot(slot_id)
    _check_slot(slot, reservation.purpose, channel, at)
    applicant = Applicant(
        reservation.name,
        reservation.kana,
        reservation.birth_date,
        people=people,
        notice_number=reservation.notice_number or "",
    )
    with write_transaction(db):
        _serialise_person(applicant)
        card, problems = _overridable_problems(slot, reservation.purpose, applicant, at, reservation.id)
        overridden = _settle(problems, channel, override)
        moved = (
            Reservation.update(
                slot=slot.id, people=people, card=card.id if card else reservation.card_id, updated_at=at
            )
            .where(Reservation.id == reservation.id, Reservation.status == "booked")
            .execute()
        )
        if not moved:
            _refuse("reservation_not_active", "number", "この予約は既に取り消されたか、来庁済みです。")
        _release_seats(reservation.slot_id, reservation.people)
        _take_seats(RenderedQuery(_seat_update(slot, people, channel)), slot.id)
    return BookingResult(find(reservation.number, reservation.birth_date), overridden=overridden)


# --- availability -------------------------------------------------------------------------


def _offers(purpose):
    """Slots whose comma-separated purposes include ``purpose``."""
    return (Value(",").concat(Slot.purposes).concat(",")).contains(f",{purpose},")


def day_availability(location_id, purpose, first_day, last_day, *, channel="web", at=None):
    """{date: DayAvailability} of the open slots still ahead, aggregated in SQL."""
    at = at or now()
    limit = Slot.capacity if channel in STAFF_CHANNELS else Slot.capacity - Slot.phone_reserved
    free = Case(None, [(limit > Slot.booked, limit - Slot.booked)], 0)
    rows = (
        Slot.select(Slot.date, fn.SUM(free), fn.SUM(limit))
        .where(
            Slot.location == location_id,
            Slot.date.between(max(first_day, at.date()), last_day),
            ~Slot.closed,
            _offers(purpose),
            (Slot.date > at.date()) | (Slot.starts_at > at.time()),
        )
        .group_by(Slot.date)
        .tuples()
    )
    return {as_date(day): DayAvailability(int(free_seats or 0), int(seats or 0)) for day, free_seats, seats in rows}


def slot_availability(location_id, purpose, day, *, at=None):
    """The open slots of one day that are still ahead, in time order."""
    return slots_between(location_id, purpose, day, day, at=at).get(day, [])


def slots_between(location_id, purpose, first_day, last_day, *, at=None):
    """{date: [SlotAvailability]} of the open slots still ahead, in date and time order, one query."""
    at = at or now()
    rows = (
        Slot.select(Slot.date, Slot.id, Slot.starts_at, Slot.ends_at, Slot.capacity, Slot.phone_reserved, Slot.booked)
        .where(
            Slot.location == location_id,
            Slot.date.between(max(first_day, at.date()), last_day),
            ~Slot.closed,
            _offers(purpose),
            (Slot.date > at.date()) | (Slot.starts_at > at.time()),
        )
        .order_by(Slot.date, Slot.starts_at)
        .tuples()
    )
    days = {}
    for day, *slot in rows:
        days.setdefault(as_date(day), []).append(SlotAvailability(*slot))
    return days


def slot_summary(slot_id):
    """{id, date, starts_at, ends_at, purposes, location_id, location_name, location_address,
    location_phone} for confirmation pages, or None."""
    try:
        slot_id = int(slot_id)
    except (TypeError, ValueError):
        return None
    return (
        Slot.select(
            Slot.id,
            Slot.date,
            Slot.starts_at,
            Slot.ends_at,
            Slot.purposes,
            Slot.location.alias("location_id"),
            Location.name.alias("location_name"),
            Location.address.alias("location_address"),
            Location.phone.alias("location_phone"),
        )
        .join(Location, JOIN.INNER)
        .where(Slot.id == slot_id)
        .dicts()
        .get_or_none()
    )
