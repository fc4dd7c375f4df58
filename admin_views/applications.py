"""申請受付: applications, fees and document images."""

from admin_views.base import StaffModelView
from admin_views.reservations import PERSON_FORM_EXCLUDED


class ApplicationView(StaffModelView):
    column_list = ("application_form_id", "received_on", "method", "name", "kana", "birth_date", "visit_type", "issue_kind", "express", "location")
    column_searchable_list = ("application_form_id", "name", "kana", "kana_key", "phone")
    column_filters = ("method", "visit_type", "issue_kind", "express", "received_on")
    column_default_sort = ("received_on", True)
    form_excluded_columns = (*PERSON_FORM_EXCLUDED, "cards", "fees", "documents")


class FeePaymentView(StaffModelView):
    """Payments are taken on the application screen, which numbers receipts; here they are read."""

    allow_create = allow_edit = allow_delete = False
    column_list = ("fiscal_year", "receipt_seq", "paid_at", "location", "kind", "amount", "exemption_reason", "void")
    column_filters = ("kind", "void", "paid_at", "fiscal_year")
    column_default_sort = ("paid_at", True)


class DocumentView(StaffModelView):
    """Images are uploaded and opened from the application screen; here they are listed."""

    allow_create = allow_edit = allow_delete = False
    column_list = ("application", "title", "original_filename", "mime", "pages", "size", "uploaded_at", "deleted")
    column_filters = ("mime", "deleted", "uploaded_at")
    column_exclude_list = ("stored_path", "sha256")
    column_details_exclude_list = ("stored_path",)
