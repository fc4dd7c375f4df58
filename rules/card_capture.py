"""Registering カード発行一覧表 QR codes in the card ledger, one scan at a time (QR読取登録) or a
whole scanned list at once (see ``rules/qr_list_import.py``).

Each code is one of:
- 新規 (``new``): an unknown 申請書ID. The card is stored at stage 納品 with its 'delivered'
  ``CardEvent``. The QR code holds no kanji name and no address, so the card's name is its kana
  and the address stays empty until the 統合端末 CSV or the card itself fills them in; a name
  that still equals the kana follows the kana when a later scan corrects it.
- 更新 (``updated``): a known card whose notice number, birth date, 来庁区分 or kana differ.
- 重複 (``duplicate``): a known card, unchanged. Scanning the same code again changes nothing.
- エラー (``error``): a payload of the wrong shape, a card already issued, mailed or disposed,
  or a notice number that another card holds.

A USB reader sends codes as fast as it can: every scan runs in one write transaction and the
unique 申請書ID decides between insert and update, so racing scans of one code give one card.
"""

import datetime
import json
import re
import unicodedata
from dataclasses import dataclass, field

from peewee import IntegrityError, fn

from database import is_sqlite, write_transaction
from models import VISIT_TYPES, Card, CardEvent, QrCaptureScan, QrCaptureSession, User, db
from rules.card_links import link_ledger
from rules.clock import now
from rules.qr_payload import parse_card_code

CAPTURE_NOTE = "QR読取登録"
FINISHED_STAGES = {"issued": "交付済", "mailed": "郵送済", "disposed": "廃棄済"}
COMPARED_FIELDS = {
    "notice_number": "交付通知書番号",
    "birth_date": "生年月日",
    "visit_type": "来庁区分",
    "kana": "氏名フリガナ",
}
OUTCOME_LABELS = {"new": "新規", "updated": "更新", "duplicate": "重複", "error": "エラー"}
VISIT_TYPE_LABELS = dict(VISIT_TYPES)
LONE_TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")
SHOWN_LENGTH = 100
CONFLICT = "同時に行われた別の登録と重なりました。もう一度読み取ってください。"


class CaptureError(ValueError):
    """A request the capture cannot carry out (e.g. nothing to undo); the message is Japanese."""


@dataclass(frozen=True)
class CodeResult:
    """What one code does (or would do) to the ledger."""

    outcome: str
    reason: str
    code: object = None
    card_id: int | None = None
    changes: dict = field(default_factory=dict)


def masked(text):
    """Scanned text as it may be shown or stored: NFKC, one line, a lone 12-digit run hidden
    (it could be a 個人番号, which is never stored or shown)."""
    plain = " ".join(unicodedata.normalize("NFKC", text or "").split())
    return LONE_TWELVE_DIGITS.sub("************", plain)


# One code ------------------------------------------------------------------------------------


def parse(payload):
    """(CardCode, None) or (None, CodeResult of the error)."""
    try:
        return parse_card_code(payload), None
    except ValueError as error:
        return None, CodeResult("error", masked(str(error)))


def classify(code):
    """The outcome of registering ``code`` now, without writing."""
    card = _card_with_form_id(code.application_form_id)
    if card is None:
        clash = _notice_number_holder(code)
        if clash:
            return CodeResult("error", clash, code)
        return CodeResult("new", "登録します。", code)
    return _compare(code, card)


def register_code(code, user=None, note=CAPTURE_NOTE, at=None):
    """Insert or update the card of ``code``; the CodeResult says which, or why not."""
    at = at or now()
    with write_transaction(db):
        card = _card_with_form_id(code.application_form_id, lock=True)
        if card is None:
            clash = _notice_number_holder(code)
            if clash:
                return CodeResult("error", clash, code)
            try:
                with db.atomic():
                    card = _insert_card(code, user, note, at)
                link_ledger([code.application_form_id], [code.notice_number])
                return CodeResult("new", "納品として登録しました。", code, card.id)
            except IntegrityError:
                # Another scan committed first (PostgreSQL): of the same code, then compare with
                # its card; of another card with this notice number, then refuse.
                card = _card_with_form_id(code.application_form_id, lock=True)
                if card is None:
                    return CodeResult("error", _notice_number_holder(code) or CONFLICT, code)
        result = _compare(code, card)
        if result.outcome == "updated":
            _apply_changes(card, result.changes)
            link_ledger([code.application_form_id], [code.notice_number])
        return result


