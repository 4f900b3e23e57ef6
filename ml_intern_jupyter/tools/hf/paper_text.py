"""Rendering one paper: its details, and one section of its Markdown page."""

from __future__ import annotations

import re
from typing import Any

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_INTRO_CHARS = 2_000


def format_paper_detail(endpoint: str, paper: Any) -> str:
    """Title, ids, authors, dates, links, keywords, AI summary and abstract."""
    lines = [f"# {paper.title or paper.id}", f"arxiv_id: {paper.id}"]
    lines.append(f"{endpoint}/papers/{paper.id} | https://arxiv.org/abs/{paper.id}")
    authors = [author.name for author in (paper.authors or []) if getattr(author, "name", "")]
    if authors:
        more = f" and {len(authors) - 10} more" if len(authors) > 10 else ""
        lines.append("Authors: " + ", ".join(authors[:10]) + more)
    if paper.published_at:
        lines.append(f"Published: {paper.published_at.date().isoformat()}")
    if paper.upvotes:
        lines.append(f"Upvotes: {paper.upvotes}")
    if paper.github_repo:
        stars = f" ({paper.github_stars} stars)" if paper.github_stars else ""
        lines.append(f"GitHub: {paper.github_repo}{stars}")
    if paper.project_page:
        lines.append(f"Project page: {paper.project_page}")
    if paper.ai_keywords:
        lines.append("Keywords: " + ", ".join(paper.ai_keywords[:15]))
    counts = [
        f"{count} {kind}"
        for kind, count in (("models", paper.num_total_models), ("datasets", paper.num_total_datasets))
        if count
    ]
    if counts:
        lines.append("Linked on the Hub: " + ", ".join(counts) + " (find_all_resources lists them)")
    if paper.ai_summary:
        lines += ["", "## AI summary", paper.ai_summary]
    if paper.summary:
        lines += ["", "## Abstract", paper.summary.strip()]
    return "\n".join(lines)


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """``(line index, level, title)`` of each Markdown heading outside code fences."""
    found, fenced = [], False
    for index, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            found.append((index, len(match.group(1)), match.group(2)))
    return found


def _section_matches(title: str, wanted: str) -> bool:
    wanted = wanted.strip().lower().rstrip(".")
    title = title.strip().lower()
    number = re.match(r"^(\d+(?:\.\d+)*)\.?\s", title + " ")
    if number and number.group(1) == wanted:
        return True
    return wanted in title


def pick_section(markdown: str, section: str | None) -> str:
    """The table of contents and the start, or the section whose heading matches ``section``."""
    lines = markdown.splitlines()
    headings = _headings(lines)
    toc = "\n".join(f"{'  ' * (level - 1)}- {title}" for _, level, title in headings)
    if not section:
        intro = markdown[:_INTRO_CHARS]
        more = "\n[...]" if len(markdown) > _INTRO_CHARS else ""
        return (f"Sections:\n{toc}\n\n" if toc else "") + intro + more
    for position, (index, level, title) in enumerate(headings):
        if _section_matches(title, section):
            end = next((i for i, lvl, _ in headings[position + 1 :] if lvl <= level), len(lines))
            return "\n".join(lines[index:end])
    available = toc or "(the page has no headings)"
    return f"No section matches {section!r}. Sections:\n{available}"
