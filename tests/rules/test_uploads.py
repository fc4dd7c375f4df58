import io

import pytest
from PIL import Image

from document_store import LocalStore
from models import Document
from rules import settings, uploads
from rules.uploads import Upload, UploadError, UploadsRefused
from tests import sample_files
from tests.factories import gen_application, gen_user

MB = 1024 * 1024


def prepare(data, filename="scan.pdf", max_bytes=20 * MB, max_pages=50):
    return uploads.prepare(Upload(filename, data), max_bytes=max_bytes, max_pages=max_pages)


@pytest.mark.parametrize(
    ("data", "mime", "pages"),
    [
        (sample_files.jpeg(), "image/jpeg", 1),
        (sample_files.png(), "image/png", 1),
        (sample_files.tiff(pages=3), "image/tiff", 3),
        (sample_files.pdf(pages=3), "application/pdf", 3),
    ],
    ids=["jpeg", "png", "tiff-3-pages", "pdf-3-pages"],
)
def test_accepted_types_give_a_view_and_a_thumbnail_per_page(data, mime, pages):
    """Is each accepted type recognised by content, with every page rendered to JPEG view and thumbnail?"""
    prepared = prepare(data, filename="whatever.bin")
    assert (prepared.mime, len(prepared.pages)) == (mime, pages)
    view = Image.open(io.BytesIO(prepared.pages[-1].view))
    thumbnail = Image.open(io.BytesIO(prepared.pages[-1].thumbnail))
    assert view.format == thumbnail.format == "JPEG"
    assert max(thumbnail.size) <= uploads.THUMBNAIL_SIDE < max(view.size) <= uploads.VIEW_SIDE


def test_renamed_executable_is_refused():
    """Is a program renamed to .jpg refused because of what it contains?"""
    with pytest.raises(UploadError, match="PDF・JPEG・PNG・TIFF のいずれでもありません"):
        prepare(sample_files.executable(), filename="photo.jpg")


def test_empty_file_is_refused():
    """Is a 0-byte file refused?"""
    with pytest.raises(UploadError, match=r"ファイルが空です\(0バイト\)"):
        prepare(b"", filename="empty.pdf")


def test_truncated_pdf_is_refused():
    """Is a PDF cut in half refused as broken?"""
    whole = sample_files.pdf(pages=3)
    with pytest.raises(UploadError, match="PDFが途中で切れています"):
        prepare(whole[: len(whole) // 2])


def test_garbage_after_a_pdf_header_is_refused():
    """Is a file that only starts like a PDF refused?"""
    with pytest.raises(UploadError, match="PDFを開けません"):
        prepare(b"%PDF-1.7\n" + b"\x00" * 500 + b"\n%%EOF\n")


def test_truncated_jpeg_is_refused():
    """Is a JPEG cut in half refused as broken?"""
    whole = sample_files.jpeg(size=(1200, 1600))
    with pytest.raises(UploadError, match="JPEG画像が壊れているか、途中で切れています"):
        prepare(whole[: len(whole) // 2], filename="scan.jpg")


def test_png_bomb_is_refused_without_decoding():
    """Is a 20,000×20,000 PNG refused by the decompression-bomb guard?"""
    with pytest.raises(UploadError, match="画素数が大きすぎます"):
        prepare(sample_files.png_bomb(), filename="bomb.png")


def test_file_over_the_size_limit_is_refused():
    """Is a file over the size limit refused with both sizes in the message?"""
    data = b"\xff\xd8\xff" + b"\x00" * (2 * MB)
    with pytest.raises(UploadError, match=r"上限 1MB、このファイルは 2MB"):
        prepare(data, filename="big.jpg", max_bytes=1 * MB)


def test_too_many_pages_are_refused():
    """Are a TIFF and a PDF over the page limit refused?"""
    with pytest.raises(UploadError, match=r"上限 2ページ、このファイルは 3ページ"):
        prepare(sample_files.tiff(pages=3), max_pages=2)
    with pytest.raises(UploadError, match=r"上限 2ページ、このファイルは 3ページ"):
        prepare(sample_files.pdf(pages=3), max_pages=2)


@pytest.fixture
def store(tmp_path):
    return LocalStore(tmp_path / "documents")


def test_batch_is_stored_with_rows_and_files(database, store):
    """Are all files of a batch stored by sha256 with their pages, and recorded?"""
    application, clerk, two_pages = gen_application(), gen_user("clerk"), sample_files.pdf(pages=2)
    documents = uploads.store_documents(
        application,
        [Upload("表.pdf", two_pages), Upload("裏.tif", sample_files.tiff(pages=1))],
        user=clerk,
        store=store,
        title="本人確認書類",
    )
    assert [(d.original_filename, d.mime, d.pages, d.title) for d in documents] == [
        ("表.pdf", "application/pdf", 2, "本人確認書類"),
        ("裏.tif", "image/tiff", 1, "本人確認書類"),
    ]
    first = documents[0]
    assert store.get(first.stored_path) == two_pages
    assert first.stored_path == f"originals/{first.sha256[:2]}/{first.sha256}"
    assert store.exists(uploads.page_key(first.sha256, 2)) and store.exists(uploads.thumbnail_key(first.sha256, 2))


def test_one_bad_file_refuses_the_whole_batch(database, store):
    """Does one refused file leave nothing written, neither rows nor files?"""
    batch = [Upload("ok.pdf", sample_files.pdf()), Upload("virus.jpg", sample_files.executable())]
    with pytest.raises(UploadsRefused) as refused:
        uploads.store_documents(gen_application(), batch, user=gen_user("clerk"), store=store)
    assert refused.value.messages[0].startswith("「virus.jpg」: ")
    assert Document.select().count() == 0
    assert not store.root.exists() or not any(store.root.rglob("*"))


def test_size_and_page_limits_come_from_settings(database, store):
    """Do the size and page limits follow the settings?"""
    settings.put("upload_max_pages", "1")
    with pytest.raises(UploadsRefused, match="上限 1ページ"):
        uploads.store_documents(gen_application(), [Upload("a.pdf", sample_files.pdf(2))], user=None, store=store)
    settings.put("upload_max_mb", "1")
    assert uploads.limits() == (MB, 1)


def test_applicant_documents_cover_all_their_applications(database, store):
    """Does the viewer's list hold the documents of every application of the same person, not others'?"""
    first = gen_application(kana="アキ　ジロウ")
    second = gen_application(kana="ｱｷ ｼﾞﾛｳ")
    stranger = gen_application(kana="トサ　ハナコ")
    for application in (first, second, stranger):
        uploads.store_documents(application, [Upload("a.png", sample_files.png())], user=None, store=store)
    assert [d.application.id for d in uploads.applicant_documents(first)] == [first.id, second.id]


def test_soft_delete_needs_a_supervisor_and_keeps_the_row(database, store):
    """Is deletion refused to a clerk, and for a supervisor does it hide the document but keep it?"""
    application = gen_application()
    document = uploads.store_documents(application, [Upload("a.png", sample_files.png())], user=None, store=store)[0]
    with pytest.raises(UploadError, match="責任者以上"):
        uploads.delete_document(document.id, user=gen_user("clerk"))
    supervisor = gen_user("supervisor")
    deleted = uploads.delete_document(document.id, user=supervisor)
    assert deleted.deleted and deleted.deleted_by.id == supervisor.id
    assert uploads.applicant_documents(application) == []
    assert store.exists(document.stored_path)
    with pytest.raises(UploadError, match="既に削除されています"):
        uploads.delete_document(document.id, user=supervisor)
