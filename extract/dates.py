"""Japanese date recognition and normalization (skeleton; being filled in)."""

from __future__ import annotations

from dataclasses import dataclass

from .facts import DateValue

__all__ = ["DateMention", "find_dates", "parse_date", "era_to_year"]


@dataclass(frozen=True)
class DateMention:
    """A date, or a date range, found in a text."""

    start: int
    end: int
    text: str
    value: DateValue
    end_value: DateValue | None = None
    relative: bool = False


def era_to_year(era: str, year: int) -> int:
    """Convert a Japanese era year (元年 = 1) to a Western year."""
    raise NotImplementedError


def find_dates(text: str, anchor: DateValue | None = None) -> list[DateMention]:
    """Every date and date range in ``text``, in order."""
    return []


def parse_date(text: str, anchor: DateValue | None = None) -> DateValue | None:
    """The first date in ``text``, or None."""
    found = find_dates(text, anchor)
    return found[0].value if found else None
