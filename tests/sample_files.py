"""Files to upload in tests, made on the spot: scans in every accepted format and broken ones."""

import io
import struct
import sys
import zlib
from pathlib import Path

from PIL import Image, ImageDraw


def scan_page(number=1, size=(620, 877)):
    """A grey A4-shaped page with its number written on it."""
    page = Image.new("L", size, 235)
    draw = ImageDraw.Draw(page)
    draw.rectangle((40, 40, size[0] - 40, 120), outline=0, width=3)
    draw.text((60, 70), f"page {number}", fill=0)
    return page


def encoded(image, image_format, **options):
    output = io.BytesIO()
    image.save(output, image_format, **options)
    return output.getvalue()


def jpeg(number=1, size=(620, 877)):
    return encoded(scan_page(number, size).convert("RGB"), "JPEG", quality=80)


def png(number=1):
    return encoded(scan_page(number), "PNG")


def multipage(image_format, pages, size=(620, 877), **options):
    images = [scan_page(number, size) for number in range(1, pages + 1)]
    return encoded(images[0], image_format, save_all=True, append_images=images[1:], **options)


def tiff(pages=3, size=(620, 877)):
    return multipage("TIFF", pages, size, compression="tiff_deflate")


def pdf(pages=3, size=(620, 877)):
    return multipage("PDF", pages, size, resolution=75.0)


def executable():
    """The first 64 KiB of the Python interpreter: a real program, to be renamed .jpg."""
    return Path(sys.executable).resolve().read_bytes()[:65536]


def png_bomb(side=20000):
    """A PNG that claims side × side pixels in a few tens of kilobytes (1-bit, every row blank)."""

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" * (1 + (side + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
