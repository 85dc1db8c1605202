"""A pilot under way today, with two datasets stored for real in S3 in the catalog's layout.

The territory is the pilots' scenario (a commune, an EPCI, a startup); its dates are moved
around today so grants are live, and each dataset gets a real Parquet version: hourly
readings of three sensors in the pilot's four zones and in one zone outside it, with a
column nobody requested, sorted by zone then time in small row groups.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from fastapi.testclient import TestClient
from minio import Minio
from sqlmodel import Session, select

from lab.auth.models import User
from lab.datasets.models import Dataset, DatasetVersion
from lab.objectstore import bucket_prefix
from storage import bucket_name, write_parquet
from tests.factories import login
from tests.lab.pilots.scenario import Territory, make_ready_dataset, make_territory, protocol

TODAY = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
ZONES = ("Z-C1", "Z-C2", "Z-T1", "Z-T2", "Z-X9")  # Z-X9 is no zone of the pilot
BASELINE = (TODAY - timedelta(days=60), TODAY - timedelta(days=10))
PILOT = (TODAY - timedelta(days=10), TODAY + timedelta(days=50))
WINDOW = (TODAY - timedelta(days=40) + timedelta(minutes=30), TODAY - timedelta(days=5))


def readings(seed: int) -> pl.DataFrame:
    """Hourly readings over 70 days up to today, sorted by zone then time."""
    hours = 70 * 24
    start = TODAY - timedelta(hours=hours)
    frame = pl.DataFrame({"zone": list(ZONES)}).join(
        pl.DataFrame({"sensor_id": ["S1", "S2", "S3"]}), how="cross").join(
        pl.DataFrame({"h": range(hours)}), how="cross")
    return frame.with_columns(
        time=pl.lit(start) + pl.duration(hours=pl.col("h")),
        energy_kwh=((pl.col("h") * 31 + seed) % 97).cast(pl.Float64) / 8,
        meter_serial=pl.format("M-{}-{}", pl.col("zone"), pl.col("sensor_id")),
    ).select("time", "zone", "sensor_id", "energy_kwh", "meter_serial").sort(
        ["zone", "time"], maintain_order=True)


def store_version(session: Session, client: Minio, dataset: Dataset, frame: pl.DataFrame,
                  ) -> DatasetVersion:
    """Write the frame as the dataset's ready version, as the upload path stores it."""
    row = session.exec(select(DatasetVersion).where(
        DatasetVersion.dataset_id == dataset.id)).one()
    key = f"{dataset.id}/{row.id}/data.parquet"
    stored = write_parquet(client, bucket_name("datasets", bucket_prefix()), key, frame,
                           compression="zstd", statistics=True, row_group_size=2000)
    row.object_key, row.sha256, row.size_bytes = key, stored.sha256, stored.size
    row.row_count = frame.height
    row.columns = [{"name": n, "dtype": str(t), "numeric": t.is_numeric()}
                   for n, t in frame.schema.items()]
    row.zones = sorted(ZONES)
    session.add(row)
    session.commit()
    return row


def iso(moment: datetime) -> str:
    return moment.isoformat()


def request(dataset_id: uuid.UUID, columns: list[str], zones: list[str]) -> dict[str, Any]:
    return {"dataset_id": str(dataset_id), "columns": columns, "zones": zones,
            "window": {"start": iso(WINDOW[0]), "end": iso(WINDOW[1])}}


@dataclass
class World:
    client: TestClient
    session: Session
    storage: Minio
    territory: Territory
    second_dataset: uuid.UUID
    sources: dict[uuid.UUID, pl.DataFrame]
    headers: dict[uuid.UUID, dict[str, str]] = field(default_factory=dict)

    def fresh(self) -> Session:
        """The test's session, past what requests committed (a read open from before a
        request would not see its writes, and cached rows would hide them)."""
        self.session.commit()
        self.session.expire_all()
        return self.session

    def auth(self, user: User) -> dict[str, str]:
        if user.id not in self.headers:
            self.headers[user.id] = login(self.client, user)
        return self.headers[user.id]

    @property
    def startup(self) -> dict[str, str]:
        return self.auth(self.territory.startup)

    def body(self, **changes: Any) -> dict[str, Any]:
        t = self.territory
        values: dict[str, Any] = {
            "baseline": {"start": iso(BASELINE[0]), "end": iso(BASELINE[1])},
            "pilot": {"start": iso(PILOT[0]), "end": iso(PILOT[1])},
            "datasets": [request(t.dataset_id, ["energy_kwh"], ["Z-T1", "Z-C1"]),
                         request(self.second_dataset, ["sensor_id"], ["Z-T2"])],
        }
        values.update(changes)
        return {"prototype_id": str(t.prototype_id), "title": "Éclairage adaptatif",
                "public_summary": "Les lampadaires baissent quand la rue est vide.",
                "protocol": protocol(t, **values)}

    def approved_pilot(self, owner: User | None = None, prototype_id: uuid.UUID | None = None,
                       **changes: Any) -> str:
        """A pilot created, submitted and approved through the API; its extracts built."""
        headers = self.auth(owner or self.territory.startup)
        body = self.body(**changes)
        if prototype_id is not None:
            body["prototype_id"] = str(prototype_id)
        created = self.client.post("/api/v1/pilots", headers=headers, json=body)
        assert created.status_code == 201, created.text
        pid = str(created.json()["id"])
        assert self.client.post(f"/api/v1/pilots/{pid}/submit",
                                headers=headers).status_code == 200
        for city in (self.territory.commune_city, self.territory.epci_city):
            decided = self.client.post(f"/api/v1/pilots/{pid}/decisions",
                                       headers=self.auth(city), json={"decision": "approved"})
            assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "approved"
        return pid

    def grants(self, pid: str, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
        listed = self.client.get("/api/v1/grants", params={"pilot_id": pid},
                                 headers=headers or self.startup)
        assert listed.status_code == 200, listed.text
        return list(listed.json()["items"])

    def grant_for(self, pid: str, dataset_id: uuid.UUID) -> dict[str, Any]:
        return next(g for g in self.grants(pid) if g["dataset_id"] == str(dataset_id))


def make_world(client: TestClient, session: Session, storage: Minio) -> World:
    t = make_territory(session)
    second = make_ready_dataset(session, t.commune)
    sources = {}
    for seed, dataset_id in enumerate((t.dataset_id, second.id)):
        dataset = session.get(Dataset, dataset_id)
        assert dataset is not None
        frame = readings(seed)
        store_version(session, storage, dataset, frame)
        sources[dataset_id] = frame
    return World(client=client, session=session, storage=storage, territory=t,
                 second_dataset=second.id, sources=sources)


__all__ = ["BASELINE", "PILOT", "TODAY", "WINDOW", "World", "make_world", "readings",
           "store_version"]
