"""PDFs for printing: HTML+CSS templates in ``pdf_templates/`` rendered by xhtml2pdf on A4, with
IPAex Gothic embedded so that Japanese prints the same on every terminal."""

import datetime
import importlib.util
import io
import threading
from pathlib import Path
from urllib.parse import quote

from flask import Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

import audit
from config import PROJECT_ROOT
from rules import settings
from rules.wareki import era_date

TEMPLATE_DIR = PROJECT_ROOT / "pdf_templates"
# The font ships as package data of matplotlib-fontja; locating it does not import matplotlib.
FONT_DIR = Path(importlib.util.find_spec("matplotlib_fontja").submodule_search_locations[0]) / "fonts"
FONT_FILE = FONT_DIR / "ipaexg.ttf"
WEEKDAYS = "月火水木金土日"

# xhtml2pdf keeps module-level state while it lays out a document: one render at a time.
_render_lock = threading.Lock()


class PdfError(RuntimeError):
    """xhtml2pdf could not lay out the document."""


def yen(amount):
    return f"{amount:,}円"


def japanese_date(value):
    if value is None:
        return ""
    text = f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, datetime.datetime):
        text += f" {value:%H:%M}"
    return text


def japanese_date_with_weekday(value):
    return f"{japanese_date(value)}({WEEKDAYS[value.weekday()]})"


def era_date_with_weekday(value):
    return f"{era_date(value)}({WEEKDAYS[value.weekday()]})"


_environment = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
)
_environment.filters.update(
    yen=yen,
    jdate=japanese_date,
    jdate_weekday=japanese_date_with_weekday,
    wareki=era_date,
    wareki_weekday=era_date_with_weekday,
)
_policy = ResourceAccessPolicy(allow_remote=False, base_dir=TEMPLATE_DIR, extra_roots=(FONT_DIR,))


def render_html(template_name, **context):
    context.setdefault("municipality_name", settings.get("municipality_name"))
    return _environment.get_template(template_name).render(font_file=FONT_FILE.as_uri(), **context)


def render_pdf(template_name, **context):
    """The PDF bytes of ``pdf_templates/<template_name>`` rendered with ``context``."""
    html = render_html(template_name, **context)
    output = io.BytesIO()
    with _render_lock:
        result = pisa.pisaDocument(
            html, dest=output, path=str(TEMPLATE_DIR / template_name), encoding="utf-8", resource_policy=_policy
        )
    if result.err:
        raise PdfError(f"PDFを作成できませんでした: {template_name}")
    return output.getvalue()


def pdf_response(template_name, filename, *, model="", object_id="", detail="", **context):
    """Render a PDF for the browser to show inline, and log who printed what."""
    body = render_pdf(template_name, **context)
    audit.record("pdf", model=model, object_id=object_id, detail=detail or f"{filename}")
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response
