"""Reading operations and events back from JSON, checking names, types and the version."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Mapping
from typing import Any

from .base import PROTOCOL_VERSION, ProtocolError
from .events import EVENT_TYPES, Event
from .operations import OPERATION_TYPES, Operation

_EVENTS_BY_TYPE = {cls.type: cls for cls in EVENT_TYPES}
_OPERATIONS_BY_NAME = {cls.op: cls for cls in OPERATION_TYPES}


def _coerce(value: Any, hint: Any, where: str) -> Any:
    """``value`` read from JSON as type ``hint`` (tuples, enums, nested options), or ProtocolError."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        errors = []
        for option in options:
            try:
                return _coerce(value, option, where)
            except ProtocolError as exc:
                errors.append(str(exc))
        raise ProtocolError(errors[0] if errors else f"{where}: bad value {value!r}")
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ProtocolError(f"{where}: expected a list, got {type(value).__name__}")
        item = args[0] if args else Any
        return tuple(_coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise ProtocolError(f"{where}: expected an object, got {type(value).__name__}")
        if args and args[1] is str and not all(isinstance(v, str) for v in value.values()):
            raise ProtocolError(f"{where}: expected an object of strings")
        return dict(value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except ValueError:
            raise ProtocolError(f"{where}: {value!r} is not one of {[m.value for m in hint]}") from None
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ProtocolError(f"{where}: expected an object, got {type(value).__name__}")
        return _build(hint, value, where)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ProtocolError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProtocolError(f"{where}: expected an integer, got {value!r}")
        return value
    if hint in (str, bool) and not isinstance(value, hint):
        raise ProtocolError(f"{where}: expected {hint.__name__}, got {value!r}")
    return value


def _build(cls: type, data: Mapping[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(names) - {"type", "op", "v"}
    if unknown:
        raise ProtocolError(f"{where}: unknown field(s) {sorted(unknown)}")
    values = {}
    for name, f in names.items():
        if name in data:
            values[name] = _coerce(data[name], hints[name], f"{where}.{name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ProtocolError(f"{where}: missing required field {name!r}")
    return cls(**values)


def _check_version(data: Mapping[str, Any], where: str) -> None:
    version = data.get("v", PROTOCOL_VERSION)
    if version != PROTOCOL_VERSION:
        raise ProtocolError(f"{where}: protocol version {version!r}, this side speaks {PROTOCOL_VERSION}")


def operation_from_dict(data: Any) -> Operation:
    """Read an operation from its JSON form (raises :class:`ProtocolError`)."""
    if not isinstance(data, Mapping):
        raise ProtocolError(f"an operation must be an object, got {type(data).__name__}")
    _check_version(data, "operation")
    cls = _OPERATIONS_BY_NAME.get(data.get("op"))  # type: ignore[arg-type]
    if cls is None:
        raise ProtocolError(f"unknown operation {data.get('op')!r}; known: {sorted(_OPERATIONS_BY_NAME)}")
    return _build(cls, data, cls.op)


def event_from_dict(data: Any) -> Event:
    """Read an event from its JSON form (raises :class:`ProtocolError`)."""
    if not isinstance(data, Mapping):
        raise ProtocolError(f"an event must be an object, got {type(data).__name__}")
    _check_version(data, "event")
    cls = _EVENTS_BY_TYPE.get(data.get("type"))  # type: ignore[arg-type]
    if cls is None:
        raise ProtocolError(f"unknown event type {data.get('type')!r}")
    return _build(cls, data, cls.type)
