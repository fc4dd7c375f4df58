"""The document store: where 書類イメージ and their page images live, outside the database.

``KOFU_DOCUMENT_STORE`` is either a local folder (the default, ``data/documents``) or
``s3://bucket/prefix`` for an S3-compatible bucket; boto3 reads the endpoint (``AWS_ENDPOINT_URL``
for MinIO and the like) and the credentials from its usual environment variables.

Keys are relative paths chosen by the caller (``originals/ab/<sha256>``); the same key always holds
the same bytes, so writing a key twice is harmless.
"""

import os
import tempfile
from pathlib import Path

from flask import current_app

from config import PROJECT_ROOT, ConfigError


class DocumentMissing(LookupError):
    """The key is not in the store."""


class LocalStore:
    def __init__(self, root):
        self.root = Path(root).resolve()
        if self.root.is_relative_to(PROJECT_ROOT / "static"):
            raise ConfigError("書類イメージの保存先を公開フォルダ(static)の中にすることはできません。")

    def _path(self, key):
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"保存先の外を指すキーです: {key}")
        return path

    def put(self, key, data):
        path = self._path(key)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside its final name and renamed, so a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key):
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise DocumentMissing(key) from None

    def exists(self, key):
        return self._path(key).is_file()

    def all_keys(self):
        """Every stored key, in order; files still being written are not keys yet."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(".partial-"):
                yield path.relative_to(self.root).as_posix()


class S3Store:
    def __init__(self, url):
        import boto3

        bucket, _, prefix = url[len("s3://") :].partition("/")
        if not bucket:
            raise ConfigError("KOFU_DOCUMENT_STORE の s3:// URL にバケット名がありません。")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = boto3.client("s3")

    def _key(self, key):
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key, data):
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def get(self, key):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise DocumentMissing(key) from None

    def exists(self, key):
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def all_keys(self):
        prefix = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(prefix) :]


def open_store(location):
    if str(location).startswith("s3://"):
        return S3Store(str(location))
    path = Path(location)
    return LocalStore(path if path.is_absolute() else PROJECT_ROOT / path)


def current_store():
    """The store of the running app, opened once per process."""
    extensions = current_app.extensions
    if "kofu_document_store" not in extensions:
        extensions["kofu_document_store"] = open_store(current_app.config["DOCUMENT_STORE"])
    return extensions["kofu_document_store"]
