"""CallToolResult -> text for the model + rich displays for the user."""

from __future__ import annotations

import mcp_types as types

from ml_intern_jupyter.tools.mcp.results import convert_result
from ml_intern_jupyter.tools.spec import Display, RichDisplay

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="


def convert(content: list, **kw: object) -> tuple[object, list[Display]]:
    shown: list[Display] = []
    result = types.CallToolResult(content=content, **kw)
    return convert_result(result, server="srv", tool="t", show=shown.append), shown


def test_structured_content_is_the_text_when_there_is_no_text_block() -> None:
    result, shown = convert([], structured_content={"rows": 3})
    assert result.ok and result.structured == {"rows": 3} and '"rows": 3' in result.output and shown == []


def test_text_wins_over_structured_for_the_model() -> None:
    result, _ = convert([types.TextContent(type="text", text="three rows")], structured_content={"rows": 3})
    assert result.output == "three rows" and result.structured == {"rows": 3}


def test_binary_blocks_are_shown_and_described() -> None:
    audio = types.AudioContent(type="audio", data="UklGRg==", mime_type="audio/wav")
    blob_image = types.EmbeddedResource(
        type="resource", resource=types.BlobResourceContents(uri="file:///a.png", blob=PNG, mime_type="image/png")
    )
    blob = types.EmbeddedResource(
        type="resource", resource=types.BlobResourceContents(uri="file:///a.bin", blob="AAAA", mime_type=None)
    )
    link = types.ResourceLink(type="resource_link", name="report", uri="file:///r.csv", description="the report")
    result, shown = convert([audio, blob_image, blob, link])
    lines = result.output.splitlines()
    assert lines[0].startswith("[audio/wav audio, 6 bytes, from MCP server `srv`")
    assert "image resource file:///a.png" in lines[1] and "shown to the user" in lines[1]
    assert lines[2] == "[binary resource file:///a.bin (unknown type, 3 bytes): shown to the user]"
    assert lines[3] == "[resource link report <file:///r.csv>: the report]"
    assert [type(d) for d in shown] == [RichDisplay, RichDisplay, RichDisplay]
    assert shown[0].data["audio/wav"] == "UklGRg==" and shown[1].data["image/png"] == PNG
    assert PNG not in result.output


def test_errors_without_text_still_say_something() -> None:
    result, _ = convert([], is_error=True)
    assert not result.ok and result.output == "MCP tool `t` on server `srv` failed without a message"
    empty, _ = convert([])
    assert empty.ok and empty.output == "(no output)"
