"""QR codes on scanned pages of the カード発行一覧表: a PDF, PNG, JPEG or TIFF file → page images
→ the text of every QR code on every page, in reading order (top to bottom, left to right).

Two decoders (STACK_NOTES.md): zxing-cpp, the default, a self-contained wheel that also reads
small modules in a JPEG-compressed or slightly blurred scan; pyzbar, which needs the Debian
library ``libzbar0``. zxing-cpp also reports codes it found but could not read, so a damaged
code is named instead of silently missing.
"""

import io
import warnings
from dataclasses import dataclass

import pypdfium2
import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from rules.uploads import PILLOW_FORMATS, UploadError, _pdfium_lock, sniff

DECODERS = ("zxing", "pyzbar")
PDF_DPI = 200
ROW_BAND = 50


@dataclass(frozen=True)
class DecodedPage:
    number: int
    texts: list
    unreadable: int = 0


def decode_file(data, decoder="zxing", *, max_bytes, max_pages):
    """Every page of the file decoded; UploadError (Japanese) for a file that is not a readable page image."""
    read = reader(decoder)
    return [DecodedPage(number, *read(page)) for number, page in enumerate(page_images(data, max_bytes, max_pages), 1)]


def reader(decoder):
    """The function image → (texts, unreadable count) of a decoder name, or ValueError."""
    if decoder == "zxing":
        return _read_with_zxing
    if decoder == "pyzbar":
        return _read_with_pyzbar
    raise ValueError(f"QRコードの読取方式「{decoder}」はありません({' または '.join(DECODERS)})。")


def page_images(data, max_bytes, max_pages):
    """The pages of a PDF, PNG, JPEG or TIFF file as grayscale Pillow images."""
    if not data:
        raise UploadError("ファイルが空です(0バイト)。")
    if len(data) > max_bytes:
        raise UploadError(f"ファイルが大きすぎます(上限 {max_bytes // (1024 * 1024)}MB)。")
    mime = sniff(data)
    if mime is None:
        raise UploadError("PDF・PNG・JPEG・TIFF のいずれでもありません。形式はファイル名ではなく中身で判定しています。")
    return _pdf_pages(data, max_pages) if mime == "application/pdf" else _image_pages(data, mime, max_pages)


def _too_many(count, max_pages):
    return UploadError(f"ページ数が多すぎます(上限 {max_pages}ページ、このファイルは {count}ページ)。")


def _pdf_pages(data, max_pages):
    # pdfium is shared with the 書類イメージ uploads and is not thread-safe: one lock for both.
    with _pdfium_lock:
        try:
            document = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError:
            raise UploadError("PDFを開けません(壊れているか、パスワードが設定されています)。") from None
        try:
            if len(document) > max_pages:
                raise _too_many(len(document), max_pages)
            return [page.render(scale=PDF_DPI / 72, grayscale=True).to_pil() for page in document]
        except pypdfium2.PdfiumError:
            raise UploadError("PDFのページを表示できません(ファイルが壊れています)。") from None
        finally:
            document.close()


def _image_pages(data, mime, max_pages):
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[mime]])
            count = getattr(image, "n_frames", 1)
            if count > max_pages:
                raise _too_many(count, max_pages)
            pages = []
            for index in range(count):
                image.seek(index)
                pages.append(ImageOps.exif_transpose(image).convert("L"))
            return pages
        except UploadError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadError("画像の画素数が大きすぎます。解像度を下げて読み取り直してください。") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise UploadError("画像が壊れているか、途中で切れています。元のファイルを確認してください。") from None


def _text(data, fallback):
    """The codes hold UTF-8 (qr_payload.md); a decoder's own guess of the encoding is the fallback."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return fallback


def _read_with_zxing(image):
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode, return_errors=True)
    readable = sorted((code for code in found if code.valid), key=lambda code: _reading_order(code.position))
    return [_text(code.bytes, code.text) for code in readable], sum(1 for code in found if not code.valid)


def _reading_order(position):
    # Codes of one printed row differ in height by a few pixels after scanning: band rows by 50 px.
    return (position.top_left.y // ROW_BAND, position.top_left.x)


def _read_with_pyzbar(image):
    # Imported on use: it loads libzbar0, which a server that keeps the default decoder may lack.
    from pyzbar import pyzbar

    found = pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])
    found.sort(key=lambda code: (code.rect.top // ROW_BAND, code.rect.left))
    return [_text(code.data, code.data.decode("utf-8", errors="replace")) for code in found], 0
