"""Which service period an invoice line pays for: the client's enrolment in the line's service
running on the invoice date, else the next one to start (a prepayment), else the last one to end."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from hr_assets.defs.accruals.recognition import AccrualLine


def choose_period(invoice_date: dt.date, periods: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    periods = list(periods)
    running = [p for p in periods if p["start_date"] <= invoice_date <= p["end_date"]]
    if running:
        return min(running, key=lambda p: (p["start_date"], p["id"]))
    upcoming = [p for p in periods if p["start_date"] > invoice_date]
    if upcoming:
        return min(upcoming, key=lambda p: (p["start_date"], p["id"]))
    return max(periods, key=lambda p: (p["end_date"], p["id"]), default=None)


def accrual_lines(lines: Iterable[Mapping[str, Any]], periods: Iterable[Mapping[str, Any]]) -> list[AccrualLine]:
    """``lines``: invoice_id, line_no, invoice_date, contact_id, service_code, net_amount (Decimal).
    ``periods``: id, holded_contact_id, service_code, start_date, end_date.

    Each line with the service period it pays for (none when unmatched)."""
    by_client_service: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for period in periods:
        by_client_service[(period["holded_contact_id"], period["service_code"])].append(period)
    matched = []
    for line in lines:
        candidates = by_client_service.get((line["contact_id"], line["service_code"]), [])
        period = choose_period(line["invoice_date"], candidates) if line["service_code"] else None
        matched.append(
            AccrualLine(
                invoice_id=line["invoice_id"],
                line_no=line["line_no"],
                invoice_date=line["invoice_date"],
                net_cents=int(Decimal(line["net_amount"]) * 100),
                service_period_id=str(period["id"]) if period else None,
                period_start=period["start_date"] if period else None,
                period_end=period["end_date"] if period else None,
            )
        )
    return matched
