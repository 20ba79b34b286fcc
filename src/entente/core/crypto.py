"""Envelope encryption of special-category fields (AES-256-GCM, PyCA cryptography).

Each value is encrypted with a fresh data key; the data key is wrapped with the current master
key, named by its id. Master keys come from the environment (``ENTENTE_DATA_KEYS``:
``id:base64-key,...``, the first one current); outside production a key is generated once and
kept beside the embedded database, as the secret key is. Rotating (``entente rotate_keys``)
puts a new key first and re-wraps every data key with it: the data itself is not re-encrypted,
and the old key can be dropped once no value names it.

A sealed value is bytes: ``b"E1"``, the key id's length and the key id, the wrapped data key
(nonce and ciphertext), then the value's nonce and ciphertext. The associated data binds a value
to its column (``app_label.Model.field``), so a ciphertext moved to another column fails to open.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"E1"
NONCE = 12
KEY_BYTES = 32
WRAPPED = NONCE + KEY_BYTES + 16  # nonce, key, GCM tag


class DecryptionError(Exception):
    """A sealed value that no known key opens (wrong key, tampered or moved ciphertext)."""


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: dict[str, bytes]


def _parse(spec: str) -> Keyring:
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        kid, sep, material = item.partition(":")
        if not sep or not kid or len(kid) > 32:
            raise ImproperlyConfigured("ENTENTE_DATA_KEYS holds id:base64-key pairs")
        try:
            raw = base64.urlsafe_b64decode(material + "=" * (-len(material) % 4))
        except ValueError as exc:
            raise ImproperlyConfigured(f"ENTENTE_DATA_KEYS: key {kid} is not base64") from exc
        if len(raw) != KEY_BYTES:
            raise ImproperlyConfigured(f"ENTENTE_DATA_KEYS: key {kid} must be 32 bytes")
        keys[kid] = raw
        order.append(kid)
    if not order:
        raise ImproperlyConfigured("ENTENTE_DATA_KEYS names no key")
    return Keyring(order[0], keys)


def new_key_spec(kid: str) -> str:
    """A new master key, as one ``id:base64`` item of ``ENTENTE_DATA_KEYS``."""
    return f"{kid}:{base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def key_file() -> Path:
    return Path(settings.DATA_DIR) / "data_keys"


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    spec = os.environ.get("ENTENTE_DATA_KEYS", "").strip()
    if spec:
        return _parse(spec)
    if settings.PRODUCTION:
        raise ImproperlyConfigured("ENTENTE_DATA_KEYS must be set in production mode")
    path = key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # A random id: a key generated after restoring a backup without its keys must not
        # take the name of the key the restored values need.
        path.write_text(new_key_spec(f"k-{secrets.token_hex(4)}") + "\n")
        path.chmod(0o600)
    return _parse(path.read_text())


def _aad(column: str) -> bytes:
    return column.encode()


def seal(plaintext: bytes, column: str) -> bytes:
    """Encrypt ``plaintext`` for ``column`` under a fresh data key and the current master key."""
    ring = keyring()
    kid = ring.current.encode()
    dek = AESGCM.generate_key(bit_length=256)
    wrap_nonce, nonce = os.urandom(NONCE), os.urandom(NONCE)
    wrapped = wrap_nonce + AESGCM(ring.keys[ring.current]).encrypt(wrap_nonce, dek, kid)
    body = nonce + AESGCM(dek).encrypt(nonce, plaintext, _aad(column))
    return MAGIC + bytes([len(kid)]) + kid + wrapped + body


def _split(sealed: bytes) -> tuple[str, bytes, bytes]:
    if len(sealed) < 3 or sealed[:2] != MAGIC:
        raise DecryptionError("not a sealed value")
    n = sealed[2]
    kid = sealed[3 : 3 + n].decode()
    wrapped = sealed[3 + n : 3 + n + WRAPPED]
    body = sealed[3 + n + WRAPPED :]
    if len(wrapped) != WRAPPED or len(body) < NONCE + 16:
        raise DecryptionError("truncated sealed value")
    return kid, wrapped, body


def _unwrap(kid: str, wrapped: bytes) -> bytes:
    key = keyring().keys.get(kid)
    if key is None:
        raise DecryptionError(f"no master key {kid!r} (was it dropped before rotation?)")
    try:
        return AESGCM(key).decrypt(wrapped[:NONCE], wrapped[NONCE:], kid.encode())
    except InvalidTag as exc:
        raise DecryptionError(f"master key {kid!r} does not open this value") from exc


def open_sealed(sealed: bytes, column: str) -> bytes:
    kid, wrapped, body = _split(bytes(sealed))
    dek = _unwrap(kid, wrapped)
    try:
        return AESGCM(dek).decrypt(body[:NONCE], body[NONCE:], _aad(column))
    except InvalidTag as exc:
        raise DecryptionError(f"the value does not belong to {column}") from exc


def key_id(sealed: bytes) -> str:
    return _split(bytes(sealed))[0]


def rewrap(sealed: bytes) -> bytes:
    """The same value with its data key wrapped by the current master key."""
    kid, wrapped, body = _split(bytes(sealed))
    ring = keyring()
    if kid == ring.current:
        return bytes(sealed)
    dek = _unwrap(kid, wrapped)
    new = ring.current.encode()
    wrap_nonce = os.urandom(NONCE)
    rewrapped = wrap_nonce + AESGCM(ring.keys[ring.current]).encrypt(wrap_nonce, dek, new)
    return MAGIC + bytes([len(new)]) + new + rewrapped + body
