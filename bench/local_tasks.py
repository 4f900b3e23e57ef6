"""The task set of ``bench/local_model.py``: small agent tasks with checks, split once and for all.

``TUNING`` tasks may be used to tune the embedded model's decision step, prompts, few-shot examples
and argument checks; ``HELD_OUT`` tasks must never be: they measure how well that tuning carries
over to requests it was not made on. Both parts cover the same kinds (python computations, string
and list operations, ``bash`` one-liners, ``read``, ``write``, ``edit``, ``plan``, questions about a
CSV file) with different values and wording. ``KERNEL_TUNING`` / ``KERNEL_HELD_OUT`` run in a real
kernel against a DataFrame the user defined (``notebook_variables``, questions about ``df``, defining
a variable the user then reads).

A check sees a :class:`Run`: the tool calls and outputs of the turn, its final text, the working
directory and (in the kernel) the values of the task's probe expressions after the turn.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FILES = {
    "notes.txt": "The secret number is 42.\n",
    "data.csv": "name,score\nalice,3\nbob,5\ncarol,4\n",
    "words.txt": "apple\nbanana\ncherry\n",
    "config.ini": "[train]\nlr = 0.01\nepochs = 3\n",
    "prices.csv": "item,price\npen,2\nbook,12\nbag,30\nmug,6\n",
    "README.md": "# Demo\nA tiny project.\n",
}
"""The files in every task's working directory."""

KERNEL_SETUP = (
    "import pandas as pd\ndf = pd.DataFrame({'name': ['alice', 'bob', 'carol'], 'score': [3, 5, 4]})\nthreshold = 4"
)
"""The user's cell that runs before every kernel task (a fresh namespace otherwise)."""


@dataclass(frozen=True)
class Output:
    """One tool result of the turn."""

    name: str
    ok: bool
    text: str


@dataclass
class Run:
    """What a check looks at."""

    calls: list[tuple[str, dict[str, Any]]]
    outputs: list[Output]
    answer: str
    workdir: Path
    plans: list[list[str]] = field(default_factory=list)  # the todo contents of each plan update
    probes: dict[str, Any] = field(default_factory=dict)  # kernel: probe name -> value after the turn


Check = Callable[[Run], bool]


@dataclass(frozen=True)
class Task:
    """A request, the tool it calls for, and the check of its outcome."""

    prompt: str
    tool: str
    check: Check
    probes: dict[str, str] = field(default_factory=dict)  # kernel only: name -> expression


def output_has(text: str, tool: str | None = None) -> Check:
    """A successful tool output (of ``tool`` if given) contains ``text``; a number must stand alone."""
    pattern = re.compile(rf"(?<![\d.]){re.escape(text)}(?![\d])" if text[:1].isdigit() else re.escape(text))

    def check(run: Run) -> bool:
        needle = re.compile(pattern.pattern.replace(re.escape("{workdir}"), re.escape(str(run.workdir))))
        return any(o.ok and (tool is None or o.name == tool) and needle.search(o.text) for o in run.outputs)

    return check


def file_has(name: str, *texts: str) -> Check:
    """The file exists and contains every one of ``texts`` (case-insensitive)."""

    def check(run: Run) -> bool:
        path = run.workdir / name
        content = path.read_text(errors="replace").lower() if path.is_file() else None
        return content is not None and all(t.lower() in content for t in texts)

    return check


def planned(*steps: str) -> Check:
    """A plan of at least as many items as ``steps``, each step's word in some item."""

    def check(run: Run) -> bool:
        return any(
            len(todos) >= len(steps) and all(any(s in t.lower() for t in todos) for s in steps) for todos in run.plans
        )

    return check


def called(tool: str) -> Check:
    """The tool was called and succeeded."""
    return lambda run: any(o.ok and o.name == tool for o in run.outputs)


def probe_is(name: str, value: Any) -> Check:
    """A kernel probe has this value after the turn."""
    return lambda run: run.probes.get(name) == value


def all_of(*checks: Check) -> Check:
    """Every check holds."""
    return lambda run: all(c(run) for c in checks)


