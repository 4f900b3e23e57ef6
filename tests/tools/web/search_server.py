"""A local SearXNG-compatible search endpoint: ``GET /search?q=...&format=json``.

It answers 403 when the JSON format is "not enabled" (like SearXNG), and HTML when ``broken``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ...hub_server.threaded import ThreadedServer

DOCUMENTS = [
    {
        "title": "TRL SFTTrainer docs",
        "url": "https://huggingface.co/docs/trl/sft_trainer",
        "content": "SFTTrainer and SFTConfig.",
    },
    {
        "title": "SFT tutorial",
        "url": "https://blog.example.com/sft",
        "content": "How to fine-tune with SFTTrainer " * 30,
    },
    {"title": "Duplicate", "url": "https://huggingface.co/docs/trl/sft_trainer", "content": "again"},
    {"title": "Forum thread", "url": "https://discuss.huggingface.co/t/sft/1", "content": "SFTTrainer OOM"},
    {"title": "Spam", "url": "https://spam.example.org/sft", "content": "SFTTrainer cheap"},
    {"title": "Not a web link", "url": "ftp://files.example.com/sft", "content": "SFTTrainer"},
    {"title": "GRPO paper", "url": "https://arxiv.org/abs/2402.03300", "content": "GRPO"},
]


class LocalSearch:
    """``with LocalSearch() as search: search.url`` is the ``web_search_url``."""

    def __init__(self) -> None:
        self.json_enabled = True
        self.broken = False
        self.server = ThreadedServer([Route("/search", self.search)])

    @property
    def url(self) -> str:
        return f"{self.server.endpoint}/search"

    @property
    def requests(self):
        return self.server.requests

    def __enter__(self) -> LocalSearch:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    async def search(self, request: Request) -> Response:
        if request.query_params.get("format") != "json" or not self.json_enabled:
            return Response("Forbidden", status_code=403)
        if self.broken:
            return HTMLResponse("<html>not json</html>")
        words = request.query_params.get("q", "").lower().split()
        hits = [doc for doc in DOCUMENTS if any(w in (doc["title"] + doc["content"]).lower() for w in words)]
        return JSONResponse({"query": request.query_params.get("q"), "results": hits, "number_of_results": len(hits)})
