"""Password hashing (argon2id) and the minimum password policy."""

import functools
import hashlib
import hmac
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
CHARACTER_CLASSES = (string.ascii_letters, string.digits)


def policy_problems(password, login, min_length):
    """What is wrong with a new password, as Japanese sentences (empty when it is fine)."""
    problems = []
    if len(password) < min_length:
        problems.append(f"パスワードは{min_length}文字以上にしてください。")
    if not all(any(ch in chars for ch in password) for chars in CHARACTER_CLASSES):
        problems.append("パスワードには英字と数字の両方を含めてください。")
    if login and login.lower() in password.lower():
        problems.append("パスワードにログインIDを含めないでください。")
    if len(set(password)) < 4:
        problems.append("同じ文字の繰り返しが多すぎます。")
    return problems


def hash_password(password):
    return _hasher.hash(password)


def session_mark(password_hash, secret_key):
    """A short mark of the current password, kept in the session: a password change (one's own
    or an administrator's reset) ends every session signed in before it. Keyed with the app's
    secret, so that nothing derived from the hash alone is readable in the session cookie."""
    return hmac.new(secret_key.encode(), password_hash.encode(), hashlib.sha256).hexdigest()[:16]


def verify_password(password_hash, password):
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _decoy_hash():
    return _hasher.hash("kofu-decoy-password-0")


def spend_verification_time(password):
    """Verify against a decoy so that an unknown login takes as long as a known one."""
    verify_password(_decoy_hash(), password)
