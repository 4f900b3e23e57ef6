"""DoomLoopDetector and call_signature."""

from __future__ import annotations

import pytest

from ml_intern_jupyter.agent.doom_loop import DoomLoopDetector, call_signature


def sig(name: str, **arguments) -> str:
    return call_signature(name, arguments)


def feed(detector: DoomLoopDetector, signatures: list[str]) -> list[str | None]:
    """Record one call per iteration; return what each record() said."""
    return [detector.record([s]) for s in signatures]


def test_identical_calls_fire_at_the_threshold() -> None:
    detector = DoomLoopDetector()
    same = sig("bash", command="ls")
    results = feed(detector, [same, same, same])
    assert results[:2] == [None, None]
    assert results[2] is not None
    assert "`bash`" in results[2] and "3 times" in results[2] and "[loop guard]" in results[2]
    assert detector.fired == 1


def test_custom_identical_threshold() -> None:
    detector = DoomLoopDetector(identical_threshold=5)
    same = sig("read", file_path="a")
    results = feed(detector, [same] * 5)
    assert results[:4] == [None] * 4 and "5 times" in results[4]


def test_identical_calls_within_one_iteration_count() -> None:
    detector = DoomLoopDetector()
    same = sig("echo", text="x")
    assert detector.record([same, same]) is None
    assert detector.record([same]) is not None


@pytest.mark.parametrize("size", [2, 3, 4])
def test_repeating_patterns_fire_after_three_repeats(size: int) -> None:
    detector = DoomLoopDetector()
    unit = [sig(f"tool{i}", step=i) for i in range(size)]
    results = feed(detector, unit * 3)
    assert all(r is None for r in results[:-1])
    assert results[-1] is not None
    assert f"sequence of {size} tool calls" in results[-1]
    assert " → ".join(f"tool{i}" for i in range(size)) in results[-1]
    assert detector.fired == 1


def test_pattern_longer_than_max_pattern_is_not_reported() -> None:
    detector = DoomLoopDetector(max_pattern=4)
    unit = [sig(f"t{i}") for i in range(5)]
    assert all(r is None for r in feed(detector, unit * 3))
    assert detector.fired == 0


def test_varied_calls_do_not_fire() -> None:
    detector = DoomLoopDetector()
    calls = [sig("echo", text=str(i)) for i in range(40)]  # same tool, new arguments every time
    calls += [sig("bash", command="ls"), sig("bash", command="ls"), sig("read", file_path="x")]
    calls += [sig("a"), sig("a"), sig("b"), sig("b"), sig("c"), sig("c")]
    calls += [sig("a"), sig("b"), sig("a"), sig("b"), sig("c")]  # two repeats only, then a change
    assert all(r is None for r in feed(detector, calls))
    assert detector.fired == 0


def test_resets_after_firing() -> None:
    detector = DoomLoopDetector()
    same = sig("echo", text="again")
    feed(detector, [same, same, same])
    assert detector.fired == 1
    # the very next identical call starts a fresh count
    assert feed(detector, [same, same]) == [None, None]
    assert detector.record([same]) is not None
    assert detector.fired == 2


def test_explicit_reset_forgets_history() -> None:
    detector = DoomLoopDetector()
    same = sig("echo", text="x")
    feed(detector, [same, same])
    detector.reset()
    assert detector.record([same]) is None
    assert detector.fired == 0


def test_call_signature_is_canonical() -> None:
    a = call_signature("edit", {"b": 1, "a": {"y": 2, "x": [1, 2]}})
    b = call_signature("edit", '{"a": {"x": [1, 2], "y": 2}, "b": 1}')
    assert a == b
    assert call_signature("edit", {"a": 1}) != call_signature("write", {"a": 1})
    assert call_signature("edit", {"a": 1}) != call_signature("edit", {"a": 2})


def test_call_signature_keeps_malformed_arguments_verbatim() -> None:
    assert call_signature("python", "{not json") == "python:{not json"
    assert call_signature("python", "{not json") != call_signature("python", "{not json!")


def test_key_order_does_not_hide_a_loop() -> None:
    detector = DoomLoopDetector()
    variants = ['{"a": 1, "b": 2}', '{"b": 2, "a": 1}', {"a": 1, "b": 2}]
    results = [detector.record([call_signature("t", v)]) for v in variants]
    assert results[-1] is not None