def _card_with_form_id(form_id, lock=False):
    query = Card.select().where(Card.application_form_id == form_id)
    if lock and not is_sqlite(db.obj):
        query = query.for_update()
    return query.first()


def _notice_number_holder(code):
    other = (
        Card.select(Card.application_form_id)
        .where(Card.notice_number == code.notice_number, Card.application_form_id != code.application_form_id)
        .first()
    )
    if other is None:
        return None
    return f"交付通知書番号「{code.notice_number}」は別のカード(申請書ID {other.application_form_id})に登録済みです。"


def _compare(code, card):
    if card.stage in FINISHED_STAGES:
        return CodeResult("error", f"このカードは{FINISHED_STAGES[card.stage]}です(変更できません)。", code, card.id)
    changes = {
        key: (getattr(card, key), getattr(code, key))
        for key in COMPARED_FIELDS
        if getattr(card, key) != getattr(code, key)
    }
    if not changes:
        return CodeResult("duplicate", "登録済みで、内容も同じです。", code, card.id)
    if "notice_number" in changes:
        clash = _notice_number_holder(code)
        if clash:
            return CodeResult("error", clash, code, card.id)
    changed = "・".join(COMPARED_FIELDS[key] for key in changes)
    if "kana" in changes and card.name == card.kana:
        changes["name"] = (card.name, code.kana)
    return CodeResult("updated", f"{changed}を更新しました。", code, card.id, changes)


def _insert_card(code, user, note, at):
    card = Card.create(
        application_form_id=code.application_form_id,
        notice_number=code.notice_number,
        birth_date=code.birth_date,
        visit_type=code.visit_type,
        kana=code.kana,
        name=code.kana,
        delivered_on=at.date(),
        stage="delivered",
        created_at=at,
    )
    CardEvent.create(card=card, at=at, user=user, to_stage="delivered", note=note)
    return card


def _apply_changes(card, changes):
    for key, (_old, new) in changes.items():
        setattr(card, key, new)
    card.save()


# Capture sessions ----------------------------------------------------------------------------


def open_session(user, at=None):
    """The user's open capture session of the day of ``at`` (default now), or None. A session left
    open on an earlier day is not continued: its counts belong to that day's delivery."""
    day_start = datetime.datetime.combine((at or now()).date(), datetime.time())
    return (
        QrCaptureSession.select()
        .where(
            QrCaptureSession.user == user,
            QrCaptureSession.closed_at.is_null(),
            QrCaptureSession.started_at >= day_start,
        )
        .order_by(QrCaptureSession.id.desc())
        .first()
    )


def _session_for_scan(user, at):
    """The open session of the day, started at the first scan, which also closes a session left
    open on an earlier day. The user's row lock (PostgreSQL) keeps two first scans from starting
    two sessions; SQLite's write lock does the same."""
    if not is_sqlite(db.obj):
        User.select(User.id).where(User.id == user.id).for_update().execute()
    session = open_session(user, at)
    if session is None:
        _close_stale_sessions(user)
        session = QrCaptureSession.create(user=user, started_at=at)
    return session


def _close_stale_sessions(user):
    """Close the user's sessions left open on earlier days, at their last scan."""
    stale = QrCaptureSession.select().where(QrCaptureSession.user == user, QrCaptureSession.closed_at.is_null())
    for session in stale:
        last = _last_scan(session, include_undone=True)
        session.closed_at = last.at if last else session.started_at
        session.save()


def register_scan(user, payload, at=None):
    """Register one scanned payload in the user's open session; returns the QrCaptureScan row."""
    at = at or now()
    with write_transaction(db):
        session = _session_for_scan(user, at)
        code, error = parse(payload)
        result = error or register_code(code, user, at=at)
        return QrCaptureScan.create(
            session=session,
            at=at,
            outcome=result.outcome,
            reason=result.reason[:200],
            shown=_shown(code, payload),
            application_form_id=code.application_form_id if code else None,
            visit_type=code.visit_type if code else None,
            card=result.card_id,
            before=json.dumps(result.changes, default=_iso) if result.outcome == "updated" else "",
        )


def _shown(code, payload):
    if code is None:
        return masked(payload)[:SHOWN_LENGTH]
    return f"{code.kana} {code.notice_number} 申請書ID {code.application_form_id}"[:SHOWN_LENGTH]


