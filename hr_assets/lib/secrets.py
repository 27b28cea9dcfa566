"""Secrets the platform keeps in its warehouse (Bayzat API keys), encrypted at rest.

``cryptography``'s Fernet (AES-128-CBC with an HMAC-SHA256, a timestamp and a random IV per token)
does the work. Its key is derived from ``HR_SECRET_KEY`` with HKDF-SHA256, so the operator can set
any long random string (``openssl rand -base64 32``) instead of Fernet's own key format. Without
``HR_SECRET_KEY`` nothing is encrypted, so nothing is stored: the caller says why.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hr_assets.settings import ConfigurationError, PlatformSettings, load

_HKDF_INFO = b"hr_assets: secrets at rest"
_VISIBLE_TAIL = 4
_MIN_LENGTH_TO_SHOW_TAIL = 16


class SecretKeyError(ConfigurationError):
    """HR_SECRET_KEY is missing, or is not the key a stored secret was encrypted with."""


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def configured_secret_key() -> str:
    """HR_SECRET_KEY, or a SecretKeyError saying why nothing can be stored without it."""
    secret_key = load(PlatformSettings).secret_key
    if secret_key is None:
        raise SecretKeyError(
            "HR_SECRET_KEY is not set: stored API keys are encrypted with it, so none can be stored or read "
            "(set it to a long random string, e.g. the output of: openssl rand -base64 32)"
        )
    return secret_key.get_secret_value()


def encrypt(plaintext: str, secret_key: str | None = None) -> str:
    """A token safe to store; ``secret_key`` defaults to HR_SECRET_KEY."""
    return _fernet(secret_key or configured_secret_key()).encrypt(plaintext.encode()).decode()


def decrypt(token: str, secret_key: str | None = None) -> str:
    try:
        return _fernet(secret_key or configured_secret_key()).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretKeyError(
            "a stored API key cannot be decrypted: HR_SECRET_KEY is not the key it was stored with "
            "(restore that key, or configure the API key again)"
        ) from None


def masked(secret: str) -> str:
    """How a secret may be shown: its last four characters when it is long enough for that to reveal little."""
    if len(secret) < _MIN_LENGTH_TO_SHOW_TAIL:
        return "****"
    return "****" + secret[-_VISIBLE_TAIL:]
