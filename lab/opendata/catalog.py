"""A DCAT-AP-style JSON-LD catalog of the datasets marked `open` (and only those).

Each dataset is listed once it has a ready version: its current (highest-numbered ready)
version is what the distributions serve. Restricted and personal datasets never appear.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, exists, func, select

from lab.common import PageParams
from lab.datasets import service as datasets
from lab.datasets.models import Dataset, DatasetVersion, Sensitivity, VersionStatus
from lab.directory.models import Authority
from lab.exceptions import NotFound
from lab.zones import service as zones

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "locn": "http://www.w3.org/ns/locn#",
    "gsp": "http://www.opengis.net/ont/geosparql#",
    "spdx": "http://spdx.org/rdf/terms#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
}
LICENCES = {
    "licence ouverte 2.0": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "etalab-2.0": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "odbl": "https://opendatacommons.org/licenses/odbl/1-0/",
    "cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "cc0": "https://creativecommons.org/publicdomain/zero/1.0/",
}
PARQUET, CSV = "application/vnd.apache.parquet", "text/csv"


def _open_query() -> Any:
    ready = exists().where(col(DatasetVersion.dataset_id) == col(Dataset.id),
                           col(DatasetVersion.status) == VersionStatus.ready)
    return select(Dataset).where(Dataset.sensitivity == Sensitivity.open, ready)


def open_version(*, session: Session, dataset_id: uuid.UUID) -> tuple[Dataset, DatasetVersion]:
    """An open dataset and its current version, or 404 (whatever else the dataset is)."""
    dataset = session.get(Dataset, dataset_id)
    version = (datasets.latest_ready_version(session=session, dataset_id=dataset_id)
               if dataset is not None and dataset.sensitivity == Sensitivity.open else None)
    if dataset is None or version is None or version.object_key is None:
        raise NotFound("No such open dataset.")
    return dataset, version


def _licence(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = {"@type": "dct:LicenseDocument", "rdfs:label": name}
    if uri := LICENCES.get(name.strip().lower()):
        doc["@id"] = uri
    return doc


def _coordinates(geometry: Any) -> Iterable[tuple[float, float]]:
    if isinstance(geometry, list) and len(geometry) >= 2 and all(
            isinstance(v, int | float) for v in geometry[:2]):
        yield float(geometry[0]), float(geometry[1])
    elif isinstance(geometry, list):
        for item in geometry:
            yield from _coordinates(item)


def _spatial(session: Session, codes: list[str]) -> dict[str, Any] | None:
    found = zones.zones_by_code(session=session, codes=codes)
    points = [p for z in found.values() for p in _coordinates(z.geometry.get("coordinates"))]
    if not points:
        return None
    (w, e), (s, n) = ((min(x), max(x)) for x in zip(*points, strict=True))
    wkt = f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))"
    return {"@type": "dct:Location", "dcat:bbox": {"@value": wkt, "@type": "gsp:wktLiteral"},
            "rdfs:label": ", ".join(sorted(found))}


def _dataset(session: Session, base: str, dataset: Dataset) -> dict[str, Any]:
    version = datasets.latest_ready_version(session=session, dataset_id=dataset.id)
    assert version is not None  # the query keeps datasets with a ready version only
    authority = session.get(Authority, dataset.authority_id)
    url = f"{base}/public/datasets/{dataset.id}"
    doc: dict[str, Any] = {
        "@id": url, "@type": "dcat:Dataset", "dct:identifier": str(dataset.id),
        "dct:title": dataset.name, "dct:description": dataset.description or dataset.name,
        "dct:license": _licence(dataset.licence), "dcat:keyword": [dataset.domain],
        "dct:publisher": {"@type": "foaf:Organization",
                          "foaf:name": authority.name if authority else "",
                          "dct:identifier": authority.code if authority else ""},
        "dct:modified": {"@value": version.created_at.isoformat(), "@type": "xsd:dateTime"},
        "dcat:version": str(version.number),
    }
    if version.time_min is not None and version.time_max is not None:
        doc["dct:temporal"] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@value": version.time_min.isoformat(), "@type": "xsd:dateTime"},
            "dcat:endDate": {"@value": version.time_max.isoformat(), "@type": "xsd:dateTime"}}
    if spatial := _spatial(session, list(version.zones or [])):
        doc["dct:spatial"] = spatial
    doc["dcat:distribution"] = [
        {"@id": f"{url}/data.parquet", "@type": "dcat:Distribution",
         "dct:title": f"{dataset.name} (Parquet)", "dcat:mediaType": PARQUET,
         "dct:format": "Parquet", "dcat:downloadURL": {"@id": f"{url}/data.parquet"},
         "dcat:accessURL": {"@id": f"{url}/data.parquet"},
         "dct:license": _licence(dataset.licence),
         "dcat:byteSize": {"@value": version.size_bytes, "@type": "xsd:nonNegativeInteger"},
         "spdx:checksum": {"@type": "spdx:Checksum",
                           "spdx:algorithm": "spdx:checksumAlgorithm_sha256",
                           "spdx:checksumValue": version.sha256}},
        {"@id": f"{url}/data.csv", "@type": "dcat:Distribution",
         "dct:title": f"{dataset.name} (CSV)", "dcat:mediaType": CSV, "dct:format": "CSV",
         "dcat:downloadURL": {"@id": f"{url}/data.csv"},
         "dcat:accessURL": {"@id": f"{url}/data.csv"},
         "dct:license": _licence(dataset.licence)},
    ]
    return doc


def catalog(*, session: Session, base: str, page: PageParams) -> dict[str, Any]:
    """One page of the catalog as a JSON-LD document (`base` is the API's absolute root)."""
    query = _open_query()
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Dataset.name), col(Dataset.id))
                        .offset(page.offset).limit(page.limit)).all()
    return {
        "@context": CONTEXT, "@id": f"{base}/public/catalog", "@type": "dcat:Catalog",
        "dct:title": "Terrain — données ouvertes / open data",
        "dct:description": "Open datasets of the authorities taking part in the living lab; "
                           "each current version downloadable as Parquet or CSV.",
        "dcat:dataset": [_dataset(session, base, d) for d in rows],
        "hydra:totalItems": total,
        "hydra:view": {"@id": f"{base}/public/catalog?limit={page.limit}&offset={page.offset}",
                       "@type": "hydra:PartialCollectionView"},
    }


__all__ = ["CSV", "PARQUET", "catalog", "open_version"]
