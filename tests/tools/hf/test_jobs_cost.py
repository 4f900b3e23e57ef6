"""The jobs cost estimate: the Hub's price list when reachable, else the static table; the approval preview."""

from __future__ import annotations

import pytest

from ml_intern_jupyter.tools.hf import HubAccess, JobPrices, estimate_job_cost, parse_timeout
from ml_intern_jupyter.tools.hf.jobs import make_jobs_tool
from ml_intern_jupyter.tools.hf.jobs_cost import STATIC_USD_PER_HOUR, format_duration

from ...hub_server import LocalHub


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, 1800), ("30m", 1800), ("2h", 7200), ("1.5h", 5400), ("1d", 86400), ("90s", 90), ("45", 45), (600, 600)],
)
def test_parse_timeout(value, seconds: int) -> None:
    assert parse_timeout(value) == seconds


@pytest.mark.parametrize("value", ["soon", "-5m", "0", "2 weeks", True, "1h30m"])
def test_parse_timeout_rejects(value) -> None:
    with pytest.raises(ValueError):
        parse_timeout(value)


def test_format_duration() -> None:
    assert format_duration(5400) == "1h 30m" and format_duration(45) == "45s" and format_duration(86400) == "24h"


async def test_preview_uses_the_hubs_prices(hub: LocalHub, access: HubAccess) -> None:
    tool = make_jobs_tool(access)
    preview = await tool.preview(
        {"operation": "run", "hardware_flavor": "a10g-small", "timeout": "2h", "command": ["x"]}
    )
    assert preview.cost_usd == pytest.approx(0.0175 * 60 * 2)
    assert preview.details["hardware"] == "a10g-small" and preview.details["timeout"] == "2h"
    assert "$2.10" in preview.details["estimated cost"] and "Hub's hardware list" in preview.details["estimated cost"]
    assert preview.details["runs"] == "x" and "HF_TOKEN" in preview.details["secrets"]
    default = await tool.preview({"operation": "run", "script": "print(1)"})
    assert default.details["hardware"] == "cpu-basic" and default.details["timeout"] == "30m"
    assert default.cost_usd == pytest.approx(0.0002 * 30)
    await tool.preview({"operation": "run", "timeout": "1h"})
    assert len(hub.requests_to("/api/jobs/hardware")) == 1  # the price list is cached


async def test_preview_falls_back_to_the_static_table(hub: LocalHub, access: HubAccess) -> None:
    hub.hardware_available = False
    preview = await make_jobs_tool(access).preview(
        {"operation": "run", "hardware_flavor": "a100-large", "timeout": "3h"}
    )
    assert preview.cost_usd == pytest.approx(STATIC_USD_PER_HOUR["a100-large"] * 3)
    assert "static price table" in preview.details["estimated cost"]


async def test_unknown_price_bad_timeout_and_other_operations(hub: LocalHub, access: HubAccess) -> None:
    tool = make_jobs_tool(access)
    unknown = await tool.preview({"operation": "run", "hardware_flavor": "quantum-1"})
    assert unknown.cost_usd is None and "unknown: no price for quantum-1" in unknown.details["estimated cost"]
    bad = await tool.preview({"operation": "run", "timeout": "forever"})
    assert bad.cost_usd is None and "timeout" in bad.details["problem"]
    scheduled = await tool.preview({"operation": "scheduled run", "schedule": "@daily", "timeout": "1h"})
    assert scheduled.details["schedule"] == "@daily" and scheduled.details["estimated cost"].endswith("per run")
    malformed = await tool.preview({"operation": "run", "command": 42})
    assert malformed.cost_usd is None and "problem" in malformed.details
    cancel = await tool.preview({"operation": "cancel", "job_id": "abc"})
    assert cancel.cost_usd == 0.0 and cancel.details == {"operation": "cancel", "job": "abc"}


async def test_estimate_job_cost_for_the_budget(hub: LocalHub, access: HubAccess) -> None:
    prices = JobPrices(access)
    assert await estimate_job_cost(prices, {"operation": "run", "timeout": "1h"}) == pytest.approx(0.012)
    assert await estimate_job_cost(prices, {"operation": "ps"}) == 0.0
    assert await estimate_job_cost(prices, {"operation": "run", "timeout": "never"}) is None
