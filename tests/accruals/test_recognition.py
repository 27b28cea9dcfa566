"""Monthly accruals of invoice lines: hand-computed examples, then the rules checked on random lines."""

from __future__ import annotations

import random
from datetime import date, timedelta
from fractions import Fraction

import pytest

from hr_assets.defs.accruals.recognition import (
    AccrualLine,
    MonthAccruals,
    accruals_for_month,
    accruals_for_months,
    line_schedule,
)


def line(
    invoiced: date, net_cents: int, start: date | None = None, end: date | None = None, invoice_id: str = "INV-1"
) -> AccrualLine:
    period_id = None if start is None else 7
    return AccrualLine(invoice_id, 1, invoiced, net_cents, period_id, start, end)


def month_range(first: date, count: int) -> list[date]:
    return [date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1) for k in range(count)]


def plain(month: MonthAccruals) -> tuple:
    """(month, rows as tuples, invoiced in month, invoiced to date, recognized in month, recognized to date, deferred,
    unmatched lines)."""
    return (
        month.month,
        month.rows,
        month.invoiced_in_month_cents,
        month.invoiced_to_date_cents,
        month.recognized_in_month_cents,
        month.recognized_to_date_cents,
        month.deferred_cents,
        month.unmatched_lines,
    )


def month_of(lines: list[AccrualLine], month: date) -> tuple:
    return plain(accruals_for_month(lines, month))


def months_of(lines: list[AccrualLine], months: list[date]) -> list[MonthAccruals]:
    return accruals_for_months(lines, months)


def schedules_by_line(lines: list[AccrualLine]) -> list[dict[date, int]]:
    return [line_schedule(accrual_line) for accrual_line in lines]


def schedule_by_month(accrual_line: AccrualLine) -> dict[date, int]:
    return line_schedule(accrual_line)


# Hand-computed examples


def test_a_leap_year_february_takes_its_29_days_and_the_leftover_cent_goes_to_the_earliest_tie() -> None:
    # 17 + 29 + 14 = 60 days; each share is x.33 cents with remainder 20/60, so the one leftover cent goes to January.
    assert schedule_by_month(line(date(2024, 1, 20), 100_000, date(2024, 1, 15), date(2024, 3, 14))) == {
        date(2024, 1, 1): 28_334,
        date(2024, 2, 1): 48_333,
        date(2024, 3, 1): 23_333,
    }


def test_a_three_way_split_of_100_00_gives_the_odd_cent_to_the_first_month() -> None:
    # Jan 4-31, February 2023 and Mar 1-28: 28 days each.
    assert schedule_by_month(line(date(2023, 1, 4), 10_000, date(2023, 1, 4), date(2023, 3, 28))) == {
        date(2023, 1, 1): 3_334,
        date(2023, 2, 1): 3_333,
        date(2023, 3, 1): 3_333,
    }


def test_leftover_cents_go_to_the_largest_remainders_not_the_earliest_months() -> None:
    # 1.00 over Jan 20 - Mar 31 2023 (12 + 28 + 31 = 71 days): 1200/71 = 16 r 64, 2800/71 = 39 r 31, 3100/71 = 43 r 47.
    assert schedule_by_month(line(date(2023, 1, 20), 100, date(2023, 1, 20), date(2023, 3, 31))) == {
        date(2023, 1, 1): 17,
        date(2023, 2, 1): 39,
        date(2023, 3, 1): 44,
    }


def test_invoiced_after_the_service_began_books_the_past_months_in_the_invoice_month() -> None:
    # 1,820.00 over the 182 days of Jan-Jun 2024 is 10.00 a day; January to March are caught up in March.
    catch_up = line(date(2024, 3, 10), 182_000, date(2024, 1, 1), date(2024, 6, 30))
    assert schedule_by_month(catch_up) == {
        date(2024, 3, 1): 91_000,
        date(2024, 4, 1): 30_000,
        date(2024, 5, 1): 31_000,
        date(2024, 6, 1): 30_000,
    }
    assert month_of([catch_up], date(2024, 2, 1)) == (date(2024, 2, 1), [], 0, 0, 0, 0, 0, 0)
    assert month_of([catch_up], date(2024, 3, 1)) == (
        date(2024, 3, 1),
        [("INV-1", 1, 7, 91_000)],
        182_000,
        182_000,
        91_000,
        91_000,
        91_000,
        0,
    )


