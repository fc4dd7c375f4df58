from flask import Blueprint, render_template

from models import Announcement

public = Blueprint("public", __name__, template_folder="templates")


@public.app_context_processor
def public_announcements():
    """Public announcements and maintenance notices, shown on every public page."""
    return {"public_announcements": lambda: list(Announcement.current("public"))}


@public.route("/")
def index():
    return render_template("public/index.html")
