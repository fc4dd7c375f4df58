"""申請受付: applications, fees and document images as lists; one applicant's page is in applicant.py."""

from flask import request, url_for
from flask_admin.helpers import is_form_submitted
from flask_login import current_user
from markupsafe import Markup

from admin_views.base import StaffModelView
from admin_views.reservations import PERSON_FORM_EXCLUDED
from models import Application, Reservation
from rules.applications import application_problems, normalise_form_id, prefill_from_reservation
from rules.card_links import link_ledger


def _link_to_applicant(_view, _context, model, name):
    return Markup('<a href="{}">{}</a>').format(
        url_for("applicant.detail", application_id=model.id), getattr(model, name)
    )


class ApplicationView(StaffModelView):
    allow_delete = False  # fees, documents and the card refer to it; a wrong entry is corrected
    column_list = (
        "application_form_id",
        "received_on",
        "method",
        "name",
        "kana",
        "birth_date",
        "visit_type",
        "issue_kind",
        "express",
        "location",
    )
    column_searchable_list = ("application_form_id", "name", "kana", "kana_key", "phone")
    column_filters = ("method", "visit_type", "issue_kind", "express", "received_on")
    column_default_sort = ("received_on", True)
    column_formatters = {"application_form_id": _link_to_applicant, "name": _link_to_applicant}
    form_excluded_columns = (*PERSON_FORM_EXCLUDED, "cards", "fees", "documents")
    form_widget_args = {"application_form_id": {"inputmode": "numeric", "autocomplete": "off"}}

    def create_form(self, obj=None):
        form = super().create_form(obj)
        reservation_id = request.args.get("reservation", type=int)
        if request.method == "GET" and reservation_id:
            reservation = Reservation.get_or_none(Reservation.id == reservation_id)
            if reservation:
                for field, value in prefill_from_reservation(reservation, user=current_user).items():
                    form[field].data = value
        return form

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not is_form_submitted() or not hasattr(form, "application_form_id"):
            return valid
        values = {name: field.data for name, field in form._fields.items()}
        problems = application_problems(values)
        duplicate = Application.select().where(
            Application.application_form_id == normalise_form_id(values["application_form_id"]),
            Application.id != (request.args.get("id", type=int) or 0),
        )
        if "application_form_id" not in problems and duplicate.exists():
            problems["application_form_id"] = "この申請書IDは既に登録されています。"
        for field, message in problems.items():
            form[field].errors = [*form[field].errors, message]
        return valid and not problems

    def on_model_change(self, form, model, is_created):
        model.application_form_id = normalise_form_id(model.application_form_id)
        if is_created and model.received_by is None:
            model.received_by = current_user._get_current_object()

    def after_model_change(self, form, model, is_created):
        link_ledger(form_ids=[model.application_form_id], notice_numbers=[])

    def get_save_return_url(self, model, is_created=False):
        return url_for("applicant.detail", application_id=model.id)


class FeePaymentView(StaffModelView):
    """Payments are taken on the applicant's page, which numbers receipts; here they are read."""

    allow_create = allow_edit = allow_delete = False
    column_list = ("fiscal_year", "receipt_seq", "paid_at", "location", "kind", "amount", "exemption_reason", "void")
    column_filters = ("kind", "void", "paid_at", "fiscal_year")
    column_default_sort = ("paid_at", True)
    column_exclude_list = ("submission_token",)
    column_details_exclude_list = ("submission_token",)


class DocumentView(StaffModelView):
    """Images are uploaded and opened from the applicant's page; here they are listed."""

    allow_create = allow_edit = allow_delete = False
    column_list = ("application", "title", "original_filename", "mime", "pages", "size", "uploaded_at", "deleted")
    column_filters = ("mime", "deleted", "uploaded_at")
    column_exclude_list = ("stored_path", "sha256")
    column_details_exclude_list = ("stored_path",)
