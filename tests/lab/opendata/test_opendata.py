"""Open data: the DCAT catalog lists open datasets only, and their current versions download
without an account, as stored (Parquet) or converted while streaming (CSV)."""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from polars.testing import assert_frame_equal
from sqlmodel import Session

from lab.datasets import objects
from lab.datasets.models import Dataset, DatasetVersion, VersionStatus
from lab.opendata import stream
from storage import put_bytes
from tests.factories import make_authority, make_dataset, make_zone
from tests.lab.datasets.data import START, parquet_bytes

pytestmark = pytest.mark.s3

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"


def _frame(rows: int = 1000) -> pl.DataFrame:
    return pl.DataFrame({"i": range(rows)}).select(
        time=pl.lit(START) + pl.duration(hours=pl.col("i")),
        zone=pl.format("Z-O{}", pl.col("i") % 2).cast(pl.Categorical),
        value=pl.col("i").cast(pl.Float64) / 4)


def _with_version(session: Session, s3: Any, dataset: Dataset, frame: pl.DataFrame,
                  number: int = 1) -> DatasetVersion:
    """A ready version whose Parquet is in the datasets bucket, as the conversion leaves it."""
    data = parquet_bytes(frame)
    version = DatasetVersion(dataset_id=dataset.id, number=number, status=VersionStatus.ready,
                             row_count=frame.height, size_bytes=len(data),
                             sha256=hashlib.sha256(data).hexdigest(),
                             time_min=frame["time"].min(), time_max=frame["time"].max(),
                             zones=["Z-O0", "Z-O1"])
    session.add(version)
    session.flush()
    version.object_key = objects.data_key(dataset.id, version.id)
    put_bytes(s3, objects.bucket(), version.object_key, data,
              content_type="application/vnd.apache.parquet")
    session.add(version)
    session.commit()
    return version


def _expand(doc: Any, context: dict[str, str]) -> Any:
    """Compact IRIs ("dcat:Dataset") expanded with the document's own @context."""
    def iri(term: str) -> str:
        prefix, _, local = term.partition(":")
        return context[prefix] + local if prefix in context and local else term
    if isinstance(doc, dict):
        return {iri(k): (iri(v) if k == "@type" and isinstance(v, str) else _expand(v, context))
                for k, v in doc.items() if k != "@context"}
    if isinstance(doc, list):
        return [_expand(v, context) for v in doc]
    return doc


@pytest.fixture
def opendata(session: Session, s3_app: dict[str, str], app: Any) -> dict[str, Any]:
    authority = make_authority(session, name="Métropole de Lyon")
    make_zone(session, authority, code="Z-O0", lon=4.80)
    make_zone(session, authority, code="Z-O1", lon=4.90)
    s3 = app.state.storage
    out: dict[str, Any] = {"frame": _frame()}
    for sensitivity in ("open", "restricted", "personal"):
        dataset = make_dataset(session, authority, sensitivity=sensitivity,
                               name=f"Comptages {sensitivity}")
        _with_version(session, s3, dataset, out["frame"])
        out[sensitivity] = dataset
    out["empty"] = make_dataset(session, authority, sensitivity="open", name="Sans version")
    # A newer version of the open dataset: it is the one served.
    out["current"] = _with_version(session, s3, out["open"], out["frame"].head(600), number=2)
    return out


def test_the_catalog_lists_open_datasets_only_with_the_dcat_properties(
        client: TestClient, opendata: dict[str, Any]) -> None:
    response = client.get("/api/v1/public/catalog")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    doc = response.json()
    expanded = _expand(doc, doc["@context"])
    assert expanded["@type"] == f"{DCAT}Catalog"
    (dataset,) = expanded[f"{DCAT}dataset"]
    assert dataset["@type"] == f"{DCAT}Dataset"
    assert dataset[f"{DCT}identifier"] == str(opendata["open"].id)
    for prop in ("title", "description", "license", "publisher", "temporal", "spatial"):
        assert dataset.get(f"{DCT}{prop}"), prop
    assert dataset[f"{DCT}publisher"][f"{FOAF}name"] == "Métropole de Lyon"
    assert dataset[f"{DCT}license"]["@id"].startswith("https://www.etalab.gouv.fr/")
    assert dataset[f"{DCT}temporal"][f"{DCAT}startDate"]["@value"].startswith("2024-03-01")
    assert "POLYGON((4.8 " in dataset[f"{DCT}spatial"][f"{DCAT}bbox"]["@value"]
    distributions = dataset[f"{DCAT}distribution"]
    assert {d[f"{DCAT}mediaType"] for d in distributions} == {
        "application/vnd.apache.parquet", "text/csv"}
    for d in distributions:
        assert d["@type"] == f"{DCAT}Distribution"
        url = d[f"{DCAT}downloadURL"]["@id"]
        assert url.startswith("http") and d[f"{DCAT}accessURL"]["@id"] == url
        # The advertised URL works, without an account.
        assert client.get(url.removeprefix("http://testserver")).status_code == 200
    text = response.text
    for hidden in ("restricted", "personal", "empty"):
        assert str(opendata[hidden].id) not in text


def test_open_data_downloads_stream_the_current_version(
        client: TestClient, opendata: dict[str, Any]) -> None:
    base = f"/api/v1/public/datasets/{opendata['open'].id}"
    parquet = client.get(f"{base}/data.parquet")
    assert parquet.status_code == 200
    assert hashlib.sha256(parquet.content).hexdigest() == opendata["current"].sha256
    assert parquet.headers["x-dataset-version"] == "2"
    as_csv = client.get(f"{base}/data.csv")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    got = pl.read_csv(io.BytesIO(as_csv.content), try_parse_dates=True)
    expected = opendata["frame"].head(600)
    assert got.columns == ["time", "zone", "value"] and got.height == 600
    assert got["zone"].to_list() == expected["zone"].cast(pl.String).to_list()
    assert_frame_equal(got.select("value"), expected.select("value"))


def test_restricted_personal_and_unknown_datasets_are_404(
        client: TestClient, opendata: dict[str, Any]) -> None:
    for key in ("restricted", "personal", "empty"):
        for fmt in ("parquet", "csv"):
            url = f"/api/v1/public/datasets/{opendata[key].id}/data.{fmt}"
            assert client.get(url).status_code == 404, (key, fmt)
    assert client.get(f"/api/v1/public/datasets/{uuid.uuid4()}/data.csv").status_code == 404


def test_csv_is_converted_batch_by_batch(opendata: dict[str, Any], app: Any) -> None:
    key = opendata["current"].object_key
    chunks = list(stream.csv_chunks(app.state.storage, key, batch_rows=100))
    assert len(chunks) == 6  # 600 rows, 100 per batch: never the whole table at once
    assert chunks[0].startswith(b'"time","zone","value"\n')
    assert all(b'"time"' not in c for c in chunks[1:])
    assert sum(c.count(b"\n") for c in chunks) == 601