TUNING: tuple[Task, ...] = (
    # the 20 tasks the decision step and few-shot examples were first tuned on
    Task("Compute 17*23 with python.", "python", output_has("391", "python")),
    Task("Use python to add up the numbers from 1 to 100.", "python", output_has("5050", "python")),
    Task("What is 2**16? Use python.", "python", output_has("65536", "python")),
    Task("Use python to reverse the string 'drawer'.", "python", output_has("reward", "python")),
    Task("Use python to find the largest number in [4, 19, 7].", "python", output_has("19", "python")),
    Task("Use python to compute the square root of 169.", "python", output_has("13", "python")),
    Task("Use python to sort the list [5, 3, 9, 1].", "python", output_has("[1, 3, 5, 9]", "python")),
    Task("How many letters are in the word 'notebook'? Use python.", "python", output_has("8", "python")),
    Task("Use python to compute the average of [2, 4, 6, 8].", "python", output_has("5", "python")),
    Task("With python, convert 'hello world' to upper case.", "python", output_has("HELLO WORLD", "python")),
    Task("Run `echo ready` in the shell.", "bash", output_has("ready", "bash")),
    Task("List the files in the current directory with bash.", "bash", output_has("notes.txt", "bash")),
    Task("Print the working directory using bash.", "bash", output_has("{workdir}", "bash")),
    Task("Read the file notes.txt", "read", output_has("42", "read")),
    Task("Show the first line of data.csv.", "read", output_has("name,score")),
    Task("Write the word hello to the file hello.txt", "write", file_has("hello.txt", "hello")),
    Task("Create a file greet.py containing print('hi')", "write", file_has("greet.py", "print('hi')")),
    Task("In notes.txt, replace 42 with 43.", "edit", file_has("notes.txt", "43")),
    Task(
        "Make a plan with three steps: load data, train model, evaluate.",
        "plan",
        planned("load", "train", "evaluat"),
    ),
    Task("Use python to count how many lines data.csv has.", "python", output_has("4", "python")),
    # more of the same kinds
    Task("Use python to compute 7 factorial.", "python", output_has("5040", "python")),
    Task("Use python to count the vowels in 'education'.", "python", output_has("5", "python")),
    Task("With python, find the minimum of [8, 3, 12, 5].", "python", output_has("3", "python")),
    Task("Use python to join the words ['red', 'green', 'blue'] with '-'.", "python", output_has("red-green-blue")),
    Task("Use python to compute 15% of 80.", "python", output_has("12", "python")),
    Task("Run `wc -l words.txt` in the shell.", "bash", output_has("3 words.txt", "bash")),
    Task("Use bash to show the contents of words.txt.", "bash", output_has("banana", "bash")),
    Task("Count the lines of data.csv with bash.", "bash", output_has("4", "bash")),
    Task("Read config.ini", "read", output_has("epochs", "read")),
    Task("What does README.md say? Read it.", "read", output_has("tiny project", "read")),
    Task("Write 'see you soon' to the file bye.txt", "write", file_has("bye.txt", "see you soon")),
    Task("Create a file named todo.txt with the text: buy milk", "write", file_has("todo.txt", "buy milk")),
    Task("In config.ini, change epochs = 3 to epochs = 5.", "edit", file_has("config.ini", "epochs = 5")),
    Task(
        "Make a plan with four steps: download the dataset, clean it, train, report results.",
        "plan",
        planned("download", "clean", "train", "report"),
    ),
    Task("Use python to read data.csv and print the total of the score column.", "python", output_has("12", "python")),
    Task("Use python to find who has the highest score in data.csv.", "python", output_has("bob", "python")),
    Task("Use python to print the price of the book in prices.csv.", "python", output_has("12", "python")),
)
"""Tasks the embedded model may be tuned on."""

