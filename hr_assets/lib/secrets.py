"""Secrets the platform keeps in its warehouse (Bayzat API keys), encrypted at rest.

``cryptography``'s Fernet (AES-128-CBC with an HMAC-SHA256, a timestamp and a random IV per token)
does the work. Its key is derived from the platform's secret key (``HR_SECRET_KEY``, which the Bayzat
resource holds) with HKDF-SHA256, so the operator can set any long random string (``openssl rand -base64
32``) instead of Fernet's own key format.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hr_assets.settings import ConfigurationError

_HKDF_INFO = b"hr_assets: secrets at rest"
_VISIBLE_TAIL = 4
_MIN_LENGTH_TO_SHOW_TAIL = 16


class SecretKeyError(ConfigurationError):
    """HR_SECRET_KEY is not the key a stored secret was encrypted with."""


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(plaintext: str, secret_key: str) -> str:
    """A token safe to store."""
    return _fernet(secret_key).encrypt(plaintext.encode()).decode()


def decrypt(token: str, secret_key: str) -> str:
    try:
        return _fernet(secret_key).decrypt(token.encode()).decode()
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
