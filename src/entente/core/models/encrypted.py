"""Model fields encrypted at rest (entente.core.crypto): special-category data.

The database holds only sealed bytes; the model instance holds the clear value. The audit trail
never records these fields (``entente.core.audit.snapshot`` leaves them out), and they cannot be
searched or sorted in SQL: filter on the clear, minimised fields beside them (age band, flags).
"""

from __future__ import annotations

from typing import Any

import orjson
from django.db import models

from entente.core import crypto


class EncryptedField(models.BinaryField):  # type: ignore[type-arg]
    """Base: a value encoded to bytes, sealed for its column, opened when read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = True
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    @property
    def column_label(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, raw: bytes) -> Any:
        raise NotImplementedError

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return self.decode(crypto.open_sealed(bytes(value), self.column_label))

    def to_python(self, value: Any) -> Any:
        return value

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        sealed = crypto.seal(self.encode(value), self.column_label)
        return connection.Database.Binary(sealed)

    def value_to_string(self, obj: Any) -> str:
        return ""  # never serialised in the clear


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedField]]:
    """(model, field) of every encrypted field of the installed apps."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedField)
    ]


class EncryptedTextField(EncryptedField):
    def encode(self, value: Any) -> bytes:
        return str(value).encode()

    def decode(self, raw: bytes) -> str:
        return raw.decode()


class EncryptedJSONField(EncryptedField):
    def encode(self, value: Any) -> bytes:
        return orjson.dumps(value)

    def decode(self, raw: bytes) -> Any:
        return orjson.loads(raw)
