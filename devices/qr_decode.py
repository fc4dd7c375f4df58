"""QR codes on scanned pages of the カード発行一覧表: a PDF, PNG, JPEG or TIFF file → page images
→ the text of every QR code on every page, in reading order (top to bottom, left to right).

Two decoders (STACK_NOTES.md): zxing-cpp, the default, a self-contained wheel that also reads
small modules in a JPEG-compressed or slightly blurred scan; pyzbar, which needs the Debian
library ``libzbar0``. zxing-cpp also reports codes it found but could not read, so a damaged
code is named instead of silently missing.
"""

from dataclasses import dataclass

import zxingcpp
from PIL import ImageOps

from rules.uploads import checked_type, image_pages, pdf_pages

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
    mime = checked_type(data, max_bytes)
    if mime == "application/pdf":
        return pdf_pages(data, max_pages, _grayscale_pdf_page)
    return image_pages(data, mime, max_pages, _grayscale_image)


def _grayscale_pdf_page(page):
    return page.render(scale=PDF_DPI / 72, grayscale=True).to_pil()


def _grayscale_image(frame):
    return ImageOps.exif_transpose(frame).convert("L")


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
