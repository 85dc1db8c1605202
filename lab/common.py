"""Small shared pieces: UTC time, pagination."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Session, SQLModel, func, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)

MAX_PAGE_SIZE = 200


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Attach UTC to a naive datetime read back from SQLite."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` that stores UTC and reads back aware UTC datetimes.

    SQLite keeps no offset: it would store a +02:00 value's wall-clock time as is, and hand
    back naive datetimes that the API would serialize without one. Values are converted to
    UTC on the way in and marked UTC on the way out, on every database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)  # naive values are taken as UTC

    def process_result_value(self, value: datetime | None,
                             dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def timestamp_field(*, nullable: bool = False, index: bool = False) -> datetime:
    """A timezone-aware timestamp column that defaults to now (when not nullable)."""
    if nullable:
        return Field(  # type: ignore[no-any-return]
            default=None, sa_type=UtcDateTime, nullable=True, index=index
        )
    return Field(  # type: ignore[no-any-return]
        default_factory=utcnow, sa_type=UtcDateTime, nullable=False, index=index
    )


class PageParams(BaseModel):
    """Offset pagination, bounded."""

    limit: int = PydanticField(default=50, description="Maximum number of items per page")
    offset: int = PydanticField(default=0, description="Number of items skipped before this page")


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size")] = 50,
    offset: Annotated[int, Query(ge=0, description="Rows to skip")] = 0,
) -> PageParams:
    """Read `limit` and `offset` from the query string."""
    return PageParams(limit=limit, offset=offset)


class Page(BaseModel, Generic[T]):
    """A page of results with the total count."""

    items: list[T] = PydanticField(description="The items of this page, in a stable order")
    total: int = PydanticField(description="Number of items matching the query, over all pages")
    limit: int = PydanticField(description="Maximum number of items per page, as requested")
    offset: int = PydanticField(description="Number of items skipped before this page")


def get_or_create(session: Session, model: type[M], primary_key: Any, **defaults: Any) -> M:
    """The row with this primary key, inserted with `defaults` if missing (safe under races:
    the loser of a concurrent insert reads the winner's row)."""
    row = session.get(model, primary_key)
    if row is not None:
        return row
    row = model(**defaults)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = session.get(model, primary_key)
        assert found is not None
        return found
    return row


def paginate(session: Session, query: SelectOfScalar[T], page: PageParams,
             *order_by: Any) -> Page[T]:
    """One page of a query, in a stable order, with the total count."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(*order_by).offset(page.offset).limit(page.limit))
    return Page(items=list(rows), total=total, limit=page.limit, offset=page.offset)


__all__ = ["MAX_PAGE_SIZE", "Page", "PageParams", "UtcDateTime", "as_utc", "get_or_create",
           "page_params", "paginate", "timestamp_field", "utcnow"]
