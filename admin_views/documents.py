"""書類イメージ: uploading from the applicant's page, the viewer, and the images themselves, which
are only ever served here, to staff with the right role, each view written to the audit log."""

from urllib.parse import quote

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from wtforms import MultipleFileField, StringField

import audit
from admin_views.base import StaffPage, current_role_at_least
from base_form import KofuForm
from document_store import DocumentMissing, current_store
from models import Application, Document
from rules import uploads
from rules.uploads import Upload, UploadError, UploadsRefused

ZOOM_LEVELS = (50, 75, 100, 150, 200, 300)


class UploadForm(KofuForm):
    files = MultipleFileField("ファイル(PDF・JPEG・PNG・TIFF、複数選択できます)")
    title = StringField("書類名(任意)")


class DeleteForm(KofuForm):
    pass


class DocumentPage(StaffPage):
    min_role = uploads.VIEW_ROLE
    view_roles = {"upload": "clerk", "delete": uploads.DELETE_ROLE}

    def is_visible(self):
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("document.index_view"))

    @expose("/upload/<int:application_id>", methods=("POST",))
    def upload(self, application_id):
        application = Application.get_or_none(Application.id == application_id) or abort(404)
        form = UploadForm()
        if not form.validate_on_submit():
            abort(400)
        batch = [Upload(file.filename or "無題", file.read()) for file in request.files.getlist("files") if file]
        try:
            documents = uploads.store_documents(
                application,
                batch,
                user=current_user._get_current_object(),
                store=current_store(),
                title=form.title.data or "",
            )
        except UploadsRefused as refused:
            flash("書類イメージを登録しませんでした。" + " ".join(refused.messages), "error")
        else:
            for document in documents:
                audit.record(
                    "create",
                    model="Document",
                    object_id=document.id,
                    changes={"original_filename": [None, document.original_filename], "pages": [None, document.pages]},
                    detail=f"申請書ID {application.application_form_id}",
                )
            pages = sum(document.pages for document in documents)
            flash(f"書類イメージを{len(documents)}件({pages}ページ)登録しました。", "success")
        return redirect(url_for("applicant.detail", application_id=application_id) + "#documents")

    @expose("/viewer/<int:application_id>")
    def viewer(self, application_id):
        application = Application.get_or_none(Application.id == application_id) or abort(404)
        pages = [
            (document, number)
            for document in uploads.applicant_documents(application)
            for number in range(1, document.pages + 1)
        ]
        index = min(max(request.args.get("i", 0, type=int), 0), max(len(pages) - 1, 0))
        zoom = request.args.get("zoom", 100, type=int)
        return self.render(
            "admin/document_viewer.html",
            application=application,
            pages=pages,
            index=index,
            zoom=zoom if zoom in ZOOM_LEVELS else 100,
            zoom_levels=ZOOM_LEVELS,
            delete_form=DeleteForm(),
            can_delete=current_role_at_least(uploads.DELETE_ROLE),
        )

    @expose("/<int:document_id>/page/<int:page>.jpg")
    def page(self, document_id, page):
        document = _page_of(document_id, page)
        return _image(document, uploads.page_key(document.sha256, page), f"{page}ページ目")

    @expose("/<int:document_id>/thumbnail/<int:page>.jpg")
    def thumbnail(self, document_id, page):
        document = _page_of(document_id, page)
        return _image(document, uploads.thumbnail_key(document.sha256, page), f"{page}ページ目(縮小)")

    @expose("/<int:document_id>/original")
    def original(self, document_id):
        document = _kept_document(document_id)
        response = _image(document, document.stored_path, "元のファイル")
        response.mimetype = document.mime
        response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.original_filename)}"
        return response

    @expose("/<int:document_id>/delete", methods=("POST",))
    def delete(self, document_id):
        document = _kept_document(document_id)
        if not DeleteForm().validate_on_submit():
            abort(400)
        try:
            uploads.delete_document(document.id, user=current_user._get_current_object())
        except UploadError as error:
            flash(error.message, "error")
        else:
            audit.record(
                "delete",
                model="Document",
                object_id=document.id,
                changes={"deleted": [False, True]},
                detail=f"{document.original_filename}(ファイルは保存したまま非表示)",
            )
            flash(f"「{document.original_filename}」を削除しました。", "success")
        return redirect(url_for("applicant.detail", application_id=document.application_id) + "#documents")


def _kept_document(document_id):
    document = Document.get_or_none(Document.id == document_id, Document.deleted == False)  # noqa: E712
    return document or abort(404)


def _page_of(document_id, page):
    document = _kept_document(document_id)
    if not 1 <= page <= document.pages:
        abort(404)
    return document


def _image(document, key, what):
    try:
        data = current_store().get(key)
    except DocumentMissing:
        abort(404)
    audit.record(
        "view_document",
        model="Document",
        object_id=document.id,
        detail=f"{document.original_filename} {what}(申請ID {document.application_id})",
    )
    return Response(data, mimetype="image/jpeg")
