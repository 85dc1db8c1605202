"""Small shared pieces: UTC time, pagination, PATCH bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic import Field as PydanticField
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Session, SQLModel, func, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)

MAX_PAGE_SIZE = 200
# The largest offset a database takes (a signed 64-bit integer); past it, a 422, not a 500.
MAX_OFFSET = 2**63 - 1


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

    limit: int = PydanticField(default=50, ge=1, le=MAX_PAGE_SIZE,
                               description="Maximum number of items per page")
    offset: int = PydanticField(default=0, ge=0, le=MAX_OFFSET,
                                description="Number of items skipped before this page")


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")] = 0,
) -> PageParams:
    """Read `limit` and `offset` from the query string."""
    return PageParams(limit=limit, offset=offset)


class Page(BaseModel, Generic[T]):
    """A page of results with the total count."""

    items: list[T] = PydanticField(description="The items of this page, in a stable order")
    total: int = PydanticField(description="Number of items matching the query, over all pages")
    limit: int = PydanticField(description="Maximum number of items per page, as requested")
    offset: int = PydanticField(description="Number of items skipped before this page")


class PatchModel(SQLModel):
    """A PATCH body: an omitted field keeps its value, and `null` is refused (422) except for
    the fields named in `nullable`, which `null` clears.

    Update models declare their fields `X | None = None` so that omitting one is possible;
    without this rule an explicit `null` would reach a non-nullable column. The OpenAPI
    schema says the same: `null` is offered only for the `nullable` fields.
    """

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("may not be null; omit the field to keep the current value")
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        for name, prop in (target.get("properties") or {}).items():
            if name not in cls.nullable:
                _drop_null(prop)
        return schema


def _drop_null(prop: dict[str, Any]) -> None:
    if prop.get("default", ...) is None:
        del prop["default"]
    options = prop.get("anyOf")
    if not isinstance(options, list):
        return
    rest = [o for o in options if o != {"type": "null"}]
    if len(rest) == 1:
        del prop["anyOf"]
        prop.update(rest[0])
    else:
        prop["anyOf"] = rest


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


__all__ = ["MAX_OFFSET", "MAX_PAGE_SIZE", "Page", "PageParams", "PatchModel", "UtcDateTime",
           "as_utc", "get_or_create", "page_params", "paginate", "timestamp_field", "utcnow"]
