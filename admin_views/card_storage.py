"""保管場所 and 来庁区分: boxes and their occupancy, assigning a delivery to boxes, "where is this
card?", and the 申請時来庁 / 交付時来庁 cards counted and printed as separate lists."""

import datetime

from flask import flash, redirect, request, url_for
from flask_admin import expose
from peewee import JOIN, fn

import audit
from admin_views.base import StaffPage, current_role_at_least
from models import CARD_STAGES, VISIT_TYPES, Card, StorageLocation, db
from pdf import pdf_response, render_html
from rules import card_stages
from rules.storage import StorageError, assign_delivery, box_uses, find_cards

STAGE_LABELS = dict(CARD_STAGES)
VISIT_TYPE_LABELS = dict(VISIT_TYPES)
WAITING_DELIVERIES_SHOWN = 20


class StoragePage(StaffPage):
    min_role = "viewer"
    view_roles = {"assign": "clerk"}

    @expose("/")
    def index(self):
        search = request.args.get("q", "").strip()
        found, search_error = [], ""
        if search:
            try:
                found = find_cards(search)
            except StorageError as error:
                search_error = error.message
        return self.render(
            "admin/card_storage.html",
            uses=box_uses(),
            deliveries=_deliveries_waiting_for_boxes(),
            search=search,
            found=found,
            search_error=search_error,
            stage_labels=STAGE_LABELS,
            visit_type_labels=VISIT_TYPE_LABELS,
            can_assign=current_role_at_least("clerk"),
        )

    @expose("/assign", methods=("POST",))
    def assign(self):
        delivered_on = _date_or_none(request.form.get("delivered_on"))
        batch = request.form.get("batch", "").strip()
        box_ids = [int(box_id) for box_id in request.form.getlist("box_id") if box_id.isdigit()]
        if delivered_on is None:
            flash("納品日を指定してください。", "error")
            return redirect(url_for(".index"))
        try:
            with db.atomic():
                result = assign_delivery(delivered_on, box_ids, batch=batch)
                placed = "、".join(f"{box} {count}枚" for box, count in result.placed.items())
                audit.record(
                    "storage",
                    model="Card",
                    detail=f"納品日 {delivered_on:%Y-%m-%d} ロット「{batch}」 {result.count}枚: {placed}",
                )
        except StorageError as error:
            flash(error.message, "error")
            return redirect(url_for(".index"))
        flash(f"{result.count}枚を保管場所に割り当てました({placed})。", "success")
        for warning in result.warnings:
            flash(warning, "warning")
        return redirect(url_for(".index"))


def _date_or_none(text):
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _deliveries_waiting_for_boxes():
    """(納品日, ロット, 枚数) of the newest deliveries that have cards without a box."""
    return list(
        Card.select(Card.delivered_on, Card.batch, fn.COUNT(Card.id))
        .where(
            Card.storage.is_null(),
            Card.delivered_on.is_null(False),
            Card.stage.not_in(card_stages.LEAVES_STORAGE),
        )
        .group_by(Card.delivered_on, Card.batch)
        .order_by(Card.delivered_on.desc(), Card.batch)
        .limit(WAITING_DELIVERIES_SHOWN)
        .tuples()
    )


class VisitTypeListPage(StaffPage):
    """申請時来庁 and 交付時来庁 follow different paths: counted side by side, printed apart."""

    min_role = "viewer"

    @expose("/")
    def index(self):
        choice = _list_choice()
        counts = card_stages.counts_by_visit_type_and_stage(_cards_query(choice, open_only=False))
        return self.render(
            "admin/card_visit_types.html",
            choice=choice,
            counts=counts,
            totals={
                visit: sum(n for (kind, _stage), n in counts.items() if kind == visit) for visit in VISIT_TYPE_LABELS
            },
            stage_labels=STAGE_LABELS,
            visit_type_labels=VISIT_TYPE_LABELS,
        )

    @expose("/print")
    def print_list(self):
        return render_html("card_visit_list.html", **_print_context())

    @expose("/pdf")
    def pdf(self):
        context = _print_context()
        filename = f"カード一覧_{context['title']}.pdf"
        return pdf_response("card_visit_list.html", filename, model="Card", detail=filename, **context)


def _list_choice():
    visit_type = request.args.get("visit_type", "")
    return {
        "visit_type": visit_type if visit_type in VISIT_TYPE_LABELS else "",
        "delivered_on": _date_or_none(request.args.get("delivered_on")),
        "batch": request.args.get("batch", "").strip(),
    }


def _cards_query(choice, *, open_only=True):
    query = Card.select()
    if choice["visit_type"]:
        query = query.where(Card.visit_type == choice["visit_type"])
    if choice["delivered_on"]:
        query = query.where(Card.delivered_on == choice["delivered_on"])
    if choice["batch"]:
        query = query.where(Card.batch == choice["batch"])
    if open_only:
        query = query.where(Card.stage.not_in(card_stages.FINAL_STAGES))
    return query


def _print_context():
    choice = _list_choice()
    if not choice["visit_type"]:
        choice["visit_type"] = "at_application"
    cards = list(
        _cards_query(choice)
        .select_extend(StorageLocation)
        .join(StorageLocation, JOIN.LEFT_OUTER)
        .order_by(Card.kana_key, Card.birth_date, Card.id)
    )
    delivered = f"{choice['delivered_on']:%Y%m%d}" if choice["delivered_on"] else "全納品日"
    title_parts = [VISIT_TYPE_LABELS[choice["visit_type"]], delivered, choice["batch"]]
    return {
        "title": "_".join(part for part in title_parts if part),
        "visit_type_label": VISIT_TYPE_LABELS[choice["visit_type"]],
        "choice": choice,
        "cards": cards,
        "stage_labels": STAGE_LABELS,
    }
