import socket

import boto3
import pytest
from moto.server import ThreadedMotoServer

from config import ConfigError
from document_store import DocumentMissing, LocalStore, S3Store, open_store


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


def test_s3_url_needs_a_bucket():
    """Is an s3:// URL without a bucket refused with a message?"""
    with pytest.raises(ConfigError, match="バケット名"):
        open_store("s3://")
