"""Reading PDFs back in tests, with poppler-utils."""

import subprocess


def pdf_text(data):
    """The text of a PDF, laid out as printed."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode()


def pdf_fonts(data, tmp_path):
    """pdffonts' table of the fonts a PDF uses."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
