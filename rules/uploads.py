"""書類イメージ uploads (issue 4): checking a file by its content, turning each page into a view image
and a thumbnail, and storing a batch all-or-nothing. Plain functions, no Flask.

``prepare(upload, *, max_bytes, max_pages) -> PreparedDocument`` refuses with :class:`UploadError`
(a Japanese message) anything but a whole PDF, JPEG, PNG or TIFF within the limits, and renders
every page on the way, so a file that cannot be shown is never accepted.
``store_documents(application, uploads, *, user, store) -> list[Document]`` prepares every file
first; one refusal refuses the batch (:class:`UploadsRefused`) and nothing is written.
``applicant_documents(application)``, ``delete_document(document_id, *, user)`` (soft, supervisors).

PDF pages are rendered with pypdfium2 rather than poppler's ``pdftoppm``: it is a self-contained
wheel (no Debian package on the servers), renders in-process without a subprocess and temporary
files per page, and reports page counts and broken files through the same library.
"""

import hashlib
import io
import threading
import warnings
from dataclasses import dataclass

import pypdfium2
from PIL import Image, ImageOps, UnidentifiedImageError

from models import Application, Document, db
from rules import settings
from rules.clock import now
from rules.roles import role_at_least

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/tiff": "TIFF"}
TYPE_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/tiff": "TIFF"}
VIEW_ROLE = "clerk"
DELETE_ROLE = "supervisor"
VIEW_SIDE = 2000
THUMBNAIL_SIDE = 240
# pdfium is not thread-safe; waitress serves uploads from several threads, and pdf.py merges with it too.
pdfium_lock = threading.Lock()


