"""Input schemas become valid JSON Schema 2020-12 object schemas."""

from __future__ import annotations

import jsonschema

from ml_intern_jupyter.tools.mcp.schema import OPEN_OBJECT, sanitize_input_schema


def valid(schema: dict) -> bool:
    jsonschema.Draft202012Validator.check_schema(schema)
    return True


def test_a_good_schema_is_kept() -> None:
    schema = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
    assert sanitize_input_schema(schema) == (schema, [])


def test_draft4_and_draft7_forms_are_upgraded() -> None:
    old = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
            "n": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
            "pair": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "additionalItems": False},
        },
    }
    fixed, notes = sanitize_input_schema(old)
    assert valid(fixed) and "$schema" not in fixed and notes == []
    assert fixed["properties"]["n"] == {"type": "number", "exclusiveMinimum": 0}
    assert fixed["properties"]["pair"]["prefixItems"] == [{"type": "string"}, {"type": "integer"}]
    validator = jsonschema.Draft202012Validator(fixed)
    assert not validator.is_valid({"n": 0}) and validator.is_valid({"n": 1, "pair": ["a", 1]})


def test_missing_type_and_properties_are_filled_in() -> None:
    fixed, _ = sanitize_input_schema({})
    assert fixed == {"type": "object", "properties": {}}


def test_unresolvable_refs_are_dropped_and_local_refs_kept() -> None:
    schema = {
        "type": "object",
        "$defs": {"Name": {"type": "string"}},
        "properties": {"a": {"$ref": "#/$defs/Name"}, "b": {"$ref": "https://example.com/remote.json"}},
    }
    fixed, notes = sanitize_input_schema(schema)
    assert fixed["properties"]["a"] == {"$ref": "#/$defs/Name"} and fixed["properties"]["b"] == {}
    assert notes and "remote.json" in notes[0]
    assert not jsonschema.Draft202012Validator(fixed).is_valid({"a": 3})


def test_invalid_schemas_become_an_open_object() -> None:
    for bad in ({"type": "object", "properties": {"x": {"type": "not-a-type"}}}, {"type": "string"}, ["x"]):
        fixed, notes = sanitize_input_schema(bad)
        assert fixed == OPEN_OBJECT and notes and valid(fixed)
