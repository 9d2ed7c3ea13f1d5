"""One way to page through any query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from catalogue.extensions import db


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def paginate(query: sa.Select, page: int, per_page: int, scalars: bool = True) -> Page:
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
    items = list(rows.scalars() if scalars else rows)
    return Page(items=items, total=total, page=page, per_page=per_page)
