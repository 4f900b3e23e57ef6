"""Exposed tool names: ``mcp__<server>__<tool>``, safe for every provider, never shared."""

from __future__ import annotations

import re

from ml_intern_jupyter.tools.mcp.naming import assign_names, exposed_tool_name, tool_prefix

SAFE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def test_plain_names_are_kept() -> None:
    assert exposed_tool_name("hf", "hub_search") == "mcp__hf__hub_search"
    assert tool_prefix("hf-mcp") == "mcp__hf-mcp__"


def test_unsafe_characters_and_double_underscores_are_replaced() -> None:
    assert exposed_tool_name("github.com", "repos/list.all") == "mcp__github_com__repos_list_all"
    assert exposed_tool_name("a__b", "c") == "mcp__a_b__c"  # the first `__` after mcp__ always ends the server


def test_long_names_are_shortened_with_a_hash() -> None:
    long = exposed_tool_name("server", "x" * 100)
    other = exposed_tool_name("server", "x" * 99 + "y")
    assert SAFE.match(long) and SAFE.match(other) and long != other and len(long) == 64


def test_tools_that_sanitize_alike_get_distinct_names() -> None:
    names = assign_names("s", ["a.b", "a_b", "a-b"])
    assert len(set(names.values())) == 3 and names["a.b"] == "mcp__s__a_b"
    assert all(SAFE.match(n) for n in names.values())
