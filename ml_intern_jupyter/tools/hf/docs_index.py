"""The pages of one docs endpoint, read from its sidebar, and ranking them against a query."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

DOC_ENDPOINTS = (
    "hub",
    "transformers",
    "diffusers",
    "datasets",
    "trackio",
    "smolagents",
    "huggingface_hub",
    "huggingface.js",
    "transformers.js",
    "inference-providers",
    "inference-endpoints",
    "peft",
    "accelerate",
    "optimum",
    "tokenizers",
    "courses",
    "evaluate",
    "tasks",
    "dataset-viewer",
    "trl",
    "simulate",
    "sagemaker",
    "timm",
    "safetensors",
    "tgi",
    "setfit",
    "lerobot",
    "autotrain",
    "tei",
    "bitsandbytes",
    "sentence_transformers",
    "chat-ui",
    "leaderboards",
    "lighteval",
    "argilla",
    "distilabel",
    "microsoft-azure",
    "kernels",
    "google-cloud",
)

COMPOSITE_ENDPOINTS: dict[str, tuple[str, ...]] = {
    "optimum": ("optimum", "optimum-habana", "optimum-neuron", "optimum-intel", "optimum-executorch", "optimum-tpu"),
    "courses": (
        "llm-course",
        "robotics-course",
        "mcp-course",
        "smol-course",
        "agents-course",
        "deep-rl-course",
        "computer-vision-course",
        "audio-course",
        "ml-games-course",
        "diffusion-course",
        "ml-for-3d-course",
        "cookbook",
    ),
}

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class DocPage:
    """One page of a docs endpoint."""

    title: str
    url: str
    section: str


class _NavLinks(HTMLParser):
    """Collects ``<a href>`` links (with their text), noting whether each sits inside a ``<nav>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, bool]] = []
        self._nav_depth = 0
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "nav":
            self._nav_depth += 1
        elif tag == "a":
            self._href = dict(attrs).get("href") or None
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._nav_depth = max(0, self._nav_depth - 1)
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split()), self._nav_depth > 0))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)


def _clean(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def parse_sidebar(html: str, page_url: str, endpoint: str) -> list[DocPage]:
    """The pages linked from a docs page's sidebar (``<nav>``), in order, without duplicates."""
    parser = _NavLinks()
    parser.feed(html)
    prefix = f"/docs/{endpoint}"
    candidates = []
    for href, text, in_nav in parser.links:
        url = _clean(urljoin(page_url, href))
        path = urlsplit(url).path
        if text and (path == prefix or path.startswith(prefix + "/")):
            candidates.append((url, text, in_nav))
    in_nav = [c for c in candidates if c[2]] or candidates  # no <nav>: any docs link on the page
    seen: set[str] = set()
    pages = []
    for url, text, _ in in_nav:
        if url not in seen:
            seen.add(url)
            pages.append(DocPage(title=text, url=url, section=endpoint))
    return pages


def rank(pages: list[DocPage], query: str) -> list[DocPage]:
    """Pages sharing words with ``query``, best first (title words count double)."""
    wanted = set(_WORD.findall(query.lower()))
    scored = []
    for position, page in enumerate(pages):
        title = set(_WORD.findall(page.title.lower()))
        path = set(_WORD.findall(urlsplit(page.url).path.lower()))
        score = 2 * len(wanted & title) + len(wanted & path)
        if score:
            scored.append((-score, position, page))
    return [page for _, _, page in sorted(scored)]
