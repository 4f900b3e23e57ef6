"""The protocol's version, its error, and the JSON form of its dataclasses."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

PROTOCOL_VERSION = 1
"""Bumped when a field changes meaning or is removed (adding optional fields keeps it)."""


class ProtocolError(ValueError):
    """A JSON operation or event that does not follow the protocol; the message says why."""


def to_json(value: Any) -> Any:
    """``value`` as JSON-ready data (enums by value, dataclasses as objects, tuples as lists)."""
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return fields_to_json(value)
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    return value


def fields_to_json(obj: Any) -> dict[str, Any]:
    """A dataclass's fields as a JSON-ready object."""
    return {f.name: to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
