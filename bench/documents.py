"""Document images through the staff site: upload a generated 10-page 300 dpi A4 scan (as PDF and as
multi-page TIFF), timing how long storing it and making its page images and thumbnails takes, then
the viewer's time to its first page (the viewer page plus its first image).

    .venv/bin/python bench/documents.py [--pages 10] [--dpi 300]
"""

import argparse
import io
import re
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from cli import upgrade_schema  # noqa: E402
from models import Document, db  # noqa: E402
from rules import settings  # noqa: E402
from rules.staff_hours import open_around_the_clock  # noqa: E402
from tests.conftest import AuthActions  # noqa: E402
from tests.factories import gen_application, gen_user  # noqa: E402

A4_INCHES = (8.27, 11.69)


def scanned_page(number, dpi):
    """A grey page with ruled boxes and lines of 'text', like a scanned application form."""
    width, height = (round(side * dpi) for side in A4_INCHES)
    page = Image.new("L", (width, height), 242)
    draw = ImageDraw.Draw(page)
    step = dpi // 4
    for top in range(step * 2, height - step * 2, step):
        draw.rectangle((step, top, width - step, top + step - 8), outline=40, width=max(dpi // 150, 1))
        for left in range(step + 12, width - step * 3, dpi // 10):
            if (left + top + number) % 7:
                draw.rectangle((left, top + 20, left + dpi // 14, top + step - 28), fill=30)
    return page


def scan(pages, dpi, image_format):
    images = [scanned_page(number, dpi) for number in range(1, pages + 1)]
    output = io.BytesIO()
    options = {"compression": "tiff_deflate"} if image_format == "TIFF" else {"resolution": float(dpi)}
    images[0].save(output, image_format, save_all=True, append_images=images[1:], **options)
    return output.getvalue()


def measure(client, token, application, name, data):
    started = time.perf_counter()
    response = client.post(
        f"/admin/documents/upload/{application.id}",
        data={"files": [(io.BytesIO(data), name)], "csrf_token": token},
        content_type="multipart/form-data",
    )
    stored = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    document = Document.select().where(Document.original_filename == name).get()
    started = time.perf_counter()
    viewer = client.get(f"/admin/documents/viewer/{application.id}?i=0").get_data(as_text=True)
    first_image = re.search(r'id="viewer-image" src="([^"]+)"', viewer).group(1)
    image = client.get(first_image)
    first_page = time.perf_counter() - started
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    return document, stored, first_page


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--dpi", type=int, default=300)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(
            {"DATA_DIR": data_dir, "DATABASE_URL": f"sqlite:///{data_dir}/kofu.sqlite3", "SECRET_KEY": "bench"}
        )
        with db.connection_context():
            upgrade_schema()
            gen_user("clerk", login="bench")
            open_around_the_clock(settings.put)  # the staff site's hours would stop a run at night
        client = app.test_client()
        auth = AuthActions(client)
        auth.login("bench")
        token = auth.csrf_token
        with db.connection_context():
            empty = gen_application()
        client.get(f"/admin/documents/viewer/{empty.id}")  # compiles the viewer's template once, as any process would
        print(f"{options.pages}-page A4 scan at {options.dpi} dpi, one upload each, local document store, SQLite")
        for image_format, name in (("PDF", "scan.pdf"), ("TIFF", "scan.tif")):
            data = scan(options.pages, options.dpi, image_format)
            with db.connection_context():
                application = gen_application()
            document, stored, first_page = measure(client, token, application, name, data)
            print(
                f"{image_format:4}: {len(data) / 1024 / 1024:5.1f} MB, {document.pages} pages — "
                f"stored with page images and thumbnails in {stored:.2f} s "
                f"({stored / document.pages:.2f} s a page); viewer's first page in {first_page * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()
