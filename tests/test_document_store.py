import io
import socket
import urllib.request

import boto3
import pytest
from moto.server import ThreadedMotoServer

from app import create_app
from config import ConfigError
from document_store import DocumentMissing, LocalStore, S3Store, open_store
from models import db
from tests import sample_files
from tests.conftest import AuthActions
from tests.factories import gen_application, gen_user


def test_local_store_round_trip(tmp_path):
    """Does the local store give back what it was given, and nothing it was not?"""
    store = open_store(tmp_path / "documents")
    store.put("originals/ab/abc", b"scan")
    store.put("originals/ab/abc", b"scan")
    assert store.get("originals/ab/abc") == b"scan"
    assert store.exists("originals/ab/abc") and not store.exists("originals/ab/other")
    with pytest.raises(DocumentMissing):
        store.get("originals/ab/other")
    assert [path.name for path in (tmp_path / "documents").rglob("*") if path.is_file()] == ["abc"]


def test_local_store_lists_its_keys_but_not_files_being_written(tmp_path):
    """Does the store list every finished key, in order, and no half-written file?"""
    store = LocalStore(tmp_path)
    store.put("pages/cd/cd-1.jpg", b"page")
    store.put("originals/ab/abc", b"scan")
    (tmp_path / "originals" / "ab" / ".partial-x1").write_bytes(b"half")
    assert list(store.all_keys()) == ["originals/ab/abc", "pages/cd/cd-1.jpg"]
    assert list(LocalStore(tmp_path / "none").all_keys()) == []


def test_local_store_refuses_keys_outside_its_folder(tmp_path):
    """Can a key climb out of the store's folder?"""
    with pytest.raises(ValueError, match="保存先の外"):
        LocalStore(tmp_path).get("../secret_key")


def test_local_store_refuses_the_web_root():
    """Is a store inside the public static folder refused?"""
    with pytest.raises(ConfigError, match="公開フォルダ"):
        open_store("static/documents")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3_server(monkeypatch):
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for name, value in {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-northeast-1",
    }.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3").create_bucket(
        Bucket="kofu-docs", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    yield
    # moto keeps its buckets per process, not per server: empty them for the next test.
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST")).close()
    server.stop()


def test_s3_store_round_trip(s3_server):
    """Does an s3:// store keep files under its prefix in the bucket and give them back?"""
    store = open_store("s3://kofu-docs/aki")
    assert isinstance(store, S3Store)
    store.put("originals/ab/abc", b"scan")
    assert store.get("originals/ab/abc") == b"scan"
    assert store.exists("originals/ab/abc") and not store.exists("originals/ab/other")
    with pytest.raises(DocumentMissing):
        store.get("originals/ab/other")
    keys = [item["Key"] for item in boto3.client("s3").list_objects_v2(Bucket="kofu-docs")["Contents"]]
    assert keys == ["aki/originals/ab/abc"]
    open_store("s3://kofu-docs/other").put("originals/ab/zzz", b"another city")
    assert list(store.all_keys()) == ["originals/ab/abc"]


def test_s3_url_needs_a_bucket():
    """Is an s3:// URL without a bucket refused with a message?"""
    with pytest.raises(ConfigError, match="バケット名"):
        open_store("s3://")


def test_app_keeps_uploads_in_the_s3_bucket(s3_server, app, app_config):
    """With KOFU_DOCUMENT_STORE=s3://…, does an upload land in the bucket and the viewer read it back?"""
    s3_app = create_app({**app_config, "DOCUMENT_STORE": "s3://kofu-docs/aki"})
    with db.connection_context():
        application = gen_application()
        gen_user("clerk", login="s3clerk")
    auth = AuthActions(s3_app.test_client())
    auth.login("s3clerk")
    response = auth.post(
        f"/admin/documents/upload/{application.id}",
        {"files": [(io.BytesIO(sample_files.tiff(pages=2)), "scan.tif")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    keys = [item["Key"] for item in boto3.client("s3").list_objects_v2(Bucket="kofu-docs")["Contents"]]
    assert len(keys) == 5 and all(key.startswith("aki/") for key in keys)
    assert "1 / 2" in auth.client.get(f"/admin/documents/viewer/{application.id}").get_data(as_text=True)
    with db.connection_context():
        document_id = application.documents.get().id
    assert auth.client.get(f"/admin/documents/{document_id}/page/2.jpg").mimetype == "image/jpeg"
