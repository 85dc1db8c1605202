"""GeoJSON geometry validation (RFC 7946): types, WGS84 ranges, closed rings, simple
polygons (no self-crossing, per OGC simple features, checked by GEOS) and a bounded size."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import shapely
from pydantic import ValidationError
from shapely.geometry import shape

from lab.exceptions import InvalidInput

GEOMETRY_TYPES = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
)
AREA_TYPES = frozenset({"Polygon", "MultiPolygon"})
# A detailed commune boundary has a few thousand positions; 20,000 leave room and keep a
# geometry under a megabyte of JSON (the request body limits are in lab/limits.py).
MAX_POSITIONS = 20_000


class GeometryError(ValueError):
    """A geometry that is not valid GeoJSON in WGS84."""


class _Budget:
    """Counts positions as they are read, to stop at the limit rather than after."""

    def __init__(self) -> None:
        self.used = 0

    def take(self, count: int) -> None:
        self.used += count
        if self.used > MAX_POSITIONS:
            raise GeometryError(f"the geometry has more than {MAX_POSITIONS:,} positions, the "
                                "limit; simplify it (e.g. to a few metres' tolerance)")


def _position(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) not in (2, 3):
        raise GeometryError(f"{where}: a position is [longitude, latitude]")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        raise GeometryError(f"{where}: coordinates must be numbers")
    lon, lat = float(value[0]), float(value[1])
    if not -180.0 <= lon <= 180.0:
        raise GeometryError(f"{where}: longitude {lon} is outside [-180, 180] (WGS84)")
    if not -90.0 <= lat <= 90.0:
        raise GeometryError(f"{where}: latitude {lat} is outside [-90, 90] (WGS84)")
    return lon, lat


def _line(value: Any, where: str, budget: _Budget, *,
          minimum: int) -> list[tuple[float, float]]:
    if not isinstance(value, list) or len(value) < minimum:
        raise GeometryError(f"{where}: needs at least {minimum} positions")
    budget.take(len(value))
    return [_position(p, f"{where}[{i}]") for i, p in enumerate(value)]


def _polygon(value: Any, where: str, budget: _Budget) -> None:
    if not isinstance(value, list) or not value:
        raise GeometryError(f"{where}: a polygon is a list of linear rings")
    for i, ring in enumerate(value):
        points = _line(ring, f"{where}[{i}]", budget, minimum=4)
        if points[0] != points[-1]:
            raise GeometryError(f"{where}[{i}]: the ring is not closed (first != last)")


def _simple_area(geometry: dict[str, Any]) -> None:
    """Refuse a polygon whose rings cross themselves or each other (GEOS validity)."""
    try:
        reason = shapely.is_valid_reason(shape(geometry))
    except (shapely.errors.ShapelyError, ValueError, TypeError) as exc:
        raise GeometryError(f"the polygon cannot be read: {exc}") from None
    if reason != "Valid Geometry":
        # e.g. "Self-intersection[4.835 45.755]": what is wrong and where.
        raise GeometryError(f"the polygon is not simple: {reason}; a ring must not cross "
                            "itself or another ring")


def validate_geometry(geometry: Any, *, allowed: frozenset[str] = GEOMETRY_TYPES) -> dict[str, Any]:
    """Return the geometry if valid; raise GeometryError saying what is wrong otherwise."""
    if not isinstance(geometry, dict):
        raise GeometryError("a geometry is a GeoJSON object")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind not in allowed:
        raise GeometryError(f"geometry type {kind!r} is not one of {sorted(allowed)}")
    budget = _Budget()
    if kind == "Point":
        _position(coords, "coordinates")
    elif kind == "MultiPoint":
        _line(coords, "coordinates", budget, minimum=1)
    elif kind == "LineString":
        _line(coords, "coordinates", budget, minimum=2)
    elif kind == "MultiLineString":
        if not isinstance(coords, list) or not coords:
            raise GeometryError("coordinates: a MultiLineString needs lines")
        for i, line in enumerate(coords):
            _line(line, f"coordinates[{i}]", budget, minimum=2)
    elif kind == "Polygon":
        _polygon(coords, "coordinates", budget)
    else:
        if not isinstance(coords, list) or not coords:
            raise GeometryError("coordinates: a MultiPolygon needs polygons")
        for i, polygon in enumerate(coords):
            _polygon(polygon, f"coordinates[{i}]", budget)
    cleaned = {"type": kind, "coordinates": coords}
    if kind in AREA_TYPES:
        _simple_area(cleaned)
    return cleaned


def bbox(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a valid geometry."""
    lons: list[float] = []
    lats: list[float] = []

    def walk(node: Any) -> None:
        if node and isinstance(node[0], int | float):
            lons.append(float(node[0]))
            lats.append(float(node[1]))
        else:
            for child in node:
                walk(child)

    walk(geometry["coordinates"])
    return min(lons), min(lats), max(lons), max(lats)


def features(collection: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection, or InvalidInput naming what is wrong."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise InvalidInput("Expected a GeoJSON FeatureCollection.", field="type")
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        raise InvalidInput("The FeatureCollection has no features.", field="features")
    if len(features) > 10_000:
        raise InvalidInput("At most 10,000 features per import.", field="features")
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise InvalidInput(f"feature {index} is not a GeoJSON Feature.",
                               field=f"features[{index}]")
        yield feature


def first_error(exc: ValidationError) -> str:
    """The first validation error as `field: message`."""
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error.get("loc", ()))
    return f"{where}: {error.get('msg')}" if where else str(error.get("msg"))


__all__ = ["AREA_TYPES", "GEOMETRY_TYPES", "MAX_POSITIONS", "GeometryError", "bbox", "features",
           "first_error", "validate_geometry"]