def test_a_prepaid_period_is_deferred_until_its_service_starts() -> None:
    prepaid = line(date(2023, 12, 15), 90_000, date(2024, 2, 1), date(2024, 4, 30))  # 29 + 31 + 30 days
    months = months_of([prepaid], month_range(date(2023, 12, 1), 6))
    assert [(m.recognized_in_month_cents, m.recognized_to_date_cents, m.deferred_cents) for m in months] == [
        (0, 0, 90_000),
        (0, 0, 90_000),
        (29_000, 29_000, 61_000),
        (31_000, 60_000, 30_000),
        (30_000, 90_000, 0),
        (0, 90_000, 0),
    ]
    assert [m.invoiced_in_month_cents for m in months] == [90_000, 0, 0, 0, 0, 0]
    assert all(m.invoiced_to_date_cents == 90_000 for m in months)
    assert months[0].rows == [] and months[2].rows == [("INV-1", 1, 7, 29_000)]


def test_an_unmatched_line_is_recognized_in_its_invoice_month_and_counted() -> None:
    unmatched = line(date(2024, 5, 20), 12_345)
    may = month_of([unmatched], date(2024, 5, 1))
    assert may == (date(2024, 5, 1), [("INV-1", 1, None, 12_345)], 12_345, 12_345, 12_345, 12_345, 0, 1)
    assert accruals_for_month([unmatched], date(2024, 6, 1)).unmatched_lines == 0


def test_a_credit_note_splits_its_absolute_value_then_takes_the_sign() -> None:
    assert schedule_by_month(line(date(2024, 1, 20), -100_000, date(2024, 1, 15), date(2024, 3, 14))) == {
        date(2024, 1, 1): -28_334,
        date(2024, 2, 1): -48_333,
        date(2024, 3, 1): -23_333,
    }


def test_a_period_over_before_the_invoice_month_is_recognized_whole_in_the_invoice_month() -> None:
    late = line(date(2024, 4, 2), 5_000, date(2024, 1, 1), date(2024, 1, 31))
    assert schedule_by_month(late) == {date(2024, 4, 1): 5_000}
    assert [m.recognized_in_month_cents for m in months_of([late], month_range(date(2024, 1, 1), 5))] == [
        0,
        0,
        0,
        5_000,
        0,
    ]


def test_a_period_ending_before_it_starts_is_refused_naming_the_line() -> None:
    backwards = AccrualLine("INV-7", 3, date(2024, 1, 5), 100, 9, date(2024, 2, 1), date(2024, 1, 31))
    with pytest.raises(ValueError, match="invoice INV-7 line 3: service period 9 ends on 2024-01-31, before it"):
        accruals_for_month([line(date(2024, 1, 5), 100), backwards], date(2024, 1, 1))


@pytest.mark.parametrize(
    ("period_id", "start", "end"),
    [(1, None, None), (None, date(2024, 1, 1), date(2024, 1, 31)), (1, date(2024, 1, 1), None)],
)
def test_a_half_given_service_period_is_refused(period_id: int | None, start: date | None, end: date | None) -> None:
    with pytest.raises(ValueError, match="invoice INV-2 line 1"):
        line_schedule(AccrualLine("INV-2", 1, date(2024, 1, 5), 100, period_id, start, end))


@pytest.mark.parametrize("net_cents", [-(2**62), -(2**63), 10**30 + 7])
def test_a_net_of_any_size_splits_exactly(net_cents: int) -> None:
    """Python's integers do not wrap: what int64 could not split is split to the cent like any other net."""
    huge = AccrualLine("INV-3", 2, date(2024, 1, 5), net_cents, 1, date(2023, 12, 20), date(2024, 3, 10))
    assert schedule_by_month(huge) == reference_schedule(huge)
    assert sum(schedule_by_month(huge).values()) == net_cents


def test_a_bad_line_invoiced_after_the_latest_month_is_not_read() -> None:
    good = line(date(2024, 1, 5), 100)
    backwards = AccrualLine("INV-7", 3, date(2024, 2, 5), 100, 9, date(2024, 2, 1), date(2024, 1, 31))
    january = months_of([good, backwards], [date(2023, 12, 1), date(2024, 1, 1)])
    assert [plain(month) for month in january] == [
        (date(2023, 12, 1), [], 0, 0, 0, 0, 0, 0),
        (date(2024, 1, 1), [("INV-1", 1, None, 100)], 100, 100, 100, 100, 0, 1),
    ]
    with pytest.raises(ValueError, match="invoice INV-7 line 3"):
        months_of([good, backwards], [date(2024, 2, 1)])


def test_months_are_named_by_their_first_day() -> None:
    with pytest.raises(ValueError, match="first day"):
        accruals_for_month([], date(2024, 1, 15))


def test_no_lines_make_empty_months() -> None:
    assert [plain(m) for m in months_of([], [date(2024, 1, 1)])] == [(date(2024, 1, 1), [], 0, 0, 0, 0, 0, 0)]
    assert months_of([line(date(2024, 1, 5), 100)], []) == []


# The rules on random lines


