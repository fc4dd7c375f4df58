"""The issuance process around the ledger: one card's page, the shelf scan that moves one card at a
time, and the 督促対象 / 廃棄対象 worklists."""

from flask import abort, redirect, request, session, url_for
from flask_admin import expose
from peewee import JOIN

from admin_views.base import StaffPage, current_role_at_least
from admin_views.cards import move_cards, run_move
from models import (
    CARD_STAGES,
    FEE_KINDS,
    ISSUE_KINDS,
    PURPOSES,
    RESERVATION_STATUSES,
    VISIT_TYPES,
    Application,
    Card,
    CardEvent,
    FeePayment,
    Location,
    Reservation,
    Slot,
    StorageLocation,
    User,
)
from rules import card_stages, uploads
from rules.card_stages import STAGE_LABELS, TransitionError
from rules.clock import now, today
from rules.fees import receipt_number
from rules.storage import StorageError, card_from_scan

LABELS = {
    "stage": dict(CARD_STAGES),
    "visit_type": dict(VISIT_TYPES),
    "issue_kind": dict(ISSUE_KINDS),
    "purpose": dict(PURPOSES),
    "status": dict(RESERVATION_STATUSES),
    "fee": dict(FEE_KINDS),
}
SCAN_TARGETS = ("inspected", "preset", "notified", "mailed", "issued", "returned", "on_hold")
SCAN_LOG_KEY = "card_scan_log"
SCAN_LOG_LENGTH = 30


def _card_or_404(card_id):
    card = (
        Card.select(Card, StorageLocation)
        .join(StorageLocation, JOIN.LEFT_OUTER)
        .where(Card.id == card_id)
        .get_or_none()
    )
    return card or abort(404)


class CardDetailPage(StaffPage):
    """One card: its ledger line, full stage history, application, documents, reservations and fees."""

    min_role = "viewer"
    view_roles = {"move": "clerk"}

    def is_visible(self):
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("card.index_view"))

    @expose("/<int:card_id>")
    def detail(self, card_id):
        card = _card_or_404(card_id)
        application = card.application or Application.get_or_none(
            Application.application_form_id == card.application_form_id
        )
        card_stages.attach_held_from([card])
        targets = card_stages.allowed_targets(card, held_from=card.held_from)
        if not current_role_at_least(card_stages.DISPOSE_ROLE):
            targets = [target for target in targets if target != "disposed"]
        return self.render(
            "admin/card_detail.html",
            card=card,
            application=application,
            events=list(
                CardEvent.select(CardEvent, User)
                .join(User, JOIN.LEFT_OUTER)
                .where(CardEvent.card == card.id)
                .order_by(CardEvent.at, CardEvent.id)
            ),
            reservations=_reservations_of(card),
            fees=_fees_of(card, application),
            documents=uploads.applicant_documents(application) if application else [],
            targets=targets,
            labels=LABELS,
            receipt_number=receipt_number,
            can_move=current_role_at_least("clerk"),
            can_see_images=current_role_at_least(uploads.VIEW_ROLE),
        )

    @expose("/<int:card_id>/move", methods=("POST",))
    def move(self, card_id):
        to_stage = request.form.get("to_stage", "")
        note = request.form.get("note", "")
        if to_stage == "release_hold":
            move_cards([card_id], None, note, release=True)
        elif to_stage in STAGE_LABELS:
            move_cards([card_id], to_stage, note)
        else:
            abort(400)
        return redirect(url_for(".detail", card_id=card_id))


def _reservations_of(card):
    return list(
        Reservation.select(Reservation, Slot, Location)
        .join(Slot)
        .join(Location)
        .where((Reservation.card == card.id) | (Reservation.notice_number == card.notice_number))
        .order_by(Slot.date.desc(), Slot.starts_at.desc())
    )


def _fees_of(card, application):
    condition = FeePayment.card == card.id
    if application:
        condition |= FeePayment.application == application.id
    return list(FeePayment.select().where(condition).order_by(FeePayment.paid_at, FeePayment.receipt_seq))


class CardScanPage(StaffPage):
    """棚で工程を進める: a USB reader types one card's code and Enter; the card moves to the chosen stage."""

    min_role = "clerk"

    @expose("/")
    def index(self):
        stage = _scan_target(request.args.get("stage"))
        log = session.get(SCAN_LOG_KEY, [])
        cards = {
            card.id: card for card in Card.select().where(Card.id.in_([row["card"] for row in log if row["card"]]))
        }
        return self.render(
            "admin/card_scan.html",
            stage=stage,
            targets=[(target, STAGE_LABELS[target]) for target in SCAN_TARGETS],
            log=log,
            cards=cards,
            labels=LABELS,
        )

    @expose("/", methods=("POST",))
    def scan(self):
        stage = _scan_target(request.form.get("stage"))
        code = request.form.get("code", "")
        log = session.get(SCAN_LOG_KEY, [])
        seq = log[0].get("seq", 0) + 1 if log else 1  # tells the page's script which row is new
        entry = {"seq": seq, "at": now().strftime("%H:%M:%S"), "card": None, "stage": stage, "ok": False, "message": ""}
        try:
            card = card_from_scan(code)
        except StorageError as error:
            entry["message"] = error.message
        else:
            entry["card"] = card.id
            entry["message"], entry["ok"] = _move_one(card, stage)
        session[SCAN_LOG_KEY] = [entry, *log][:SCAN_LOG_LENGTH]
        return redirect(url_for(".index", stage=stage))

    @expose("/clear", methods=("POST",))
    def clear(self):
        session.pop(SCAN_LOG_KEY, None)
        return redirect(url_for(".index", stage=_scan_target(request.form.get("stage"))))


def _scan_target(stage):
    return stage if stage in SCAN_TARGETS else SCAN_TARGETS[0]


def _move_one(card, stage):
    """(message, ok) for the scan log."""
    try:
        run_move([card.id], stage, note="棚で読取")
    except TransitionError as error:
        return (error.refused[0][1] if error.refused else error.message), False
    return f"「{STAGE_LABELS[stage]}」にしました。", True


class CardWorklistPage(StaffPage):
    """督促対象 and 廃棄対象: the cards whose deadline calls for the next step, with that step."""

    min_role = "viewer"
    view_roles = {"remind": "clerk", "dispose": card_stages.DISPOSE_ROLE}
    shown_at_most = 1000

    @expose("/")
    def index(self):
        return redirect(url_for(".reminders"))

    @expose("/reminders")
    def reminders(self):
        return self._render("reminders", card_stages.reminder_due(today()))

    @expose("/disposals")
    def disposals(self):
        return self._render("disposals", card_stages.disposal_due(today()))

    @expose("/reminders/move", methods=("POST",))
    def remind(self):
        move_cards(request.form.getlist("card_id"), "reminded", request.form.get("note", ""))
        return redirect(url_for(".reminders"))

    @expose("/disposals/move", methods=("POST",))
    def dispose(self):
        move_cards(request.form.getlist("card_id"), "disposed", request.form.get("reason", ""))
        return redirect(url_for(".disposals"))

    def _render(self, kind, query):
        total = query.count()
        cards = list(
            query.select_extend(StorageLocation).join(StorageLocation, JOIN.LEFT_OUTER).limit(self.shown_at_most)
        )
        return self.render(
            "admin/card_worklist.html",
            kind=kind,
            cards=cards,
            total=total,
            labels=LABELS,
            can_remind=current_role_at_least("clerk"),
            can_dispose=current_role_at_least(card_stages.DISPOSE_ROLE),
        )
