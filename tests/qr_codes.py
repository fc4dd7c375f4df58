"""Test helpers: カード発行一覧表 payloads and pages of QR codes drawn with segno and Pillow."""

import io

import segno
from PIL import Image, ImageDraw

SAMPLE = "MNCL1,44418521867264284878260,6A6-244944,20200506,1,ヤマサキ　タロウ"
A4_MM = (210, 297)


def payload(number, visit="2", kana="アキ　タロウ", birth="19800401", notice=None):
    """A valid payload whose 申請書ID and notice number follow from ``number``."""
    notice = notice or f"QRA-{number:06d}"
    return f"MNCL1,{90000000000000000000000 + number:023d},{notice},{birth},{visit},{kana}"


def a4_page(texts, dpi=200, module_px=None, columns=4):
    """A white A4 page (grayscale) with one QR code per text, in a grid, as a Pillow image."""
    width, height = (round(side / 25.4 * dpi) for side in A4_MM)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    rows = -(-len(texts) // columns) or 1
    cell_w, cell_h = width // columns, (height - 200) // rows
    for index, text in enumerate(texts):
        code = segno.make(text, error="m", mode="byte", encoding="utf-8")
        scale = module_px or max(1, min(cell_w, cell_h - 40) // (code.symbol_size(scale=1, border=4)[0] + 2))
        image = _code_image(code, scale)
        left = (index % columns) * cell_w + (cell_w - image.width) // 2
        top = 100 + (index // columns) * cell_h
        page.paste(image, (left, top))
        draw.text((left, top + image.height + 4), f"No.{index + 1}", fill=0)
    return page


def _code_image(code, scale):
    output = io.BytesIO()
    code.save(output, kind="png", scale=scale, border=4)
    return Image.open(io.BytesIO(output.getvalue())).convert("L")


def image_bytes(pages, kind="PNG", **options):
    """One page, or several (TIFF, PDF), saved in ``kind``. Copies: Pillow keeps save options on an image."""
    first, *rest = [page.copy() for page in (pages if isinstance(pages, list) else [pages])]
    if rest:
        options = {**options, "save_all": True, "append_images": rest}
    output = io.BytesIO()
    first.save(output, kind, **options)
    return output.getvalue()


def pdf_bytes(pages, dpi=200):
    return image_bytes(pages, "PDF", resolution=dpi)


def tiff_bytes(pages):
    return image_bytes(pages, "TIFF", compression="tiff_deflate")