class UploadError(ValueError):
    """One file refused; ``message`` says why in Japanese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class UploadsRefused(ValueError):
    """A batch refused: ``messages`` has one line per refused file."""

    def __init__(self, messages):
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class PageImages:
    view: bytes
    thumbnail: bytes


@dataclass(frozen=True)
class PreparedDocument:
    filename: str
    data: bytes
    mime: str
    sha256: str
    pages: list


def original_key(sha256):
    return f"originals/{sha256[:2]}/{sha256}"


def page_key(sha256, page):
    return f"pages/{sha256[:2]}/{sha256}-{page}.jpg"


def thumbnail_key(sha256, page):
    return f"thumbnails/{sha256[:2]}/{sha256}-{page}.jpg"


def limits():
    """(max_bytes, max_pages) from the settings."""
    return settings.get("upload_max_mb") * 1024 * 1024, settings.get("upload_max_pages")


def sniff(data):
    """The MIME type the first bytes show, or None for anything not accepted."""
    return next((mime for signature, mime in SIGNATURES if data.startswith(signature)), None)


def prepare(upload, *, max_bytes, max_pages):
    mime = checked_type(upload.data, max_bytes)
    if mime == "application/pdf":
        pages = pdf_pages(upload.data, max_pages, _render_pdf_page)
    else:
        pages = image_pages(upload.data, mime, max_pages, _page_images)
    return PreparedDocument(upload.filename, upload.data, mime, hashlib.sha256(upload.data).hexdigest(), pages)


def checked_type(data, max_bytes):
    """The MIME type of an upload judged by its content, or UploadError for an empty, oversized
    or unaccepted file."""
    size = len(data)
    if size == 0:
        raise UploadError("ファイルが空です(0バイト)。")
    if size > max_bytes:
        raise UploadError(f"ファイルが大きすぎます(上限 {_megabytes(max_bytes)}、このファイルは {_megabytes(size)})。")
    mime = sniff(data)
    if mime is None:
        raise UploadError("PDF・JPEG・PNG・TIFF のいずれでもありません。形式はファイル名ではなく中身で判定しています。")
    return mime


def _megabytes(size):
    return f"{size / 1024 / 1024:.1f}MB".replace(".0MB", "MB")


def _too_many_pages(count, max_pages):
    return UploadError(f"ページ数が多すぎます(上限 {max_pages}ページ、このファイルは {count}ページ)。")


def pdf_pages(data, max_pages, render):
    """``render(page)`` for every page of a PDF, within the page limit; UploadError in Japanese
    for a cut-off, unreadable or empty file."""
    # pdfium silently repairs a cut-off file; a whole PDF ends with %%EOF.
    if b"%%EOF" not in data[-1024:]:
        raise UploadError("PDFが途中で切れています(ファイルが壊れています)。元のファイルを確認してください。")
    with pdfium_lock:
        try:
            document = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError:
            raise UploadError("PDFを開けません(壊れているか、パスワードが設定されています)。") from None
        try:
            count = len(document)
            if count == 0:
                raise UploadError("PDFにページがありません。")
            if count > max_pages:
                raise _too_many_pages(count, max_pages)
            return [render(document[index]) for index in range(count)]
        finally:
            document.close()


def _render_pdf_page(page):
    width, height = page.get_size()
    try:
        bitmap = page.render(scale=VIEW_SIDE / max(width, height, 1))
    except pypdfium2.PdfiumError:
        raise UploadError("PDFのページを表示できません(ファイルが壊れています)。") from None
    return _page_images(bitmap.to_pil())


def image_pages(data, mime, max_pages, render):
    """``render(frame)`` for every frame of a JPEG, PNG or TIFF, within the page limit, with
    Pillow's decompression-bomb guard; UploadError in Japanese for anything unreadable."""
    label = TYPE_LABELS[mime]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[mime]])
            count = getattr(image, "n_frames", 1)
            if count > max_pages:
                raise _too_many_pages(count, max_pages)
            pages = []
            for index in range(count):
                image.seek(index)
                if image.width * image.height > Image.MAX_IMAGE_PIXELS:
                    raise Image.DecompressionBombError
                image.load()
                pages.append(render(image))
            return pages
        except UploadError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadError(
                f"画像の画素数が大きすぎます(上限 {Image.MAX_IMAGE_PIXELS:,}画素)。"
                "解像度を下げて読み取り直してください。"
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            message = f"{label}画像が壊れているか、途中で切れています。元のファイルを確認してください。"
            raise UploadError(message) from None


def _page_images(image):
    image = ImageOps.exif_transpose(image)
    image = image.convert("L" if image.mode in ("1", "L", "I", "I;16", "F") else "RGB")
    view = image.copy()
    view.thumbnail((VIEW_SIDE, VIEW_SIDE))
    thumbnail = view.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return PageImages(_jpeg(view, 85), _jpeg(thumbnail, 75))


def _jpeg(image, quality):
    output = io.BytesIO()
    image.save(output, "JPEG", quality=quality, optimize=True)
    return output.getvalue()


def store_documents(application, uploads, *, user, store, title="", at=None):
    """Check and render every file, then store them all, or refuse the batch without writing."""
    if not uploads:
        raise UploadsRefused(["ファイルを選んでください。"])
    max_bytes, max_pages = limits()
    prepared, refusals = [], []
    for upload in uploads:
        try:
            prepared.append(prepare(upload, max_bytes=max_bytes, max_pages=max_pages))
        except UploadError as error:
            refusals.append(f"「{upload.filename}」: {error.message}")
    if refusals:
        raise UploadsRefused(refusals)
    # Content-addressed files first: if the database then fails, they are unreferenced, never wrong.
    for document in prepared:
        store.put(original_key(document.sha256), document.data)
        for number, page in enumerate(document.pages, start=1):
            store.put(page_key(document.sha256, number), page.view)
            store.put(thumbnail_key(document.sha256, number), page.thumbnail)
    at = at or now()
    with db.atomic():
        return [
            Document.create(
                application=application,
                title=title[:100],
                original_filename=document.filename[:255],
                mime=document.mime,
                pages=len(document.pages),
                size=len(document.data),
                sha256=document.sha256,
                stored_path=original_key(document.sha256),
                uploaded_by=user,
                uploaded_at=at,
            )
            for document in prepared
        ]


def applicant_documents(application):
    """Every kept document of the person behind ``application`` (same kana and birth date, any
    application of theirs), oldest first: what the viewer pages through."""
    return list(
        Document.select()
        .join(Application)
        .where(
            Application.kana_key == application.kana_key,
            Application.birth_date == application.birth_date,
            Document.deleted == False,  # noqa: E712
        )
        .order_by(Document.uploaded_at, Document.id)
    )


def delete_document(document_id, *, user, at=None):
    """Hide a document (the row and its files stay). Supervisors and above only."""
    if user is None or not role_at_least(user.role, DELETE_ROLE):
        raise UploadError("書類イメージの削除は責任者以上の権限が必要です。")
    deleted = (
        Document.update(deleted=True, deleted_by=user, deleted_at=at or now())
        .where(Document.id == document_id, Document.deleted == False)  # noqa: E712
        .execute()
    )
    if not deleted:
        raise UploadError("この書類イメージは見つからないか、既に削除されています。")
    return Document.get_by_id(document_id)
