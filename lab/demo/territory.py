"""The demo territory's geography: about forty districts of a commune, and the assets in them.

Polygons come from a jittered grid whose vertices and edge midpoints are shared between
neighbours, so the districts tile the commune without gaps or overlaps and look drawn by
hand rather than ruled. Everything is derived from fixed seeds: two seeds give the same map.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

COLUMNS, ROWS = 8, 5
WEST, SOUTH = 4.855, 45.752  # south-west corner of the commune (Villeurbanne)
STEP_LON, STEP_LAT = 0.0085, 0.0065

NAMES = [
    "Gratte-Ciel", "Charpennes", "Tonkin", "Cusset", "Croix-Luizet", "Les Buers",
    "Saint-Jean", "Grandclément", "Maisons-Neuves", "Perralière", "Bel-Air", "Ferrandière",
    "Château-Gaillard", "Cyprian", "Les Brosses", "La Doua", "Flachet", "Bonneterre",
    "Jules-Ferry", "République", "Totem", "Les Poulettes", "Baraban", "Dedieu",
    "Lafayette", "Émile-Zola", "Cité-Jardin", "Les Iris", "Sainte-Hélène", "Pressensé",
    "Anatole-France", "Condorcet", "Léon-Blum", "Jean-Jaurès", "Les Maisons-Blanches",
    "Le Mas du Taureau", "La Soie", "Carré de Soie", "Les Gratte-Ciel Nord", "Le Totem Est",
]


def code(i: int) -> str:
    """The code of the i-th district (1-based): VLB-01 … VLB-40."""
    return f"VLB-{i:02d}"


CODES = [code(i) for i in range(1, COLUMNS * ROWS + 1)]


def _jitter(key: tuple[Any, ...], amount: float) -> tuple[float, float]:
    rng = random.Random(repr(key))  # a str seed is hashed with SHA-512: stable across runs
    return rng.uniform(-amount, amount), rng.uniform(-amount, amount)


def _vertex(c: int, r: int) -> tuple[float, float]:
    dx, dy = (0.0, 0.0) if c in (0, COLUMNS) or r in (0, ROWS) else _jitter(("v", c, r), 0.3)
    return WEST + (c + dx) * STEP_LON, SOUTH + (r + dy) * STEP_LAT


def _midpoint(a: tuple[int, int], b: tuple[int, int]) -> tuple[float, float]:
    (ax, ay), (bx, by) = _vertex(*a), _vertex(*b)
    border = (a[0] == b[0] and a[0] in (0, COLUMNS)) or (a[1] == b[1] and a[1] in (0, ROWS))
    dx, dy = (0.0, 0.0) if border else _jitter(("m", *sorted([a, b])), 0.18)
    return (ax + bx) / 2 + dx * STEP_LON, (ay + by) / 2 + dy * STEP_LAT


def polygon(index: int) -> dict[str, Any]:
    """The GeoJSON polygon of the district with 0-based index."""
    c, r = index % COLUMNS, index // COLUMNS
    corners = [(c, r), (c + 1, r), (c + 1, r + 1), (c, r + 1)]
    ring: list[list[float]] = []
    for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
        ring.append([round(v, 6) for v in _vertex(*a)])
        ring.append([round(v, 6) for v in _midpoint(a, b)])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def centre(index: int) -> tuple[float, float]:
    """A point well inside the district with 0-based index."""
    c, r = index % COLUMNS, index // COLUMNS
    return WEST + (c + 0.5) * STEP_LON, SOUTH + (r + 0.5) * STEP_LAT


def point_near(index: int, k: int) -> dict[str, Any]:
    """The k-th asset location inside a district (deterministic)."""
    lon, lat = centre(index)
    dx, dy = _jitter(("a", index, k), 0.3)
    return {"type": "Point", "coordinates": [round(lon + dx * STEP_LON, 6),
                                             round(lat + dy * STEP_LAT, 6)]}


@dataclass(frozen=True)
class AssetPlan:
    """One asset of the demo: its owner (by key), kind, name, district and attributes."""

    owner: str  # "commune", "epci" or "region"
    kind: str
    name: str
    zone_index: int
    attributes: dict[str, Any]
    k: int = 0


def asset_plan() -> list[AssetPlan]:
    """Every asset of the demo, with competences split as in life."""
    plan: list[AssetPlan] = []
    for i in range(12):  # the commune's streetlights, two per district of the lighting pilot
        for k in range(2):
            plan.append(AssetPlan("commune", "streetlight", f"Lampadaire {CODES[i]}-{k + 1}", i,
                                  {"power_w": 70, "led": True}, k))
    for i in range(12, 24):  # the commune's parking zones
        plan.append(AssetPlan("commune", "parking_zone", f"Parking {NAMES[i]}", i,
                              {"spaces": 40 + 5 * (i % 7), "paid": i % 2 == 0}))
    for i in range(24, 40, 2):  # the EPCI's bus stops (urban transport is the EPCI's)
        plan.append(AssetPlan("epci", "bus_stop", f"Arrêt {NAMES[i]}", i,
                              {"lines": ["C3", "C26"] if i < 32 else ["C11"]}))
    for i in (13, 21, 29, 37):  # the EPCI's bike lanes
        plan.append(AssetPlan("epci", "bike_lane", f"Piste cyclable {NAMES[i]}", i,
                              {"length_m": 800 + 100 * (i % 5)}))
    for i in range(28, 40):  # the EPCI's air-quality sensors
        plan.append(AssetPlan("epci", "sensor", f"Capteur air {CODES[i]}", i,
                              {"measures": ["no2", "pm25"]}, 1))
    for i in (30, 38):  # the région's intercity coach stops
        plan.append(AssetPlan("region", "bus_stop", f"Car régional — {NAMES[i]}", i,
                              {"network": "cars régionaux", "lines": ["X15"]}, 2))
    return plan


__all__ = ["CODES", "NAMES", "AssetPlan", "asset_plan", "centre", "code", "point_near",
           "polygon"]