def _iso(value):
    return value.isoformat()


def undo_last_scan(user):
    """Undo the last scan of the user's open session, restoring the ledger as it was before it.

    Refused (CaptureError) when the card has moved on since: a later stage, another change."""
    with write_transaction(db):
        session = open_session(user)
        scan = _last_scan(session)
        if scan is None:
            raise CaptureError("取り消せる読み取りがありません。")
        if scan.outcome == "new":
            _undo_new_card(scan)
        elif scan.outcome == "updated":
            _undo_update(scan)
        QrCaptureScan.update(undone=True).where(QrCaptureScan.id == scan.id).execute()
        return QrCaptureScan.get_by_id(scan.id)


def _last_scan(session, include_undone=False):
    if session is None:
        return None
    query = QrCaptureScan.select().where(QrCaptureScan.session == session)
    if not include_undone:
        query = query.where(~QrCaptureScan.undone)
    return query.order_by(QrCaptureScan.id.desc()).first()


def _undo_new_card(scan):
    card = Card.get_or_none(Card.id == scan.card_id) if scan.card_id else None
    if card is None:
        return
    later_events = CardEvent.select().where(CardEvent.card == card, CardEvent.to_stage != "delivered").exists()
    if card.stage != "delivered" or later_events:
        raise CaptureError("このカードは読み取り後に工程が進んでいるため、取り消せません。")
    try:
        with db.atomic():
            QrCaptureScan.update(card=None).where(QrCaptureScan.card == card).execute()
            CardEvent.delete().where(CardEvent.card == card).execute()
            card.delete_instance()
    except IntegrityError:
        raise CaptureError("このカードは読み取り後に他のデータから参照されているため、取り消せません。") from None


def _undo_update(scan):
    card = Card.get_or_none(Card.id == scan.card_id) if scan.card_id else None
    if card is None:
        raise CaptureError("このカードは管理簿にありません。")
    changes = {key: (_stored(key, old), _stored(key, new)) for key, (old, new) in json.loads(scan.before).items()}
    if card.stage in FINISHED_STAGES or any(getattr(card, key) != new for key, (_old, new) in changes.items()):
        raise CaptureError("このカードは読み取り後に変更されているため、取り消せません。")
    for key, (old, _new) in changes.items():
        setattr(card, key, old)
    card.save()


def _stored(key, value):
    return datetime.date.fromisoformat(value) if key == "birth_date" else value


def close_session(user, at=None):
    """Close the user's open session; returns it, or None when there was none."""
    with write_transaction(db):
        session = open_session(user)
        if session is not None:
            session.closed_at = at or now()
            session.save()
        return session


# Reporting -----------------------------------------------------------------------------------


def session_counts(session):
    """{outcome: {visit_type or "": count}} of the session's scans that stand (not undone)."""
    counts = {outcome: {} for outcome in OUTCOME_LABELS}
    if session is None:
        return counts
    rows = (
        QrCaptureScan.select(QrCaptureScan.outcome, QrCaptureScan.visit_type, fn.COUNT(QrCaptureScan.id))
        .where(QrCaptureScan.session == session, ~QrCaptureScan.undone)
        .group_by(QrCaptureScan.outcome, QrCaptureScan.visit_type)
        .tuples()
    )
    for outcome, visit_type, count in rows:
        counts[outcome][visit_type or ""] = count
    return counts


def recent_scans(session, limit=None):
    """The session's scans, newest first."""
    if session is None:
        return []
    query = QrCaptureScan.select().where(QrCaptureScan.session == session).order_by(QrCaptureScan.id.desc())
    return list(query.limit(limit) if limit else query)


def summary_lines(session):
    """The session's counts as lines of Japanese text, for the summary and the 操作ログ."""
    return count_lines(session_counts(session))


def count_lines(counts):
    """{outcome: {visit_type or "": count}} as lines such as "新規: 2 (申請時来庁 1 / 交付時来庁 1)"."""
    lines = []
    for outcome, label in OUTCOME_LABELS.items():
        by_visit = counts[outcome]
        parts = [f"{VISIT_TYPE_LABELS[key]} {by_visit[key]}" for key in VISIT_TYPE_LABELS if by_visit.get(key)]
        if by_visit.get(""):
            parts.append(f"読取不可 {by_visit['']}")
        lines.append(f"{label}: {sum(by_visit.values())}" + (f" ({' / '.join(parts)})" if parts else ""))
    return lines
