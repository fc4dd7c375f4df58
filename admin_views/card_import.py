"""CSV取込: upload a 統合端末 CSV, preview it, confirm, apply all-or-nothing.

The file waits between preview and confirm in ``DATA_DIR/card_imports/`` (pending_uploads). With
JavaScript the apply runs in a thread and the page polls its progress, kept beside the file
(job_progress) so that any process can answer the poll; without it the confirm is a plain POST
that answers when the import is done.
"""

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, jsonify, request, url_for
from flask_admin import expose
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

import audit
from admin_views import job_progress, pending_uploads
from admin_views.base import StaffPage
from base_form import KofuForm
from database import write_transaction
from models import db
from rules import card_import

FAILED_MESSAGE = "取込中にシステムエラーが発生したため、何も登録しませんでした。"
ERRORS_SHOWN = 1000
FOLDER = "card_imports"


@dataclass(frozen=True)
class Upload:
    path: Path
    filename: str
    profile: card_import.Profile
    user: object
    origin: tuple  # the request's (IP address, URL), for the audit row of a background import


class UploadForm(KofuForm):
    file = FileField("CSVファイル", validators=[FileRequired("CSVファイルを選んでください。")])
    profile = SelectField("取込設定", validators=[InputRequired("取込設定を選んでください。")])


class ConfirmForm(KofuForm):
    token = HiddenField(validators=[InputRequired()])
    profile = HiddenField(validators=[InputRequired()])
    filename = HiddenField()


class CardImportView(StaffPage):
    min_role = "clerk"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = UploadForm()
        form.profile.choices = [SelectChoice(name, label) for name, label in _profile_choices()]
        if not form.validate_on_submit():
            return self.render("admin/card_import.html", form=form, step="upload")
        profile = _load_profile(form.profile.data)
        data = form.file.data.read()
        report = card_import.preview(data, profile)
        token = pending_uploads.keep(FOLDER, data) if report.ok else None
        confirm = ConfirmForm(token=token, profile=profile.name, filename=form.file.data.filename)
        return self.render(
            "admin/card_import.html",
            form=confirm,
            step="preview",
            report=report,
            profile=profile,
            filename=form.file.data.filename,
            errors_shown=ERRORS_SHOWN,
        )

    @expose("/apply", methods=("POST",))
    def apply(self):
        form = ConfirmForm()
        if not form.validate_on_submit():
            abort(400)
        profile = _load_profile(form.profile.data)
        path = pending_uploads.claim(FOLDER, form.token.data)
        user = current_user._get_current_object()
        upload = Upload(path, form.filename.data or "", profile, user, audit.request_origin())
        if request.form.get("mode") == "background":
            _start_in_background(form.token.data, upload)
            return jsonify(progress=url_for(".progress", token=form.token.data))
        return self._render_result(_apply_file(upload))

    @expose("/progress/<token>")
    def progress(self, token):
        state = job_progress.read(pending_uploads.folder_of(FOLDER), token, current_user.id)
        finished = state["result"] is not None
        result = url_for(".result", token=token) if finished else None
        return jsonify(done=state["done"], total=state["total"], finished=finished, result=result)

    @expose("/result/<token>")
    def result(self, token):
        folder = pending_uploads.folder_of(FOLDER)
        state = job_progress.read(folder, token, current_user.id)
        if state["result"] is None:
            abort(404)
        job_progress.remove(folder, token)
        return self._render_result(card_import.Report.from_dict(state["result"]))

    def _render_result(self, report):
        outcome = card_import.outcome(report)
        return self.render(
            "admin/card_import.html", step="result", report=report, outcome=outcome, errors_shown=ERRORS_SHOWN
        )


def _profile_choices():
    return card_import.profile_choices(card_import.profile_directories(current_app.config["DATA_DIR"]))


def _load_profile(name):
    try:
        return card_import.load_profile(name, card_import.profile_directories(current_app.config["DATA_DIR"]))
    except card_import.ProfileError:
        abort(400)


def _apply_file(upload, progress=None):
    """Apply the kept file and delete it, whatever the outcome."""
    try:
        with write_transaction(db):
            report = card_import.apply(upload.path.read_bytes(), upload.profile, user=upload.user, progress=progress)
            if report.applied:
                detail = card_import.audit_detail(upload.filename, upload.profile, report)
                audit.record("import", model="Card", detail=detail, user=upload.user, origin=upload.origin)
    finally:
        upload.path.unlink(missing_ok=True)
    return report


def _start_in_background(token, upload):
    failed = card_import.Report(problems=[card_import.Problem(None, "", FAILED_MESSAGE)])
    job_progress.run_in_background(
        pending_uploads.folder_of(FOLDER),
        token,
        upload.user.id,
        lambda progress: dataclasses.asdict(_apply_file(upload, progress)),
        dataclasses.asdict(failed),
    )
