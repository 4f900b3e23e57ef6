"""Papers, docs pages and the dataset viewer (``/datasets-server/...``)."""

from __future__ import annotations

import html
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from .state import HubError

VIEWER = "/datasets-server"
NOT_ACCESSIBLE = (
    "The dataset does not exist, or is not accessible without authentication (private or gated). "
    "Please check the spelling of the dataset name or retry with authentication."
)


def paper_entry(paper: dict[str, Any]) -> dict[str, Any]:
    """A search / daily-papers item: the paper nested, title and summary on top."""
    nested = {k: v for k, v in paper.items() if k not in ("markdown", "daily")}
    return {"paper": nested, "title": paper["title"], "summary": paper["summary"], "numComments": 0}


def infer_feature(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"dtype": "bool", "_type": "Value"}
    if isinstance(value, int):
        return {"dtype": "int64", "_type": "Value"}
    if isinstance(value, float):
        return {"dtype": "float64", "_type": "Value"}
    if isinstance(value, list):
        return {"feature": infer_feature(value[0]) if value else {"dtype": "null"}, "_type": "List"}
    if isinstance(value, dict):
        return {key: infer_feature(item) for key, item in value.items()}
    return {"dtype": "string", "_type": "Value"}


class ContentEndpoints:
    """Papers, docs and viewer endpoints of a ``LocalHub``."""

    def __init__(self, hub) -> None:
        self.hub = hub

    def routes(self) -> list[Route]:
        return [
            Route("/api/papers/search", self.search_papers),
            Route("/api/daily_papers", self.daily_papers),
            Route("/api/papers/{arxiv_id}", self.paper),
            Route("/papers/{arxiv_id}.md", self.paper_markdown),
            Route("/docs/{library}", self.docs_index),
            Route("/docs/{library}/{page:path}", self.docs_page),
            Route(VIEWER + "/splits", self.splits),
            Route(VIEWER + "/info", self.info),
            Route(VIEWER + "/first-rows", self.first_rows),
        ]

    # -- papers --------------------------------------------------------------------------------

    async def search_papers(self, request: Request) -> Response:
        self.hub.user(request)
        words = request.query_params.get("q", "").lower().split()
        found = [
            paper
            for paper in self.hub.papers.values()
            if all(word in (paper["title"] + " " + paper["summary"]).lower() for word in words)
        ]
        limit = int(request.query_params.get("limit") or 50)
        return JSONResponse([paper_entry(paper) for paper in found[:limit]])

    async def daily_papers(self, request: Request) -> Response:
        self.hub.user(request)
        date = request.query_params.get("date")
        daily = [paper for paper in self.hub.papers.values() if paper.get("daily")]
        daily = [paper for paper in daily if paper["daily"] == date] if date else daily
        daily.sort(key=lambda paper: paper["daily"], reverse=True)
        limit = int(request.query_params.get("limit") or 50)
        return JSONResponse([{**paper_entry(p), "publishedAt": p["daily"] + "T00:00:00Z"} for p in daily[:limit]])

    def _paper(self, arxiv_id: str) -> dict[str, Any]:
        paper = self.hub.papers.get(arxiv_id)
        if paper is None:
            raise HubError(404, "Paper not found")
        return paper

    async def paper(self, request: Request) -> Response:
        paper = self._paper(request.path_params["arxiv_id"])
        return JSONResponse({k: v for k, v in paper.items() if k not in ("markdown", "daily")})

    async def paper_markdown(self, request: Request) -> Response:
        paper = self._paper(request.path_params["arxiv_id"])
        markdown = paper.get("markdown") or f"# {paper['title']}\n\n## Abstract\n\n{paper['summary']}\n"
        return PlainTextResponse(markdown, media_type="text/markdown")

    # -- docs ----------------------------------------------------------------------------------

    def _library(self, request: Request) -> tuple[str, dict[str, tuple[str, str]]]:
        library = request.path_params["library"]
        pages = self.hub.docs.get(library)
        if pages is None:
            raise HubError(404, f"No documentation for {library}")
        return library, pages

    async def docs_index(self, request: Request) -> Response:
        if request.url.path in self.hub.redirects:
            return RedirectResponse(self.hub.redirects[request.url.path], status_code=302)
        library, pages = self._library(request)
        links = "".join(
            f'<li><a href="/docs/{library}/{slug}">{html.escape(t)}</a></li>' for slug, (t, _) in pages.items()
        )
        body = f'<nav class="flex-auto"><ul>{links}</ul></nav><main><a href="/docs/other/x">elsewhere</a></main>'
        return HTMLResponse(f"<html><body>{body}</body></html>")

    async def docs_page(self, request: Request) -> Response:
        if request.url.path in self.hub.redirects:
            return RedirectResponse(self.hub.redirects[request.url.path], status_code=302)
        _, pages = self._library(request)
        slug = request.path_params["page"]
        markdown = slug.endswith(".md")
        entry = pages.get(slug.removesuffix(".md"))
        if entry is None:
            raise HubError(404, "Page not found")
        if markdown:
            return PlainTextResponse(entry[1], media_type="text/markdown")
        return HTMLResponse(f"<html><body><h1>{html.escape(entry[0])}</h1></body></html>")

    # -- dataset viewer ------------------------------------------------------------------------

    def _dataset(self, request: Request):
        name = request.query_params.get("dataset")
        if not name:
            raise HubError(422, "Parameter 'dataset' is required", "MissingRequiredParameter")
        user = self.hub.user(request)
        repo = self.hub.repos.get(f"dataset/{name}")
        found = self.hub.viewer.get(name)
        if repo is None or found is None or (repo.private and user != repo.owner):
            raise HubError(404 if user else 401, NOT_ACCESSIBLE, "DatasetNotFoundError")
        return name, found

    def _config(self, request: Request, found) -> str:
        config = request.query_params.get("config")
        if not config:
            raise HubError(422, "Parameter 'config' is required", "MissingRequiredParameter")
        if config not in found.configs:
            raise HubError(404, "The config does not exist.", "ConfigNamesError")
        return config

    async def splits(self, request: Request) -> Response:
        name, found = self._dataset(request)
        splits = [{"dataset": name, "config": c, "split": s} for c, parts in found.configs.items() for s in parts]
        return JSONResponse({"splits": splits, "pending": [], "failed": []})

    def _features(self, found, config: str) -> dict[str, Any]:
        if found.features:
            return found.features
        rows = next((rows for rows in found.configs[config].values() if rows), [])
        return {key: infer_feature(value) for key, value in (rows[0] if rows else {}).items()}

    async def info(self, request: Request) -> Response:
        name, found = self._dataset(request)
        config = self._config(request, found)
        splits = {
            split: {"name": split, "num_bytes": 100 * len(rows), "num_examples": len(rows), "dataset_name": name}
            for split, rows in found.configs[config].items()
        }
        info = {
            "features": self._features(found, config),
            "splits": splits,
            "dataset_size": 1234,
            "config_name": config,
        }
        return JSONResponse({"dataset_info": info, "partial": False})

    async def first_rows(self, request: Request) -> Response:
        name, found = self._dataset(request)
        config = self._config(request, found)
        split = request.query_params.get("split")
        if split not in found.configs[config]:
            raise HubError(404, "The split does not exist.", "SplitNotFoundError")
        features = self._features(found, config)
        typed = [{"feature_idx": i, "name": k, "type": v} for i, (k, v) in enumerate(features.items())]
        rows = [
            {"row_idx": i, "row": row, "truncated_cells": []}
            for i, row in enumerate(found.configs[config][split][:100])
        ]
        answer = {"dataset": name, "config": config, "split": split, "features": typed, "rows": rows}
        return JSONResponse({**answer, "truncated": len(found.configs[config][split]) > 100})
