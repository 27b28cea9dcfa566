"""Which service period an invoice line pays for: the client's enrolment in the line's service
running on the invoice date, else the next one to start (a prepayment), else the last one to end. A credit note line
takes the period of the invoice line it credits; one of a cancelled invoice is not booked at all: the cancellation
already took the invoice's lines out, and booking the credit too would reverse the revenue twice."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from hr_assets.defs.accruals.recognition import AccrualLine
from hr_assets.defs.shared.invoice_lines import InvoiceLine, LineKey


class ServicePeriod(NamedTuple):
    """A client's enrolment in a service, as ``store.periods_of_clients_invoiced_up_to`` reads it."""

    id: int
    holded_contact_id: str
    service_code: str
    start_date: dt.date
    end_date: dt.date  # inclusive


def choose_period(invoice_date: dt.date, periods: Sequence[ServicePeriod]) -> ServicePeriod | None:
    """``periods``: the client's enrolments in the line's service."""
    if len(periods) == 1:  # whichever rule applies, the only one
        return periods[0]
    running = [p for p in periods if p.start_date <= invoice_date <= p.end_date]
    if running:
        return min(running, key=lambda p: (p.start_date, p.id))
    upcoming = [p for p in periods if p.start_date > invoice_date]
    if upcoming:
        return min(upcoming, key=lambda p: (p.start_date, p.id))
    return max(periods, key=lambda p: (p.end_date, p.id), default=None)


def accrual_lines(lines: Iterable[InvoiceLine], periods: Iterable[ServicePeriod]) -> list[AccrualLine]:
    """Each line with the service period it pays for (none when unmatched); a credit note line with the period of the
    invoice line it credits (none when it credits none, or that line has none); a credit note line of a cancelled
    invoice left out (``credits_of_cancelled_invoices`` counts them)."""
    by_client_service: dict[tuple[str, str], list[ServicePeriod]] = defaultdict(list)
    for period in periods:
        by_client_service[(period.holded_contact_id, period.service_code)].append(period)
    lines = [line for line in lines if not line.credits_cancelled]
    chosen_for: dict[LineKey, ServicePeriod | None] = {}
    for line in lines:
        if not line.credit and line.service_code:
            candidates = by_client_service.get((line.contact_id, line.service_code), ())
            chosen_for[(line.invoice_id, line.line_no)] = choose_period(line.invoice_date, candidates)
    matched = []
    for line in lines:
        paid_for = line.credits if line.credit else (line.invoice_id, line.line_no)
        chosen = chosen_for.get(paid_for) if paid_for else None
        net_cents = int(line.net_amount.scaleb(2))
        if chosen is None:
            matched.append(AccrualLine(line.invoice_id, line.line_no, line.invoice_date, net_cents, None, None, None))
        else:
            matched.append(
                AccrualLine(
                    line.invoice_id,
                    line.line_no,
                    line.invoice_date,
                    net_cents,
                    chosen.id,
                    chosen.start_date,
                    chosen.end_date,
                )
            )
    return matched


def credits_of_cancelled_invoices(lines: Iterable[InvoiceLine]) -> Counter[dt.date]:
    """The credit note lines ``accrual_lines`` leaves out as its invoice is cancelled, by the month of their note."""
    return Counter(line.invoice_date.replace(day=1) for line in lines if line.credits_cancelled)
