"""The builtin tool set: names, order and well-formed schemas."""

from __future__ import annotations

import jsonschema

from ml_intern_jupyter.tools.builtin import PythonNamespace, builtin_tools
from ml_intern_jupyter.tools.spec import ToolRouter


def test_builtin_tools_names_and_order(tmp_path):
    specs = builtin_tools(scratch=tmp_path)
    assert [s.name for s in specs] == ["bash", "read", "write", "edit", "plan", "python"]


def test_every_schema_is_a_strict_object_with_descriptions(tmp_path):
    for spec in builtin_tools(scratch=tmp_path):
        schema = spec.parameters
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object", spec.name
        assert schema["additionalProperties"] is False, spec.name
        assert set(schema["required"]) <= set(schema["properties"]), spec.name
        assert all(p.get("description") for p in schema["properties"].values()), spec.name
        assert len(spec.description) > 80, spec.name
        assert spec.to_openai()["function"]["name"] == spec.name


def test_claude_code_argument_names(tmp_path):
    props = {s.name: set(s.parameters["properties"]) for s in builtin_tools(scratch=tmp_path)}
    assert {"command", "timeout"} <= props["bash"]
    assert props["read"] == {"file_path", "offset", "limit"}
    assert props["write"] == {"file_path", "content"}
    assert props["edit"] == {"file_path", "old_string", "new_string", "replace_all"}
    assert props["plan"] == {"todos"}
    assert props["python"] == {"code"}


async def test_given_namespace_is_used(recorder, tmp_path):
    namespace = PythonNamespace()
    router = ToolRouter(builtin_tools(scratch=tmp_path, python_namespace=namespace))
    await router.execute("python", {"code": "answer = 42"}, recorder.ctx)
    assert namespace.globals["answer"] == 42


def test_approval_defaults(tmp_path):
    router = ToolRouter(builtin_tools(scratch=tmp_path))
    inside = {"file_path": str(tmp_path / "x.txt"), "content": ""}
    assert router.get("write").requires_approval(inside) is False
    assert router.get("write").requires_approval({"file_path": "/etc/x", "content": ""}) is True
    assert router.get("bash").requires_approval({"command": "ls"}) is True
    assert router.get("read").requires_approval({"file_path": "/etc/x"}) is False
