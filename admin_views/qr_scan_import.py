"""QRスキャン画像取込: upload the scanned pages of a カード発行一覧表, see what every page holds,
confirm, and register all codes or none (``rules/qr_list_import.py``).

The file waits between preview and confirm in ``DATA_DIR/qr_scans/`` (pending_uploads) and is decoded
again at the confirm, so what is registered is what the file holds against the ledger of then.
"""

from flask import abort
from flask_admin import expose
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import InputRequired

import audit
from admin_views import pending_uploads
from admin_views.base import StaffPage
from base_form import KofuForm
from database import write_transaction
from devices.qr_decode import decode_file
from models import db
from rules import card_capture, qr_list_import, settings, uploads

ACCEPTED = ".pdf,.png,.jpg,.jpeg,.tif,.tiff,application/pdf,image/png,image/jpeg,image/tiff"


class UploadForm(KofuForm):
    file = FileField("スキャン画像(PDF・PNG・JPEG・TIFF)", validators=[FileRequired("ファイルを選んでください。")])


class ConfirmForm(KofuForm):
    token = HiddenField(validators=[InputRequired()])
    filename = HiddenField()


class QrScanImportView(StaffPage):
    min_role = "clerk"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = UploadForm()
        if not form.validate_on_submit():
            return self.render("admin/qr_scan_import.html", form=form, step="upload", accepted=ACCEPTED)
        data = form.file.data.read()
        filename = form.file.data.filename or ""
        report, refusal = _plan(data)
        token = pending_uploads.keep("qr_scans", data) if report and report.ok else None
        return self.render(
            "admin/qr_scan_import.html",
            form=ConfirmForm(token=token, filename=filename),
            step="preview",
            filename=filename,
            report=report,
            refusal=refusal,
            **_labels(),
        )

    @expose("/apply", methods=("POST",))
    def apply(self):
        form = ConfirmForm()
        if not form.validate_on_submit():
            abort(400)
        path = pending_uploads.claim("qr_scans", form.token.data)
        try:
            decoded = _decode(path.read_bytes())
            with write_transaction(db):
                report = qr_list_import.apply(decoded, current_user._get_current_object())
                if report.applied:
                    detail = qr_list_import.audit_detail(form.filename.data or "", report)
                    audit.record("qr_import", model="Card", detail=detail)
        finally:
            path.unlink(missing_ok=True)
        return self.render("admin/qr_scan_import.html", step="result", report=report, refusal=None, **_labels())


def _labels():
    return {"outcomes": card_capture.OUTCOME_LABELS, "visit_types": card_capture.VISIT_TYPE_LABELS}


def _decode(data):
    max_bytes, max_pages = uploads.limits()
    return decode_file(data, settings.get("qr_decoder"), max_bytes=max_bytes, max_pages=max_pages)


def _plan(data):
    """(report, None), or (None, the Japanese reason the file cannot be read at all)."""
    try:
        return qr_list_import.plan(_decode(data)), None
    except ValueError as error:
        return None, str(error)
