"""PDFs long enough for the user to watch them being made: a thread renders the PDF into
``DATA_DIR/pdf_jobs/<token>.pdf`` and reports its progress beside it (job_progress), so that any
process can answer the polls and hand the PDF to the user who asked for it, again on a reload,
until the files are removed as abandoned. The output is audited once, when the PDF exists, with
the IP address and URL of the request that started the job."""

import secrets

from flask import abort
from flask_login import current_user

import audit
from admin_views import job_progress, pending_uploads
from pdf import inline_pdf

FOLDER = "pdf_jobs"
FAILED_MESSAGE = "PDFの作成中にシステムエラーが発生しました。もう一度印刷してください。"


def start(render, filename, **audit_entry):
    """Run ``render(progress)``, which returns the PDF's bytes, in a thread for the signed-in user;
    the job's token. ``audit_entry`` (model, object_id, detail) is written once the PDF exists."""
    folder = pending_uploads.folder_of(FOLDER)
    pending_uploads.forget_abandoned(folder)
    token = secrets.token_urlsafe(32)
    user = current_user._get_current_object()
    origin = audit.request_origin()

    def make_pdf(progress):
        (folder / f"{token}.pdf").write_bytes(render(progress))
        audit.record("pdf", user=user, origin=origin, **audit_entry)
        return {"filename": filename}

    job_progress.run_in_background(folder, token, user.id, make_pdf, {"error": FAILED_MESSAGE})
    return token


def state(token):
    """The signed-in user's job ``token``: done, total and result; 404 for anyone else."""
    return job_progress.read(pending_uploads.folder_of(FOLDER), token, current_user.id)


def finished_pdf(token):
    """The finished PDF of the signed-in user's job, shown inline; 404 otherwise."""
    result = state(token)["result"]
    if not result or "filename" not in result:
        abort(404)
    try:
        body = (pending_uploads.folder_of(FOLDER) / f"{token}.pdf").read_bytes()
    except FileNotFoundError:  # removed as abandoned
        abort(404)
    return inline_pdf(body, result["filename"])
