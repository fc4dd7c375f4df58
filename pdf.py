"""PDFs for printing: HTML+CSS templates in ``pdf_templates/`` rendered by xhtml2pdf on A4, with
IPAex Gothic embedded so that Japanese prints the same on every terminal."""

import datetime
import importlib.util
import io
import threading
from pathlib import Path
from urllib.parse import quote

import pypdfium2
from flask import Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

import audit
from config import PROJECT_ROOT
from rules import settings
from rules.uploads import pdfium_lock
from rules.wareki import era_date

TEMPLATE_DIR = PROJECT_ROOT / "pdf_templates"
# The font ships as package data of matplotlib-fontja; locating it does not import matplotlib.
FONT_DIR = Path(importlib.util.find_spec("matplotlib_fontja").submodule_search_locations[0]) / "fonts"
FONT_FILE = FONT_DIR / "ipaexg.ttf"
WEEKDAYS = "月火水木金土日"
CHUNK_SHEETS = 20

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
    context.setdefault("front_matter", True)
    context.setdefault("first_page", 1)
    context.setdefault("page_total", None)
    return _environment.get_template(template_name).render(font_file=FONT_FILE.as_uri(), **context)


def render_pdf(template_name, **context):
    """The PDF bytes of ``pdf_templates/<template_name>`` rendered with ``context``."""
    html = render_html(template_name, **context)
    output = io.BytesIO()
    with _render_lock:
        # capacity=-1 keeps xhtml2pdf's work in memory: past 100 kB it spills to a temporary file that it
        # never closes (a ResourceWarning per long document).
        result = pisa.pisaDocument(
            html,
            dest=output,
            path=str(TEMPLATE_DIR / template_name),
            encoding="utf-8",
            resource_policy=_policy,
            capacity=-1,
        )
    if result.err:
        raise PdfError(f"PDFを作成できませんでした: {template_name}")
    return output.getvalue()


def render_pdf_in_chunks(template_name, sheets, *, progress, front_matter=False, chunk_size=CHUNK_SHEETS, **context):
    """The PDF of ``render_pdf(template_name, sheets=sheets, **context)``, one page a sheet, rendered
    ``chunk_size`` sheets at a time so that ``progress(done, total)`` can follow the sheets.

    With ``front_matter`` (a cover that the template prints while its ``front_matter`` is true), the
    cover is rendered alone first to learn its length. Each chunk numbers its footer from its first page
    of the whole; a sheet that ran over a page would put the numbers out, so then the whole is rendered
    again in one piece."""
    progress(0, len(sheets))
    front_pages = _page_count([render_pdf(template_name, sheets=[], **context)]) if front_matter else 0
    numbering = {"page_total": front_pages + len(sheets)}
    parts = [render_pdf(template_name, sheets=[], **context, **numbering)] if front_matter else []
    for start in range(0, len(sheets), chunk_size):
        chunk = sheets[start : start + chunk_size]
        first_page = front_pages + start + 1
        parts.append(
            render_pdf(template_name, sheets=chunk, front_matter=False, first_page=first_page, **context, **numbering)
        )
        progress(start + len(chunk), len(sheets))
    if _page_count(parts) != numbering["page_total"]:
        return render_pdf(template_name, sheets=sheets, **context)
    return _merged(parts)


def _page_count(pdfs):
    with pdfium_lock:
        return sum(len(pypdfium2.PdfDocument(data)) for data in pdfs)


def _merged(pdfs):
    output = io.BytesIO()
    with pdfium_lock:
        merged = pypdfium2.PdfDocument.new()
        for data in pdfs:
            merged.import_pages(pypdfium2.PdfDocument(data))
        merged.save(output)
    return output.getvalue()


def inline_pdf(body, filename):
    """A response that the browser shows as the PDF ``filename``."""
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


def pdf_response(template_name, filename, *, model="", object_id="", detail="", **context):
    """Render a PDF for the browser to show inline, and log who printed what."""
    body = render_pdf(template_name, **context)
    audit.record("pdf", model=model, object_id=object_id, detail=detail or f"{filename}")
    return inline_pdf(body, filename)
