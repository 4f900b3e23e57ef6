"""Output transcripts: head/tail capping and carriage-return collapsing."""

from __future__ import annotations

from ml_intern_jupyter.tools.builtin._output import HeadTailBuffer, StreamTranscript


def test_buffer_under_limit_is_verbatim():
    buffer = HeadTailBuffer(limit=100)
    for line in ["a", "b", "c"]:
        buffer.add_line(line)
    assert buffer.render() == "a\nb\nc"


def test_buffer_keeps_head_and_tail_and_counts_omitted():
    buffer = HeadTailBuffer(limit=20)
    for i in range(100):
        buffer.add_line(f"{i:03d}")
    text = buffer.render()
    head, _, tail = text.partition("\n[... ")
    assert head == "000\n001\n00"  # a 10-character head budget: two lines and part of a third
    assert tail == "382 characters omitted ...]\n098\n099"  # 400 written, 10 + 8 kept


def test_single_huge_line_is_split_between_head_and_tail():
    buffer = HeadTailBuffer(limit=10)
    buffer.add_line("x" * 1000)
    text = buffer.render()
    assert text.startswith("xxxxx\n[...")
    assert text.endswith("...]\nxxxx")
    assert "991 characters omitted" in text


def test_transcript_feeds_partial_lines_and_collapses_updates():
    transcript = StreamTranscript()
    assert transcript.feed("hel") == []
    assert transcript.feed("lo\nstep 1\rstep 2\r") == ["hello", "step 1", "step 2"]
    assert transcript.feed("\n") == []
    assert transcript.feed("tail") == []
    assert transcript.close() == ["tail"]
    assert transcript.render() == "hello\nstep 2\ntail"


def test_transcript_keeps_blank_lines():
    transcript = StreamTranscript()
    assert transcript.feed("a\n\nb\n") == ["a", "b"]
    assert transcript.render() == "a\n\nb"