def random_lines(seed: int, count: int = 2_000) -> list[AccrualLine]:
    """Invoices over 2023-2025; periods from one day to 14 months, starting up to 5 months before the invoice date
    or 3 months after it; about 5% unmatched, 5% credit notes, a few zero amounts, some lines sharing an invoice."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    lines = []
    for index in range(count):
        invoiced = date(2023, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        net = rng.choice([0, 1, 2, 99, 10_000, rng.randrange(1, 10_000_000)]) * (-1 if rng.random() < 0.05 else 1)
        invoice_id, line_no = f"INV-{index // 3}", index % 3 + 1
        if rng.random() < 0.05:
            lines.append(AccrualLine(invoice_id, line_no, invoiced, net, None, None, None))
            continue
        start = invoiced + timedelta(days=rng.randrange(-150, 90))
        end = start + timedelta(days=rng.choice([0, 1, 29, 30, 89, 364, rng.randrange(425)]))
        lines.append(AccrualLine(invoice_id, line_no, invoiced, net, index + 1, start, end))
    return lines


def reference_schedule(accrual_line: AccrualLine) -> dict[date, int]:
    """The rules written out one day and one month at a time with exact fractions: month -> non-zero cents."""
    invoice_month = accrual_line.invoice_date.replace(day=1)
    sign = -1 if accrual_line.net_cents < 0 else 1
    folded: dict[date, int] = {}
    for month, amount in reference_split(accrual_line).items():
        target = max(month, invoice_month)
        folded[target] = folded.get(target, 0) + sign * amount
    return {month: amount for month, amount in folded.items() if amount}


def reference_split(accrual_line: AccrualLine) -> dict[date, int]:
    """|net| by month of the service period (the invoice month when unmatched), largest remainder, before catch-up."""
    magnitude = abs(accrual_line.net_cents)
    if accrual_line.period_start is None or accrual_line.period_end is None:
        return {accrual_line.invoice_date.replace(day=1): magnitude}
    days: dict[date, int] = {}
    day = accrual_line.period_start
    while day <= accrual_line.period_end:
        days[day.replace(day=1)] = days.get(day.replace(day=1), 0) + 1
        day += timedelta(days=1)
    shares = {month: Fraction(magnitude * count, sum(days.values())) for month, count in days.items()}
    cents = {month: int(share) for month, share in shares.items()}
    by_remainder = sorted(shares, key=lambda month: (-(shares[month] - cents[month]), month))
    for month in by_remainder[: magnitude - sum(cents.values())]:
        cents[month] += 1
    return cents


def reference_months(lines: list[AccrualLine], months: list[date]) -> list[tuple]:
    """``plain`` of each month from the reference schedules, one line and one month at a time."""
    schedules = [reference_schedule(accrual_line) for accrual_line in lines]
    result = []
    for month in months:
        invoiced = [
            (accrual_line, scheduled)
            for accrual_line, scheduled in zip(lines, schedules, strict=True)
            if accrual_line.invoice_date.replace(day=1) <= month
        ]
        in_month = [a for a, _ in invoiced if a.invoice_date.replace(day=1) == month]
        rows = [(a.invoice_id, a.line_no, a.service_period_id, s[month]) for a, s in invoiced if s.get(month)]
        recognized_to_date = sum(cents for _, s in invoiced for m, cents in s.items() if m <= month)
        result.append(
            (
                month,
                rows,
                sum(a.net_cents for a in in_month),
                sum(a.net_cents for a, _ in invoiced),
                sum(row[3] for row in rows),
                recognized_to_date,
                sum(cents for _, s in invoiced for m, cents in s.items() if m > month),
                sum(a.service_period_id is None for a in in_month),
            )
        )
    return result


@pytest.fixture(scope="module")
def lines() -> list[AccrualLine]:
    return random_lines(seed=20240229)


@pytest.fixture(scope="module")
def all_months(lines: list[AccrualLine]) -> list[date]:
    """From a month before the first month recognized in to two after the last."""
    months = [month for schedule in schedules_by_line(lines) for month in schedule]
    first, last = min(months), max(months)
    return month_range(first - timedelta(days=1), (last.year - first.year) * 12 + last.month - first.month + 4)


def test_each_line_sums_to_its_net_amount_and_nothing_lands_before_its_invoice_month(
    lines: list[AccrualLine],
) -> None:
    for accrual_line, schedule in zip(lines, schedules_by_line(lines), strict=True):
        assert sum(schedule.values()) == accrual_line.net_cents
        assert all(isinstance(cents, int) and cents != 0 for cents in schedule.values())
        assert min(schedule, default=date.max) >= accrual_line.invoice_date.replace(day=1)
        assert list(schedule) == sorted(schedule), "in month order"


def test_schedules_match_the_rules_written_one_month_at_a_time(lines: list[AccrualLine]) -> None:
    assert schedules_by_line(lines) == [reference_schedule(accrual_line) for accrual_line in lines]


def test_months_match_the_rules_written_one_line_at_a_time(lines: list[AccrualLine], all_months: list[date]) -> None:
    assert [plain(month) for month in months_of(lines, all_months)] == reference_months(lines, all_months)


def test_recognized_plus_deferred_is_invoiced_to_date_every_month(
    lines: list[AccrualLine], all_months: list[date]
) -> None:
    months = months_of(lines, all_months)
    for month in months:
        assert month.recognized_to_date_cents + month.deferred_cents == month.invoiced_to_date_cents
        assert sum(row[3] for row in month.rows) == month.recognized_in_month_cents
        assert all(row[3] != 0 for row in month.rows)
    assert sum(month.invoiced_in_month_cents for month in months) == sum(line.net_cents for line in lines)
    assert sum(month.unmatched_lines for month in months) == sum(line.service_period_id is None for line in lines)
    assert months[0].invoiced_to_date_cents == 0 and months[-1].deferred_cents == 0


def test_a_month_does_not_change_when_later_invoices_arrive(lines: list[AccrualLine], all_months: list[date]) -> None:
    backfill = months_of(lines, all_months)  # one schedule, later invoices included
    for month, from_backfill in list(zip(all_months, backfill, strict=True))[::4]:
        after = month_range(month, 2)[1]
        known_then = [accrual_line for accrual_line in lines if accrual_line.invoice_date < after]
        assert month_of(known_then, month) == month_of(lines, month) == plain(from_backfill)


def test_a_backfill_equals_the_months_one_at_a_time(lines: list[AccrualLine], all_months: list[date]) -> None:
    assert accruals_for_months(lines, all_months) == [accruals_for_month(lines, month) for month in all_months]


def test_the_order_of_the_lines_changes_only_the_order_of_the_rows(
    lines: list[AccrualLine], all_months: list[date]
) -> None:
    shuffled = random.Random(5).sample(lines, len(lines))  # noqa: S311 - reproducible test data, not secrets
    for month, other in zip(months_of(lines, all_months), months_of(shuffled, all_months), strict=True):
        assert sorted(month.rows) == sorted(other.rows)
        assert plain(month)[2:] == plain(other)[2:]


@pytest.mark.parametrize("large", [10**9 + 7, 10**15 + 7])
def test_large_nets_long_periods_and_a_wide_calendar_keep_to_the_rules(large: int) -> None:
    """Nets past int32 x 31 days, then past float64's exact integers; periods of 13 and 200 years; lines a century
    apart."""
    lines = [
        AccrualLine("INV-1", 1, date(2024, 3, 10), large, 1, date(2024, 1, 15), date(2024, 7, 3)),
        AccrualLine("INV-1", 2, date(2024, 3, 10), -large + 8, 2, date(2024, 3, 31), date(2025, 2, 1)),
        AccrualLine("INV-2", 1, date(2001, 5, 2), 987_654_321, 3, date(2001, 5, 2), date(2014, 4, 30)),
        AccrualLine("INV-3", 1, date(1950, 6, 1), 5_555_555_555, 4, date(1900, 1, 1), date(2099, 12, 31)),
        AccrualLine("INV-4", 1, date(2024, 8, 20), 1, None, None, None),
    ]
    assert schedules_by_line(lines) == [reference_schedule(accrual_line) for accrual_line in lines]
    months = [date(1950, 5, 1), date(1950, 6, 1), date(2001, 5, 1), date(2013, 1, 1), date(2024, 3, 1)]
    months += [date(2024, 8, 1), date(2030, 1, 1), date(2099, 12, 1), date(2100, 1, 1)]
    assert [plain(month) for month in months_of(lines, months)] == reference_months(lines, months)


def test_a_line_over_decades_among_many_keeps_to_the_rules(lines: list[AccrualLine]) -> None:
    decades = AccrualLine("INV-L", 1, date(2024, 2, 10), 123_456_789, 99, date(2023, 11, 5), date(2061, 2, 28))
    with_decades = lines[:1000] + [decades] + lines[1000:]
    assert schedules_by_line(with_decades) == [reference_schedule(accrual_line) for accrual_line in with_decades]


@pytest.mark.parametrize("months", [1, 12, 13, 257])
def test_lines_months_and_decades_apart_keep_to_the_rules(months: int) -> None:
    first, last = date(2000, 1, 1), month_range(date(2000, 1, 1), months)[-1]
    lines = [
        AccrualLine("INV-1", 1, first, 100_003, 1, date(2000, 1, 20), date(2000, 3, 4)),
        AccrualLine("INV-2", 1, last + timedelta(days=27), 7, 2, last - timedelta(days=40), last + timedelta(days=3)),
        AccrualLine("INV-3", 1, last - timedelta(days=400), -9_999, 3, last - timedelta(days=300), last),
    ]
    every_month = month_range(first, months + 1)
    assert [plain(month) for month in months_of(lines, every_month)] == reference_months(lines, every_month)
