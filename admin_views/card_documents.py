"""交付書類の印刷: 交付チェックリスト, 受領書 and 電子証明書更新申請書, one card a page, for one location's
交付 bookings of a day or for a selection of cards; the 督促状 for a selection only; and list actions
that print them for ticked cards.

Every print button opens a progress page (``/print/<kind>``) in a new tab: its script starts a
background job (pdf_jobs), shows the sheets done and then the PDF. Without JavaScript it links to
the PDF made while the browser waits (``/day/<kind>``, ``/pdf/<kind>``)."""

from functools import partial
from typing import NamedTuple

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action

from admin_views import pdf_jobs
from admin_views.base import StaffPage, parse_day
from models import CARD_STAGES, ISSUE_KINDS, SEXES, VISIT_TYPES, Location
from pdf import pdf_response, render_pdf_in_chunks
from rules import settings
from rules.card_documents import UnknownCards, day_batch, default_day, sheets_for_cards
from rules.card_stages import reminder_deadline
from rules.clock import today


class CardDocument(NamedTuple):
    title: str
    template: str
    in_day_batch: bool = True


class Printing(NamedTuple):
    """One PDF asked for: its document and sheets, and what the audit log says of it."""

    document: CardDocument
    sheets: list
    batch: object
    filename: str
    object_id: object
    detail: str
    plain_url: str

    def audit_entry(self):
        return {"model": "Card", "object_id": self.object_id, "detail": self.detail}


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
        return _pdf_now(_day_printing(kind))

    @expose("/pdf/<kind>")
    def pdf(self, kind):
        return _pdf_now(_selection_printing(kind))

    @expose("/print/<kind>")
    def print_page(self, kind):
        """The page that makes the PDF in the background, with its progress, then shows it."""
        return self.render("admin/card_printing.html", printing=_printing(kind))

    @expose("/print/<kind>", methods=("POST",))
    def start_printing(self, kind):
        printing = _printing(kind)
        token = pdf_jobs.start(partial(_render, printing), printing.filename, **printing.audit_entry())
        return jsonify(progress=url_for(".print_progress", token=token))

    @expose("/print/progress/<token>")
    def print_progress(self, token):
        state = pdf_jobs.state(token)
        result = state["result"] or {}
        pdf = url_for(".printed", token=token) if "filename" in result else None
        return jsonify(done=state["done"], total=state["total"], pdf=pdf, error=result.get("error"))

    @expose("/print/pdf/<token>")
    def printed(self, token):
        return pdf_jobs.finished_pdf(token)

    @expose("/selected/<kind>", methods=("POST",))
    def selected(self, kind):
        """The cards ticked on another screen's form (``card_id`` checkboxes), sent on to their printing page."""
        _document(kind)
        return _redirect_to_printing(kind, request.form.getlist("card_id"))


class CardDocumentActions:
    """Mixin for a Card list view: print a document for the ticked cards. Each action only sends the
    browser on to the printing page, which checks the role; the PDF's output is audited."""

    @action("print_checklist", "チェックリスト印刷")
    def action_print_checklist(self, ids):
        return _redirect_to_printing("checklist", ids)

    @action("print_receipt", "受領書印刷")
    def action_print_receipt(self, ids):
        return _redirect_to_printing("receipt", ids)

    @action("print_renewal", "更新申請書印刷")
    def action_print_renewal(self, ids):
        return _redirect_to_printing("renewal", ids)

    @action("print_reminder", "督促状印刷")
    def action_print_reminder(self, ids):
        return _redirect_to_printing("reminder", ids)


def _redirect_to_printing(kind, ids):
    return redirect(url_for("card_documents.print_page", kind=kind, ids=",".join(str(card_id) for card_id in ids)))


def _printing(kind):
    """What ``?ids=`` (a selection of cards) or ``?location=&day=`` (a day batch) asks to print."""
    return _selection_printing(kind) if "ids" in request.args else _day_printing(kind)


def _day_printing(kind):
    """The day batch asked for; without a place or a readable day, back to the screen with a message."""
    document = _document(kind, day_batch=True)
    location = _requested_location()
    day, error = _requested_day()
    if location is None or error:
        flash(error or "場所を選んでください。", "error")
        abort(redirect(url_for(".index")))
    batch = day_batch(location, day)
    return Printing(
        document,
        batch.sheets,
        batch,
        f"{document.title}_{location.name}_{day:%Y%m%d}.pdf",
        "",
        f"{document.title} {location.name} {day} {_printed(batch.sheets)}",
        url_for(".day_pdf", kind=kind, location=location.id, day=day.isoformat()),
    )


def _selection_printing(kind):
    """The cards asked for by id; with an unknown or malformed id, back to the screen with a message."""
    document = _document(kind)
    ids = request.args.get("ids", "")
    try:
        sheets = sheets_for_cards(_card_ids(ids))
    except (ValueError, UnknownCards) as error:
        flash(f"{error}。印刷していません。", "error")
        abort(redirect(url_for(".index", ids=ids)))
    return Printing(
        document,
        sheets,
        None,
        _filename(document, sheets),
        sheets[0].card.id if len(sheets) == 1 else "",
        f"{document.title} {_printed(sheets)}",
        url_for(".pdf", kind=kind, ids=ids),
    )


def _pdf_now(printing):
    """The PDF made while the browser waits: the address without JavaScript."""
    return pdf_response(
        printing.document.template,
        printing.filename,
        **printing.audit_entry(),
        sheets=printing.sheets,
        batch=printing.batch,
        **_labels(),
    )


def _render(printing, progress):
    return render_pdf_in_chunks(
        printing.document.template,
        printing.sheets,
        progress=progress,
        front_matter=printing.batch is not None,
        batch=printing.batch,
        **_labels(),
    )


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
        return parse_day(text), None
    except ValueError as error:
        return default_day(), str(error)


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
