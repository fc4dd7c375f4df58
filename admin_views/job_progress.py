"""The progress of a job that runs in the background (a CSV import, a batch of PDFs): a small JSON
file in ``DATA_DIR``, which every process of a deployment shares (pending_uploads needs it too).
The process that runs the job writes it; a poll may reach any process. ``result`` stays None until
the job ends."""

import json
import logging
import threading

from flask import abort, current_app

from admin_views.pending_uploads import checked
from models import db

logger = logging.getLogger(__name__)


def run_in_background(folder, token, user_id, work, failed):
    """Start ``work(progress)`` for the user in a thread of its own, with the app and a database
    connection. Its progress and then its result (what it returns, or ``failed`` when it raised,
    logged) are kept for the polls."""
    start(folder, token, user_id)
    app = current_app._get_current_object()

    def progress(done, total):
        update(folder, token, done=done, total=total)

    def run():
        try:
            with app.app_context(), db.connection_context():
                result = work(progress)
        except Exception:
            logger.exception("バックグラウンドの処理 %s が失敗しました", token[:8])
            result = failed
        update(folder, token, result=result)

    threading.Thread(target=run, name=f"job-{token[:8]}", daemon=True).start()


def start(folder, token, user_id):
    """Record a new job of ``token``; 409 when it is already running (a second click)."""
    try:
        with open(_path(folder, token), "x", encoding="utf-8") as file:
            json.dump({"user_id": user_id, "done": 0, "total": 0, "result": None}, file)
    except FileExistsError:
        abort(409)


def update(folder, token, **changes):
    """Merge ``changes`` into the state, replacing the file whole so that no reader sees half of it."""
    path = _path(folder, token)
    state = json.loads(path.read_text(encoding="utf-8")) | changes
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    partial.replace(path)


def read(folder, token, user_id):
    """The state of ``token``'s job; 404 when there is none, or it is someone else's."""
    try:
        state = json.loads(_path(folder, checked(token)).read_text(encoding="utf-8"))
    except FileNotFoundError:
        abort(404)
    if state["user_id"] != user_id:
        abort(404)
    return state


def remove(folder, token):
    _path(folder, token).unlink(missing_ok=True)


def _path(folder, token):
    return folder / f"{token}.progress"
