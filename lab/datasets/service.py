"""Datasets: metadata, who may read what, and reading versions.

Who may do what:
- create and edit a dataset, upload a version: city members of the owning authority, or an
  administrator (who names the authority) — `lab.catalog_rules`;
- read metadata, versions and schemas: every signed-in role except citizens, who reach the
  platform through pilots' public summaries and have no use for the data catalog;
- preview rows: of `open` datasets, every reader; of `restricted` ones, administrators and
  city members (any authority: they review the pilots that use them); of `personal` ones,
  administrators and city members of the owning authority only.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, func, select

from lab.audit import service as audit
from lab.auth.models import Role, User
from lab.catalog_rules import owning_authority, require_curator
from lab.common import Page, PageParams, paginate, utcnow
from lab.datasets.models import (
    Dataset,
    DatasetCreate,
    DatasetUpdate,
    DatasetVersion,
    Sensitivity,
    VersionStatus,
)
from lab.directory import service as directory
from lab.exceptions import Conflict, NotFound, PermissionDenied

_FIXED_ONCE_UPLOADED = ("time_column", "zone_column")


def _snapshot(dataset: Dataset) -> dict[str, Any]:
    return {"name": dataset.name, "domain": dataset.domain,
            "sensitivity": str(dataset.sensitivity), "licence": dataset.licence,
            "description": dataset.description, "time_column": dataset.time_column,
            "zone_column": dataset.zone_column, "authority_id": dataset.authority_id}


def require_reader(actor: User) -> None:
    """Refuse citizens: the data catalog is for city, startup, mediator and admin accounts."""
    if actor.role == Role.citizen:
        raise PermissionDenied("The data catalog is not open to citizen accounts.")


def require_row_reader(actor: User, dataset: Dataset) -> None:
    """Refuse unless the actor may see rows of this dataset (see the module docstring)."""
    require_reader(actor)
    if dataset.sensitivity == Sensitivity.open or actor.role == Role.admin:
        return
    if dataset.sensitivity == Sensitivity.restricted and actor.role == Role.city:
        return
    if actor.role == Role.city and actor.authority_id == dataset.authority_id:
        return
    who = ("city members" if dataset.sensitivity == Sensitivity.restricted
           else "city members of the owning authority")
    raise PermissionDenied(f"This dataset is {dataset.sensitivity}: only {who} and "
                           "administrators preview its rows; its schema and metadata stay "
                           "readable.")


def create_dataset(*, session: Session, actor: User, data: DatasetCreate) -> Dataset:
    """Describe a new dataset of the actor's authority (no data until a version is uploaded)."""
    authority_id = owning_authority(actor, data.authority_id)
    directory.get_authority(session=session, authority_id=authority_id)
    dataset = Dataset.model_validate(data, update={"authority_id": authority_id,
                                                   "created_by": actor.id})
    session.add(dataset)
    session.flush()
    audit.record(session=session, actor=actor, action="dataset.create", object_type="dataset",
                 object_id=dataset.id, after=_snapshot(dataset))
    session.commit()
    session.refresh(dataset)
    return dataset


def get_dataset(*, session: Session, dataset_id: uuid.UUID) -> Dataset:
    """One dataset or 404."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        raise NotFound("No such dataset.")
    return dataset


def read_dataset(*, session: Session, actor: User, dataset_id: uuid.UUID) -> Dataset:
    """One dataset the actor may read."""
    require_reader(actor)
    return get_dataset(session=session, dataset_id=dataset_id)


def curated_dataset(*, session: Session, actor: User, dataset_id: uuid.UUID) -> Dataset:
    """One dataset the actor may change (city members of its authority, administrators)."""
    dataset = get_dataset(session=session, dataset_id=dataset_id)
    require_curator(actor, dataset.authority_id)
    return dataset


def update_dataset(*, session: Session, actor: User, dataset_id: uuid.UUID,
                   data: DatasetUpdate) -> Dataset:
    """Edit the metadata; the declared columns only while no version exists."""
    dataset = curated_dataset(session=session, actor=actor, dataset_id=dataset_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    moved = [f for f in _FIXED_ONCE_UPLOADED
             if f in changes and changes[f] != getattr(dataset, f)]
    if moved and _version_count(session, dataset.id):
        raise Conflict(f"{moved[0]} cannot change: versions were uploaded against it; "
                       "create a new dataset instead.", field=moved[0])
    before = _snapshot(dataset)
    for name, value in changes.items():
        setattr(dataset, name, value)
    dataset.updated_at = utcnow()
    session.add(dataset)
    audit.record(session=session, actor=actor, action="dataset.update", object_type="dataset",
                 object_id=dataset.id, before=before, after=_snapshot(dataset))
    session.commit()
    session.refresh(dataset)
    return dataset


def _version_count(session: Session, dataset_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(DatasetVersion).where(
        DatasetVersion.dataset_id == dataset_id)
    return int(session.exec(query).one())


def list_datasets(*, session: Session, actor: User, page: PageParams,
                  authority_id: uuid.UUID | None = None, domain: str | None = None,
                  sensitivity: Sensitivity | None = None) -> Page[Dataset]:
    """Datasets filtered by authority, domain and sensitivity, by name."""
    require_reader(actor)
    query = select(Dataset)
    if authority_id is not None:
        query = query.where(Dataset.authority_id == authority_id)
    if domain is not None:
        query = query.where(Dataset.domain == domain)
    if sensitivity is not None:
        query = query.where(Dataset.sensitivity == sensitivity)
    return paginate(session, query, page, col(Dataset.name), col(Dataset.id))


def list_versions(*, session: Session, actor: User, dataset_id: uuid.UUID,
                  page: PageParams) -> Page[DatasetVersion]:
    """A dataset's versions, newest first."""
    read_dataset(session=session, actor=actor, dataset_id=dataset_id)
    query = select(DatasetVersion).where(DatasetVersion.dataset_id == dataset_id)
    return paginate(session, query, page, col(DatasetVersion.number).desc())


def get_version(*, session: Session, dataset_id: uuid.UUID,
                version_id: uuid.UUID) -> DatasetVersion:
    """One version of this dataset or 404."""
    version = session.get(DatasetVersion, version_id)
    if version is None or version.dataset_id != dataset_id:
        raise NotFound("No such version of this dataset.")
    return version


def read_version(*, session: Session, actor: User, dataset_id: uuid.UUID,
                 version_id: uuid.UUID) -> DatasetVersion:
    """One version the actor may read (metadata and schema)."""
    read_dataset(session=session, actor=actor, dataset_id=dataset_id)
    return get_version(session=session, dataset_id=dataset_id, version_id=version_id)


def latest_ready_version(*, session: Session, dataset_id: uuid.UUID) -> DatasetVersion | None:
    """The highest-numbered ready version, or None."""
    return session.exec(
        select(DatasetVersion)
        .where(DatasetVersion.dataset_id == dataset_id,
               DatasetVersion.status == VersionStatus.ready)
        .order_by(col(DatasetVersion.number).desc())
    ).first()


def column_names(version: DatasetVersion) -> set[str]:
    """The columns of a version's stored Parquet."""
    return {c["name"] for c in version.columns or []}


def numeric_columns(version: DatasetVersion) -> set[str]:
    """The columns a KPI may aggregate."""
    return {c["name"] for c in version.columns or [] if c.get("numeric")}


__all__ = ["column_names", "create_dataset", "curated_dataset", "get_dataset", "get_version",
           "latest_ready_version", "list_datasets", "list_versions", "numeric_columns",
           "read_dataset", "read_version", "require_reader", "require_row_reader",
           "update_dataset"]
