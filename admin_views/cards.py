"""カード管理: the card ledger with its bulk stage moves, its stage history and storage locations."""

from flask import flash, url_for
from flask_admin.actions import action
from flask_admin.contrib.peewee.filters import BasePeeweeFilter, FilterEqual
from flask_login import current_user
from markupsafe import Markup
from peewee import JOIN

import audit
from admin_views.base import StaffModelView
from admin_views.card_documents import CardDocumentActions
from admin_views.reservations import PERSON_FORM_EXCLUDED
from models import Card, Location, StorageLocation, db
from rules import card_stages
from rules.card_links import link_ledger
from rules.card_stages import STAGE_LABELS, TransitionError
from rules.clock import now, today


def run_move(ids, to_stage, note="", *, release=False):
    """One all-or-nothing move for the signed-in user, audited in the same transaction.
    ``release`` brings held cards back instead. Raises TransitionError."""
    user = current_user._get_current_object()
    card_ids = sorted(map(int, ids))
    with db.atomic():
        if release:
            moved = card_stages.release_hold(card_ids, user=user, note=note, at=now())
        else:
            moved = card_stages.transition(card_ids, to_stage, user=user, note=note, at=now())
        audit.record(
            "dispose" if to_stage == "disposed" else "stage",
            model="Card",
            object_id=",".join(map(str, card_ids))[:32],
            changes={"stage": [_from_summary(moved), target_label(to_stage, release)]},
            detail=f"{moved.count}件 カードID {','.join(map(str, card_ids))}"
            + (f" 理由・備考: {note}" if note else ""),
        )
    return moved


def move_cards(ids, to_stage, note="", *, release=False):
    """``run_move`` with the outcome flashed; returns the Moved result, or None when refused."""
    try:
        moved = run_move(ids, to_stage, note, release=release)
    except TransitionError as error:
        flash(error.message, "error")
        return None
    flash(f"{moved.count}件を「{target_label(to_stage, release)}」にしました。", "success")
    return moved


def target_label(to_stage, release=False):
    return "保留前の工程" if release else STAGE_LABELS[to_stage]


def _from_summary(moved):
    return "・".join(f"{STAGE_LABELS[stage]}{count}件" for stage, count in moved.from_stages.items())


def stage_action(to_stage, confirmation):
    @action(to_stage, f"→ {STAGE_LABELS[to_stage]}", confirmation)
    def run(self, ids):
        move_cards(ids, to_stage, note="一覧から一括")

    return run


class OverdueFilter(BasePeeweeFilter):
    """Cards still waiting for their resident after the 交付期限."""

    def apply(self, query, value):
        condition = card_stages.overdue(today())
        return query.where(condition if value == "1" else ~condition)

    def operation(self):
        return "が"


def _link_to_card(_view, _context, model, name):
    return Markup('<a href="{}">{}</a>').format(url_for("card_detail.detail", card_id=model.id), getattr(model, name))


class QueriedOptions:
    """Filter options read from the database each time the list page renders: Flask-Admin
    resolves a callable only once, when the app starts (perhaps before the tables exist)."""

    def __init__(self, read):
        self.read = read

    def __iter__(self):
        return iter(self.read())

    def __bool__(self):
        return True


def _location_options():
    return [(str(location.id), location.name) for location in Location.in_order()]


def _storage_options():
    return [(str(box.id), f"{box} ({box.code})") for box in StorageLocation.select().order_by(StorageLocation.code)]


class CardView(CardDocumentActions, StaffModelView):
    allow_delete = False  # a card leaves the ledger only through 廃棄, which keeps its history
    can_view_details = False  # the card page (card_detail) shows far more
    column_list = (
        "notice_number",
        "application_form_id",
        "name",
        "kana",
        "birth_date",
        "visit_type",
        "issue_kind",
        "stage",
        "delivered_on",
        "batch",
        "location",
        "storage",
        "issue_deadline",
    )
    column_searchable_list = ("notice_number", "application_form_id", "name", "kana", "kana_key", "batch")
    column_filters = (
        "stage",
        "visit_type",
        FilterEqual(Card.location, "交付場所", options=QueriedOptions(_location_options)),
        FilterEqual(Card.storage, "保管場所", options=QueriedOptions(_storage_options)),
        "delivered_on",
        "batch",
        "issue_deadline",
        "dispose_due",
        OverdueFilter(Card.issue_deadline, "交付期限切れ", options=(("1", "期限切れ"), ("0", "期限内・対象外"))),
        "issue_kind",
        "express",
        "card_expiry",
        "cert_expiry",
    )
    column_formatters = {"name": _link_to_card, "notice_number": _link_to_card}
    column_default_sort = ("delivered_on", True)
    page_size_options = (50, 100, 500, 1000)  # a whole delivery on one page, moved with one selection
    # The stage changes only through the ledger's transitions, which keep the history.
    form_excluded_columns = (*PERSON_FORM_EXCLUDED, "stage", "events", "fees", "reservations", "issued_at")

    # Numbered: Flask-Admin lists actions in the order of their attribute names.
    action_1_inspected = stage_action("inspected", "選択したカードを検品済にします。よろしいですか?")
    action_2_preset = stage_action("preset", "選択したカードを交付前設定済にします。よろしいですか?")
    action_3_notified = stage_action(
        "notified", "選択したカードを交付通知書発送済にし、交付期限を設定します。よろしいですか?"
    )
    action_4_mailed = stage_action("mailed", "選択したカード(申請時来庁)を郵送済にします。よろしいですか?")
    action_5_issued = stage_action("issued", "選択したカードを交付済にします。よろしいですか?")
    action_6_returned = stage_action("returned", "選択したカードを返戻にします。よろしいですか?")
    action_7_reminded = stage_action("reminded", "選択したカードを督促にします。よろしいですか?")
    action_8_on_hold = stage_action("on_hold", "選択したカードを保留にします。よろしいですか?")

    @action("release_hold", "→ 保留解除", "選択したカードを保留前の工程に戻します。よろしいですか?")
    def action_9_release_hold(self, ids):
        move_cards(ids, None, note="一覧から一括", release=True)

    def after_model_change(self, form, model, is_created):
        link_ledger([model.application_form_id], [model.notice_number] if model.notice_number else [])

    def get_query(self):
        return (
            Card.select(Card, StorageLocation, Location)
            .join(StorageLocation, JOIN.LEFT_OUTER)
            .switch(Card)
            .join(Location, JOIN.LEFT_OUTER, on=(Card.location == Location.id))
            .switch(Card)
        )


class CardEventView(StaffModelView):
    allow_create = allow_edit = allow_delete = False
    column_list = ("at", "card", "from_stage", "to_stage", "user", "note")
    column_filters = ("to_stage", "from_stage", "at")
    column_default_sort = ("at", True)


class StorageLocationView(StaffModelView):
    write_role = "supervisor"
    column_list = ("code", "location", "cabinet", "shelf", "box", "capacity", "active")
    column_searchable_list = ("code", "cabinet", "shelf", "box")
    form_excluded_columns = ("created_at", "updated_at", "cards")
