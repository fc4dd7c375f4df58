"""Uploads waiting between a preview and its confirmation: kept in ``DATA_DIR/<folder>/``
under a random token (never in the session cookie), claimed at most once, and removed after
KEEP_SECONDS when nobody confirmed them (with the progress files and PDFs of jobs nobody came back to)."""

import re
import secrets
import time
from pathlib import Path

from flask import abort, current_app

TOKEN = re.compile(r"[A-Za-z0-9_\-]{32,64}")
KEEP_SECONDS = 12 * 60 * 60


def keep(folder_name, data):
    """Store the bytes and return the token the confirm form carries."""
    folder = folder_of(folder_name)
    forget_abandoned(folder)
    token = secrets.token_urlsafe(32)
    (folder / f"{token}.upload").write_bytes(data)
    return token


def claim(folder_name, token):
    """The kept file of a token, renamed so that only one of two confirms (a double click) has it.
    Delete the returned file when done."""
    folder = folder_of(folder_name)
    claimed = folder / f"{checked(token)}.applying"
    try:
        (folder / f"{token}.upload").rename(claimed)
    except FileNotFoundError:
        abort(404)
    return claimed


def checked(token):
    """The token, once it is known to be safe as part of a file name; 400 otherwise."""
    if not TOKEN.fullmatch(token or ""):
        abort(400)
    return token


def folder_of(folder_name):
    folder = Path(current_app.config["DATA_DIR"]) / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def forget_abandoned(folder):
    oldest_kept = time.time() - KEEP_SECONDS
    for path in [*folder.glob("*.upload"), *folder.glob("*.progress"), *folder.glob("*.pdf")]:
        if path.stat().st_mtime < oldest_kept:
            path.unlink(missing_ok=True)
