"""QR読取登録: a USB QR reader types each カード発行一覧表 code into one field and presses Enter;
each scan registers or updates one card at once (``rules/card_capture.py``).

Without JavaScript each Enter is a form POST that redirects back with the focus in the field.
With it, the page queues the scans and posts them one after another in the background, so
the reader can go on while the server answers; the list and counts come from the same page.
"""

from flask import abort, flash, redirect, url_for
from flask_admin import expose
from flask_login import current_user
from wtforms import StringField

import audit
from admin_views.base import StaffPage
from base_form import KofuForm
from database import write_transaction
from models import QrCaptureSession, db
from rules import card_capture

LIST_LENGTH = 200


class ScanForm(KofuForm):
    payload = StringField("QRコード")


class CaptureView(StaffPage):
    min_role = "clerk"

    @expose("/")
    def index(self):
        session = card_capture.open_session(current_user.id)
        return self.render(
            "admin/qr_capture.html",
            form=ScanForm(formdata=None),
            session=session,
            scans=card_capture.recent_scans(session, LIST_LENGTH),
            counts=card_capture.session_counts(session),
            outcomes=card_capture.OUTCOME_LABELS,
            visit_types=card_capture.VISIT_TYPE_LABELS,
        )

    @expose("/scan", methods=("POST",))
    def scan(self):
        form = ScanForm()
        if not form.validate_on_submit():
            abort(400)
        if (form.payload.data or "").strip():
            user = current_user._get_current_object()
            with write_transaction(db):
                scan = card_capture.register_scan(user, form.payload.data)
                if scan.outcome in ("new", "updated"):
                    audit.record("qr_capture", model="Card", object_id=scan.card_id, detail=_detail(scan))
        return redirect(url_for(".index"))

    @expose("/undo", methods=("POST",))
    def undo(self):
        if not KofuForm().validate_on_submit():
            abort(400)
        try:
            with write_transaction(db):
                scan = card_capture.undo_last_scan(current_user._get_current_object())
                audit.record("qr_capture_undo", model="Card", object_id=scan.application_form_id, detail=_detail(scan))
        except card_capture.CaptureError as error:
            flash(str(error), "error")
        else:
            flash(f"取り消しました: {card_capture.OUTCOME_LABELS[scan.outcome]} {scan.shown}", "success")
        return redirect(url_for(".index"))

    @expose("/close", methods=("POST",))
    def close(self):
        if not KofuForm().validate_on_submit():
            abort(400)
        with write_transaction(db):
            session = card_capture.close_session(current_user._get_current_object())
            if session is None:
                return redirect(url_for(".index"))
            audit.record("qr_capture_close", model="Card", detail=" ".join(card_capture.summary_lines(session)))
        return redirect(url_for(".summary", session_id=session.id))

    @expose("/summary/<int:session_id>")
    def summary(self, session_id):
        session = QrCaptureSession.get_or_none(QrCaptureSession.id == session_id)
        if session is None or session.user_id != current_user.id or session.closed_at is None:
            abort(404)
        scans = card_capture.recent_scans(session)
        return self.render(
            "admin/qr_capture_summary.html",
            session=session,
            lines=card_capture.summary_lines(session),
            counts=card_capture.session_counts(session),
            errors=[scan for scan in scans if scan.outcome == "error" and not scan.undone],
            total=sum(1 for scan in scans if not scan.undone),
            outcomes=card_capture.OUTCOME_LABELS,
            visit_types=card_capture.VISIT_TYPE_LABELS,
        )


def _detail(scan):
    return f"{card_capture.OUTCOME_LABELS[scan.outcome]}: {scan.shown} {scan.reason}"
