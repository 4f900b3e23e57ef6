"""Make a server's ``inputSchema`` a valid JSON Schema 2020-12 object schema.

The router validates arguments with ``Draft202012Validator``, and providers want a top-level
``{"type": "object", "properties": ...}``. Servers written for older drafts send
``items: [...]`` (tuples), boolean ``exclusiveMinimum`` and ``$schema`` pointing at draft-07;
these are rewritten. A ``$ref`` that does not resolve inside the schema (a remote URL: we
never fetch) is dropped. If the result still is not a valid schema, the tool gets an open
object schema and the server validates the arguments itself.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema

OPEN_OBJECT: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": True}


def _upgrade_bounds(node: dict[str, Any]) -> None:
    """Draft-4 ``exclusiveMinimum: true`` + ``minimum: x`` -> ``exclusiveMinimum: x``."""
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(exclusive), bool) and node.pop(exclusive) and bound in node:
            node[exclusive] = node.pop(bound)


def _upgrade_items(node: dict[str, Any]) -> None:
    """Tuple ``items: [a, b]`` (+ ``additionalItems``) -> ``prefixItems`` (+ ``items``)."""
    if isinstance(node.get("items"), list):
        node["prefixItems"] = node.pop("items")
        if "additionalItems" in node:
            node["items"] = node.pop("additionalItems")


def _walk(value: Any, visit: Any) -> None:
    if isinstance(value, dict):
        visit(value)
        for child in value.values():
            _walk(child, visit)
    elif isinstance(value, list):
        for child in value:
            _walk(child, visit)


def _pointer_resolves(root: Any, ref: str) -> bool:
    if ref == "#":
        return True
    if not ref.startswith("#/"):
        return False
    node = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def _drop_unresolvable_refs(root: dict[str, Any], notes: list[str]) -> None:
    def visit(node: dict[str, Any]) -> None:
        ref = node.get("$ref")
        if isinstance(ref, str) and not _pointer_resolves(root, ref):
            node.pop("$ref")
            notes.append(f"dropped unresolvable $ref {ref!r}")

    _walk(root, visit)


def sanitize_input_schema(schema: Any) -> tuple[dict[str, Any], list[str]]:
    """A valid 2020-12 object schema for the tool, and notes on what was changed."""
    notes: list[str] = []
    if not isinstance(schema, dict):
        return dict(OPEN_OBJECT), ["input schema is not an object; using an open object schema"]
    result = copy.deepcopy(schema)
    result.pop("$schema", None)
    _walk(result, lambda node: (_upgrade_bounds(node), _upgrade_items(node)))
    _drop_unresolvable_refs(result, notes)
    if result.get("type") is None:
        result["type"] = "object"
    if result.get("type") != "object":
        return dict(OPEN_OBJECT), [f"top-level type {result.get('type')!r} is not object; using an open object"]
    result.setdefault("properties", {})
    try:
        jsonschema.Draft202012Validator.check_schema(result)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "(root)"
        return dict(OPEN_OBJECT), [f"invalid JSON Schema at {where}: {exc.message}; using an open object schema"]
    return result, notes
