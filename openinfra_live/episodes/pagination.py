"""Pages of a listing: a count (up to a cap, for searches) and one page of rows."""

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from openinfra_live.extensions import db


class NoSuchPage(LookupError):
    """A page number past the last page of a listing."""


@dataclass(frozen=True)
class Page:
    """One page of a listing.

    ``exact`` is False when counting stopped at a cap: more than ``total`` items match, the
    number of pages is unknown, and ``more_after`` says whether a page follows this one.
    """

    items: list[Any]
    number: int
    per_page: int
    total: int
    exact: bool = True
    more_after: bool = False

    @property
    def pages(self) -> int:
        """The number of pages; when counting stopped, the pages known so far."""
        if not self.exact:
            return self.number + (1 if self.more_after else 0)
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.more_after if not self.exact else self.number < self.pages


def paginate(query: Select, number: int, per_page: int, count_cap: int | None = None) -> Page:
    """Page ``number`` of ``query`` (ordered), in two statements: the count, then the page's
    rows (one more than the page, to tell whether another follows). With ``count_cap``,
    counting stops past that many rows (a search of a common word need not read the whole
    archive to count). Page 1 of an empty listing exists; any other page past the end, or page
    0, raises :class:`NoSuchPage`."""
    if number < 1:
        raise NoSuchPage(number)
    counted = query.order_by(None)
    if count_cap is not None:
        counted = counted.limit(count_cap + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    exact = count_cap is None or total <= count_cap
    offset = (number - 1) * per_page
    if number > 1 and exact and offset >= total:
        raise NoSuchPage(number)
    items = list(db.session.scalars(query.limit(per_page + 1).offset(offset))) if total else []
    if number > 1 and not items:
        raise NoSuchPage(number)
    more_after = len(items) > per_page
    if exact:
        return Page(items[:per_page], number, per_page, total)
    return Page(items[:per_page], number, per_page, count_cap or 0, False, more_after)
