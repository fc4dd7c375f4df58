import pytest

from devices.qr_decode import decode_file
from rules.uploads import UploadError
from tests.qr_codes import a4_page, image_bytes, payload, pdf_bytes, tiff_bytes

LIMITS = {"max_bytes": 50 * 1024 * 1024, "max_pages": 20}
TWENTY = [payload(number) for number in range(20)]


@pytest.fixture(scope="module")
def clean_page():
    return a4_page(TWENTY)


@pytest.mark.parametrize("decoder", ["zxing", "pyzbar"])
def test_both_decoders_read_a_clean_page(clean_page, decoder):
    """Do zxing-cpp and pyzbar both read all 20 codes of a clean PNG page, UTF-8 kana intact, in reading order?"""
    (page,) = decode_file(image_bytes(clean_page), decoder, **LIMITS)
    assert page.texts == TWENTY and page.unreadable == 0


def test_zxing_reads_small_modules_in_a_jpeg_of_quality_60():
    """Does zxing-cpp read 20/20 codes with 2-pixel modules on a page saved as JPEG quality 60?"""
    data = image_bytes(a4_page(TWENTY, module_px=2), "JPEG", quality=60)
    (page,) = decode_file(data, "zxing", **LIMITS)
    assert sorted(page.texts) == sorted(TWENTY)


@pytest.mark.parametrize("make", [pdf_bytes, tiff_bytes], ids=["pdf", "tiff"])
def test_every_page_of_a_pdf_or_tiff(make):
    """Are the codes of each page of a two-page PDF or TIFF reported under their page number?"""
    pages = [a4_page(TWENTY[:4]), a4_page(TWENTY[4:6])]
    decoded = decode_file(make(pages), "zxing", **LIMITS)
    assert [(page.number, page.texts) for page in decoded] == [(1, TWENTY[:4]), (2, TWENTY[4:6])]


def test_a_page_without_codes_has_no_texts():
    """Does a blank page decode to no codes at all rather than fail?"""
    (page,) = decode_file(image_bytes(a4_page([])), "zxing", **LIMITS)
    assert page.texts == [] and page.unreadable == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空です"),
        (b"hello,world\n", "PDF・JPEG・PNG・TIFF のいずれでもありません"),
        (b"%PDF-1.4 broken", "PDFが途中で切れています"),
    ],
)
def test_files_that_are_not_pages_are_refused(data, message):
    """Is a file that is not a page image refused with a Japanese reason?"""
    with pytest.raises(UploadError, match=message):
        decode_file(data, "zxing", **LIMITS)


def test_too_many_pages_are_refused():
    """Is a file with more pages than allowed refused before decoding?"""
    with pytest.raises(UploadError, match="ページ数が多すぎます"):
        decode_file(tiff_bytes([a4_page([])] * 3), "zxing", max_bytes=LIMITS["max_bytes"], max_pages=2)


def test_unknown_decoder_is_refused(clean_page):
    """Is a decoder name other than zxing or pyzbar refused with the choices?"""
    with pytest.raises(ValueError, match="zxing または pyzbar"):
        decode_file(image_bytes(clean_page), "other", **LIMITS)