HELD_OUT: tuple[Task, ...] = (
    Task("Use python to multiply 12 by 34.", "python", output_has("408", "python")),
    Task("Use python to compute 3 to the power of 5.", "python", output_has("243", "python")),
    Task("Compute the sum of the squares of 1, 2 and 3 with python.", "python", output_has("14", "python")),
    Task("Use python to compute 100 divided by 8.", "python", output_has("12.5", "python")),
    Task("Use python to compute 123 * 45 - 67.", "python", output_has("5468", "python")),
    Task("Use python to compute the factorial of 6.", "python", output_has("720", "python")),
    Task("Use python to reverse the string 'stressed'.", "python", output_has("desserts", "python")),
    Task("With python, convert 'Machine Learning' to lower case.", "python", output_has("machine learning", "python")),
    Task(
        "Use python to count how many times the letter 's' appears in 'mississippi'.",
        "python",
        output_has("4", "python"),
    ),
    Task("Use python to check whether 'level' is a palindrome.", "python", output_has("True", "python")),
    Task("How many characters does 'transformer' have? Use python.", "python", output_has("11", "python")),
    Task(
        "Use python to sort the list [10, 2, 33, 4] in descending order.",
        "python",
        output_has("[33, 10, 4, 2]", "python"),
    ),
    Task("Use python to sum the list [11, 22, 33].", "python", output_has("66", "python")),
    Task("Use python to find the smallest number in [9, 4, 16, 25].", "python", output_has("4", "python")),
    Task(
        "Use python to remove duplicates from [1, 2, 2, 3, 3, 3] and print the sorted result.",
        "python",
        output_has("[1, 2, 3]", "python"),
    ),
    Task("Use python to get the length of the list ['a', 'b', 'c', 'd', 'e'].", "python", output_has("5", "python")),
    Task("Run `echo hello world` in the terminal.", "bash", output_has("hello world", "bash")),
    Task("Use bash to count the lines in words.txt.", "bash", output_has("3", "bash")),
    Task("Show the contents of notes.txt using cat in the shell.", "bash", output_has("42", "bash")),
    Task("With bash, print the first line of data.csv.", "bash", output_has("name,score", "bash")),
    Task("List the files in this folder using bash.", "bash", output_has("data.csv", "bash")),
    Task("Use bash to find the lines containing 'an' in words.txt.", "bash", output_has("banana", "bash")),
    Task("Read the file words.txt", "read", output_has("cherry", "read")),
    Task("Open README.md and show it to me.", "read", output_has("Demo", "read")),
    Task("Read data.csv", "read", output_has("carol", "read")),
    Task("Write the text 'all tests pass' to status.txt", "write", file_has("status.txt", "all tests pass")),
    Task("Save the word goodbye into farewell.txt", "write", file_has("farewell.txt", "goodbye")),
    Task("Create hello.py containing print('hello')", "write", file_has("hello.py", "print('hello')")),
    Task("In notes.txt, replace secret with public.", "edit", file_has("notes.txt", "public number")),
    Task("Edit config.ini so that lr = 0.01 becomes lr = 0.001.", "edit", file_has("config.ini", "lr = 0.001")),
    Task(
        "Make a plan with three steps: tokenize the text, fine-tune the model, push it to the Hub.",
        "plan",
        planned("tokeniz", "fine-tune", "push"),
    ),
    Task(
        "Create a plan: collect data, label data, train a classifier, deploy it.",
        "plan",
        planned("collect", "label", "train", "deploy"),
    ),
    Task("Use python to compute the average score in data.csv.", "python", output_has("4", "python")),
    Task(
        "Use python to count the rows in prices.csv, not counting the header.",
        "python",
        output_has("4", "python"),
    ),
    Task("Use python to find the most expensive item in prices.csv.", "python", output_has("bag", "python")),
    Task("Use python to add up the price column of prices.csv.", "python", output_has("50", "python")),
)
"""Tasks the embedded model must never be tuned on."""

KERNEL_TUNING: tuple[Task, ...] = (
    Task("What variables do I have in the notebook?", "notebook_variables", called("notebook_variables")),
    Task("How many rows does df have? Use python.", "python", output_has("3", "python")),
    Task(
        "Store the mean of df['score'] in a variable called mean_score.",
        "python",
        probe_is("mean_score", 4.0),
        {"mean_score": "float(mean_score)"},
    ),
    Task("Use python to print the columns of df.", "python", all_of(output_has("name"), output_has("score"))),
)
"""Notebook tasks the embedded model may be tuned on."""

KERNEL_HELD_OUT: tuple[Task, ...] = (
    Task("List my notebook variables.", "notebook_variables", called("notebook_variables")),
    Task("What is the highest score in df? Use python.", "python", output_has("5", "python")),
    Task(
        "Define a variable total equal to the sum of df['score'].",
        "python",
        probe_is("total", 12),
        {"total": "int(total)"},
    ),
    Task("Use python to print the name with the lowest score in df.", "python", output_has("alice", "python")),
    Task(
        "Create a variable named top that holds the name of the best scorer in df.",
        "python",
        probe_is("top", "bob"),
        {"top": "str(top)"},
    ),
)
"""Notebook tasks the embedded model must never be tuned on."""
