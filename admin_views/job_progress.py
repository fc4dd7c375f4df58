"""The progress of a job that runs in the background (a CSV import, a batch of PDFs): a small JSON
file in ``DATA_DIR``, which every process of a deployment shares (pending_uploads needs it too).
The process that runs the job writes it; a poll may reach any process. ``result`` stays None until
the job ends."""

import json

from flask import abort

from admin_views.pending_uploads import checked


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
