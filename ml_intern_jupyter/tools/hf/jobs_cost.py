"""What an HF Job may cost: hardware prices and the estimate shown on the approval card.

The Hub's price list (``GET /api/jobs/hardware``) wins when reachable; otherwise a static
table of public prices is used and the estimate says so. The estimate is the hourly price
times the job's timeout (the most it can run), which is what the yolo spending cap needs.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from dataclasses import dataclass
from typing import Any

from .access import HubAccess

DEFAULT_TIMEOUT = "30m"
DEFAULT_FLAVOR = "cpu-basic"
PRICE_TTL_SECONDS = 6 * 3600
FAILURE_TTL_SECONDS = 300

STATIC_USD_PER_HOUR: dict[str, float] = {
    "cpu-basic": 0.05,
    "cpu-upgrade": 0.25,
    "cpu-performance": 0.50,
    "cpu-xl": 1.00,
    "t4-small": 0.60,
    "t4-medium": 0.90,
    "l4x1": 1.00,
    "l4x4": 4.00,
    "l40sx1": 2.00,
    "l40sx4": 8.00,
    "l40sx8": 16.00,
    "a10g-small": 1.00,
    "a10g-large": 2.00,
    "a10g-largex2": 4.00,
    "a10g-largex4": 8.00,
    "a100-large": 4.00,
    "a100x4": 16.00,
    "a100x8": 32.00,
    "h200": 10.00,
    "h200x2": 20.00,
    "h200x4": 40.00,
    "h200x8": 80.00,
}
"""Fallback hourly prices (USD) when the Hub's hardware list cannot be read."""

_UNIT_HOURS = {"second": 1 / 3600, "minute": 1 / 60, "hour": 1.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_timeout(value: Any) -> int:
    """Seconds from ``"30m"``, ``"2h"``, ``"1.5h"``, ``"1d"``, ``"90s"`` or a number of seconds."""
    if value is None or value == "":
        value = DEFAULT_TIMEOUT
    if isinstance(value, bool):
        raise ValueError(f"timeout must be a duration like '2h' (got {value!r})")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"timeout must be a duration like '30m', '2h' or '1d' (got {value!r})")
        seconds = float(match.group(1)) * _SECONDS[(match.group(2) or "s").lower()]
    if seconds <= 0 or not math.isfinite(seconds):
        raise ValueError(f"timeout must be positive (got {value!r})")
    return math.ceil(seconds)


def format_duration(seconds: int) -> str:
    """``2h 30m`` style."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "", f"{secs}s" if secs else ""]
    return " ".join(part for part in parts if part) or "0s"


@dataclass(frozen=True)
class PriceList:
    """Hourly prices by flavor and where they came from."""

    usd_per_hour: dict[str, float]
    source: str
    live: bool


@dataclass(frozen=True)
class JobCostEstimate:
    """The most a job can cost: its flavor's hourly price times its timeout."""

    flavor: str
    timeout_seconds: int
    usd_per_hour: float | None
    cost_usd: float | None
    source: str

    def describe(self) -> str:
        """One line for the approval card."""
        duration = format_duration(self.timeout_seconds)
        if self.cost_usd is None:
            return f"unknown: no price for {self.flavor} ({self.source})"
        return (
            f"up to ${self.cost_usd:,.2f} ({self.flavor} at ${self.usd_per_hour:,.2f}/h for {duration}; {self.source})"
        )


def _hourly(hardware: Any) -> float | None:
    unit = _UNIT_HOURS.get(str(getattr(hardware, "unit_label", "")).lower())
    cost = getattr(hardware, "unit_cost_usd", None)
    if unit is None or not isinstance(cost, int | float):
        return None
    return float(cost) / unit


class JobPrices:
    """The Hub's job hardware prices, cached for a few hours (one instance per tool set)."""

    def __init__(self, access: HubAccess) -> None:
        self._access = access
        self._cached: tuple[float, PriceList] | None = None

    async def prices(self) -> PriceList:
        """Live prices when the Hub answers, else the static table (said in ``source``)."""
        now = time.monotonic()
        if self._cached is not None:
            fetched_at, cached = self._cached
            if now - fetched_at < (PRICE_TTL_SECONDS if cached.live else FAILURE_TTL_SECONDS):
                return cached
        prices = await self._fetch()
        self._cached = (now, prices)
        return prices

    async def _fetch(self) -> PriceList:
        try:
            hardware = await asyncio.to_thread(self._access.api().list_jobs_hardware)
        except Exception as exc:  # any failure falls back to the static table
            reason = f"{type(exc).__name__}"
            return PriceList(
                dict(STATIC_USD_PER_HOUR), f"static price table; the Hub's price list failed: {reason}", False
            )
        live = {item.name: price for item in hardware if (price := _hourly(item)) is not None}
        if not live:
            return PriceList(dict(STATIC_USD_PER_HOUR), "static price table; the Hub listed no prices", False)
        return PriceList(live, "prices from the Hub's hardware list", True)

    async def estimate(self, arguments: dict[str, Any]) -> JobCostEstimate:
        """The estimate for an ``hf_jobs`` run (``hardware_flavor``, ``timeout``)."""
        flavor = str(arguments.get("hardware_flavor") or DEFAULT_FLAVOR)
        seconds = parse_timeout(arguments.get("timeout"))
        prices = await self.prices()
        price = prices.usd_per_hour.get(flavor)
        cost = None if price is None else round(price * seconds / 3600, 4)
        return JobCostEstimate(flavor, seconds, price, cost, prices.source)


async def estimate_job_cost(prices: JobPrices, arguments: dict[str, Any]) -> float | None:
    """The USD estimate of an ``hf_jobs`` call (``None`` when unknown or not a run), for the yolo cap."""
    if str(arguments.get("operation", "")).strip().lower() not in ("run", "scheduled run"):
        return 0.0
    try:
        return (await prices.estimate(arguments)).cost_usd
    except ValueError:
        return None
