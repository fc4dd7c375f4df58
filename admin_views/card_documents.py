"""交付書類の印刷: 交付チェックリスト, 受領書 and 電子証明書更新申請書, one card a page, for one location's
交付 bookings of a day or for a selection of cards; the 督促状 for a selection only; and list actions
that print them for ticked cards."""

import datetime
from typing import NamedTuple

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action

from admin_views.base import StaffPage
from models import CARD_STAGES, ISSUE_KINDS, SEXES, VISIT_TYPES, Location
from pdf import pdf_response
from rules import settings
from rules.card_documents import UnknownCards, day_batch, default_day, sheets_for_cards
from rules.card_stages import reminder_deadline
from rules.clock import today


class CardDocument(NamedTuple):
    title: str
    template: str
    in_day_batch: bool = True


DOCUMENTS = {
    "checklist": CardDocument("交付チェックリスト", "card_checklist.html"),
    "receipt": CardDocument("受領書", "card_receipt.html"),
    "renewal": CardDocument("電子証明書更新申請書", "cert_renewal_form.html"),
    "reminder": CardDocument("督促状", "card_reminder.html", in_day_batch=False),
}


class CardDocumentsPage(StaffPage):
    min_role = "clerk"

    @expose("/")
    def index(self):
        locations = list(Location.in_order())
        location = _requested_location() or (locations[0] if locations else None)
        day, error = _requested_day()
        return self.render(
            "admin/card_documents.html",
            locations=locations,
            location=location,
            day=day,
            error=error,
            batch=day_batch(location, day) if location else None,
            documents=DOCUMENTS,
            stages=dict(CARD_STAGES),
            selected_ids=request.args.get("ids", ""),
        )

    @expose("/day/<kind>")
    def day_pdf(self, kind):
        document = _document(kind, day_batch=True)
        location = _requested_location()
        day, error = _requested_day()
        if location is None or error:
            flash(error or "場所を選んでください。", "error")
            return redirect(url_for(".index"))
        batch = day_batch(location, day)
        return pdf_response(
            document.template,
            f"{document.title}_{location.name}_{day:%Y%m%d}.pdf",
            model="Card",
            detail=f"{document.title} {location.name} {day} {_printed(batch.sheets)}",
            sheets=batch.sheets,
            batch=batch,
            **_labels(),
        )

    @expose("/pdf/<kind>")
    def pdf(self, kind):
        document = _document(kind)
        try:
            sheets = sheets_for_cards(_card_ids(request.args.get("ids", "")))
        except (ValueError, UnknownCards) as error:
            flash(f"{error}。印刷していません。", "error")
            return redirect(url_for(".index", ids=request.args.get("ids", "")))
        return pdf_response(
            document.template,
            _filename(document, sheets),
            model="Card",
            object_id=sheets[0].card.id if len(sheets) == 1 else "",
            detail=f"{document.title} {_printed(sheets)}",
            sheets=sheets,
            batch=None,
            **_labels(),
        )

    @expose("/selected/<kind>", methods=("POST",))
    def selected(self, kind):
        """The cards ticked on another screen's form (``card_id`` checkboxes), sent on to their PDF."""
        _document(kind)
        return _redirect_to_pdf(kind, request.form.getlist("card_id"))


class CardDocumentActions:
    """Mixin for a Card list view: print a document for the ticked cards. Each action only sends the
    browser on to the printing page's PDF address, which checks the role and audits the output."""

    @action("print_checklist", "チェックリスト印刷")
    def action_print_checklist(self, ids):
        return _redirect_to_pdf("checklist", ids)

    @action("print_receipt", "受領書印刷")
    def action_print_receipt(self, ids):
        return _redirect_to_pdf("receipt", ids)

    @action("print_renewal", "更新申請書印刷")
    def action_print_renewal(self, ids):
        return _redirect_to_pdf("renewal", ids)

    @action("print_reminder", "督促状印刷")
    def action_print_reminder(self, ids):
        return _redirect_to_pdf("reminder", ids)


def _redirect_to_pdf(kind, ids):
    return redirect(url_for("card_documents.pdf", kind=kind, ids=",".join(str(card_id) for card_id in ids)))


def _filename(document, sheets):
    """One card is named by its notice number, a selection by its size."""
    if len(sheets) == 1:
        card = sheets[0].card
        return f"{document.title}_{card.notice_number or card.id}.pdf"
    return f"{document.title}_{len(sheets)}枚.pdf"


def _printed(sheets):
    """For the audit log: how many cards were printed, and which."""
    return f"{len(sheets)}枚 カードID {','.join(str(sheet.card.id) for sheet in sheets)}"


def _document(kind, *, day_batch=False):
    document = DOCUMENTS.get(kind)
    if document is None or (day_batch and not document.in_day_batch):
        abort(404)
    return document


def _card_ids(text):
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise ValueError("印刷するカードが選ばれていません")
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise ValueError("カードIDは数字をカンマで区切って指定してください(例: 1,2,3)")
    return [int(part) for part in parts]


def _requested_location():
    return Location.get_or_none(Location.id == request.args.get("location", type=int))


def _requested_day():
    """The day asked for by ?day=, else tomorrow; with a message when it could not be read."""
    text = request.args.get("day", "")
    if not text:
        return default_day(), None
    try:
        return datetime.date.fromisoformat(text), None
    except ValueError:
        return default_day(), "日付は YYYY-MM-DD の形で指定してください。"


def _labels():
    return {
        "stages": dict(CARD_STAGES),
        "issue_kinds": dict(ISSUE_KINDS),
        "visit_types": dict(VISIT_TYPES),
        "sexes": dict(SEXES),
        "counter_phone": settings.get("counter_phone"),
        "public_site_url": settings.get("public_site_url"),
        "printed_on": today(),
        "reminder_deadline": reminder_deadline(today()),
    }
