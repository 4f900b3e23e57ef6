"""Pure helpers of the embedded model: the preamble cache, tool ranking, literals and grounding (no model)."""

from __future__ import annotations

from ml_intern_jupyter.embedded import grounding
from ml_intern_jupyter.embedded.decide import _groups
from ml_intern_jupyter.embedded.dialect import fields
from ml_intern_jupyter.embedded.literals import literals
from ml_intern_jupyter.embedded.prefix import PrefixCache
from ml_intern_jupyter.embedded.toolrank import offered

from .test_local_helpers import PYTHON, WRITE


def tool(name: str, description: str, **properties: dict) -> dict:
    parameters = {"type": "object", "properties": properties, "required": list(properties)}
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}


BASH = tool("bash", "Run a shell command.", command={"type": "string"})
EDIT = tool(
    "edit",
    "Replace an exact string in a text file.",
    file_path={"type": "string"},
    old_string={"type": "string"},
    new_string={"type": "string"},
)
HUB = [
    tool("hf_hub_search", "Search the Hugging Face Hub for models, datasets or Spaces.", query={"type": "string"}),
    tool("hf_papers", "Hugging Face Papers: find ML papers.", query={"type": "string"}),
    tool("web_search", "Search the web for current information.", query={"type": "string"}),
    tool("mcp__glossary__lookup", "Look a term up in the glossary.", term={"type": "string"}),
]
TOOLS = [PYTHON, BASH, WRITE, EDIT, *HUB]


def test_prefix_cache_finds_the_longest_saved_preamble_and_drops_the_oldest():
    cache = PrefixCache(max_entries=2)
    cache.put([1, 2, 3], "abc", 3)
    cache.put([1, 2], "ab", 2)
    assert cache.longest_prefix([1, 2, 3, 4]).state == "abc"
    assert cache.longest_prefix([1, 2, 3, 4], longer_than=3) is None  # the live cache already has more
    assert cache.longest_prefix([1, 2, 9]).state == "ab"
    assert cache.longest_prefix([5]) is None
    cache.put([7, 8], "78", 2)  # [1, 2, 3] was used last but one: it goes
    assert cache.get([1, 2, 3]) is None and cache.get([1, 2]).state == "ab" and len(cache) == 2
    cache.get([1, 2]).memo["prior"] = 1.0
    assert cache.longest_prefix([1, 2, 5]).memo == {"prior": 1.0}


def test_prefix_cache_keeps_within_its_byte_cap():
    cache = PrefixCache(max_entries=8, max_bytes=10)
    cache.put([1], "x", 6)
    cache.put([2], "y", 6)
    assert cache.get([1]) is None and cache.get([2]) is not None


def test_general_tools_are_always_offered_and_specialised_ones_when_the_request_points_at_them():
    general = ["python", "bash", "write", "edit"]
    assert offered(TOOLS, "Compute 17*23 with python.") == general
    assert offered(TOOLS, "Search the Hub for sentiment datasets")[:5] == [*general, "hf_hub_search"]
    assert "hf_papers" in offered(TOOLS, "Find recent papers about LoRA")
    assert "web_search" in offered(TOOLS, "search the web for the pytorch release notes")
    assert "mcp__glossary__lookup" in offered(TOOLS, "use mcp__glossary__lookup for 'epoch'")  # named: offered
    assert "mcp__glossary__lookup" in offered(TOOLS, "look up 'epoch' in the glossary")
    assert offered(HUB, "hello") == [t["function"]["name"] for t in HUB]  # nothing general: all of them


def test_trie_groups_options_by_their_next_token():
    seqs = {"answer": [5, 9], "hf_a": [7, 1, 9], "hf_b": [7, 2, 9], "bash": [8, 9]}
    assert _groups(seqs, 0) == {5: ["answer"], 7: ["hf_a", "hf_b"], 8: ["bash"]}
    assert _groups({"hf_a": seqs["hf_a"], "hf_b": seqs["hf_b"]}, 1) == {1: ["hf_a"], 2: ["hf_b"]}


def test_literals_of_a_request():
    lit = literals("Create a file greet.py containing print('hi')")
    assert lit.files == ("greet.py",) and lit.texts() == ("print('hi')",)
    assert literals("Write the word hello to the file hello.txt").texts() == ("hello",)
    assert literals("Create notes.md with the text: buy milk").texts() == ("buy milk",)
    assert literals("Run `ls -la` in the shell").commands == ("ls -la",)
    assert literals("In notes.txt, replace 42 with 43.").replacement == ("42", "43")
    assert literals("Change 'red' to 'blue' in colors.txt").replacement == ("red", "blue")
    assert literals("Rename foo to bar in main.py").replacement == ("foo", "bar")
    assert literals("Use python to sum [1, 2, 3] and 250").lists == ("[1, 2, 3]",)
    assert literals("Use python to sum [1, 2, 3] and 250").numbers == ("250",)
    assert literals("Don't worry, it's fine, e.g. now").quoted == () and literals("e.g. now").files == ()
    assert literals("Save the results to out/results.json, then stop").files == ("out/results.json",)


def test_grounding_takes_paths_commands_and_edits_from_the_request():
    lit = literals("In notes.txt, replace 42 with 43.")
    grounded = grounding.ground("edit", fields(EDIT), lit, "request")
    assert grounded.fixed == {"file_path": "notes.txt", "old_string": "42", "new_string": "43"}
    assert grounding.ground("edit", fields(EDIT), lit, "error").fixed == {}  # after a failure the model decides
    two = grounding.ground("write", fields(WRITE), literals("Copy a.txt into b.txt"), "request")
    assert two.choices == {"file_path": ("a.txt", "b.txt")} and two.fixed == {}
    assert grounding.ground("bash", fields(BASH), literals("Run `echo ready`"), "request").fixed == {
        "command": "echo ready"
    }


def test_grounding_checks_content_code_and_commands_against_the_request():
    content = fields(WRITE)[1]
    lit = literals("Write 'see you soon' to the file bye.txt")
    assert grounding.problem("write", content, "see_you.txt", lit)[1] == 2
    assert grounding.problem("write", content, "See you soon!", lit) is None
    assert grounding.repair("write", content, "see_you.txt", lit) == "see you soon"
    code = fields(PYTHON)[0]
    csv = literals("Use python to find who has the highest score in data.csv.")
    assert "data.csv" in grounding.problem("python", code, "rows = [('a', 3)]\nprint(max(rows))", csv)[0]
    assert grounding.problem("python", code, "import csv\nprint(open('data.csv').read())", csv) is None
    numbers = literals("Use python to add up the numbers from 1 to 100.")
    assert grounding.problem("python", code, "print(sum(range(1, 101)))", numbers) is None  # one off is fine
    listed = literals("Use python to find the largest number in [4, 19, 7].")
    assert grounding.problem("python", code, "print(max([1, 2, 3]))", listed) is not None
    assert grounding.problem("python", code, "print(max([4,19,7]))", listed) is None
    command = fields(BASH)[0]
    words = literals("Use bash to show the contents of words.txt.")
    assert grounding.problem("bash", command, 'echo "word" > out.txt', words) is not None
    assert grounding.problem("bash", command, "cat words.txt", words) is None
