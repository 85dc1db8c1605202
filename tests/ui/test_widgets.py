"""The map's frame: `view_of` fits the features inside the map, and nearly fills it."""

from __future__ import annotations

import math

import pytest

from tests.factories import square
from ui.widgets import view_of


def _pixels(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Web Mercator as deck.gl draws it: the world is 512·2^zoom pixels wide."""
    size = 512 * 2 ** zoom
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return size * (lon + 180) / 360, size * (1 - y / math.pi) / 2


@pytest.mark.parametrize(("features", "width", "height"), [
    # a wide strip of districts at the latitude of Lyon, on a desktop pilot page
    ([square(4.855 + 0.0085 * i, 45.752, 0.0085) for i in range(6)], 760, 320),
    # a tall area with a place far north, in a phone-wide column
    ([square(4.88, 45.70, 0.01), {"type": "Point", "coordinates": [4.885, 45.80]}], 340, 460),
    # the whole commune in the overview's column
    ([square(4.855, 45.752, 0.068)], 480, 460),
])
def test_features_fit_inside_the_frame_and_fill_most_of_it(
        features: list[dict[str, object]], width: int, height: int) -> None:
    view = view_of([{"geometry": g} for g in features], width=width, height=height,
                   padding=0.06)
    centre = _pixels(view.longitude, view.latitude, view.zoom)
    points = []
    for geometry in features:
        coords = geometry["coordinates"]
        ring = [coords] if geometry["type"] == "Point" else coords[0]  # type: ignore[index]
        points += [_pixels(lon, lat, view.zoom) for lon, lat in ring]  # type: ignore[union-attr]
    xs = [x - centre[0] for x, _ in points]
    ys = [y - centre[1] for _, y in points]
    assert max(map(abs, xs)) <= width / 2 * 0.95 and max(map(abs, ys)) <= height / 2 * 0.95
    filled = max((max(xs) - min(xs)) / width, (max(ys) - min(ys)) / height)
    assert filled >= 0.85, filled


def test_an_empty_map_shows_the_territory() -> None:
    view = view_of([])
    assert 4 < view.longitude < 5 and 45 < view.latitude < 46


def test_an_upload_reports_its_progress_as_the_client_reads_it() -> None:
    import io

    from ui.widgets import ProgressReader

    seen: list[float] = []
    reader = ProgressReader(io.BytesIO(b"x" * 1000), 1000, seen.append)
    chunks = [reader.read(300) for _ in range(5)]
    assert b"".join(chunks) == b"x" * 1000
    assert seen == [0.3, 0.6, 0.9, 1.0, 1.0]


def test_treated_and_control_keep_their_colours_in_both_languages() -> None:
    """Vega-Lite colours categories in sorted order: « Zone testée » sorts before « Zone
    témoin » but "Control zone" before "Treated zone", so without a fixed scale the two
    swapped colours with the language."""
    from ui.i18n import t
    from ui.widgets import CONTROL, TREATED, series_chart

    for lang in ("fr", "en"):
        rows = [{"time": "2026-03-01", "value": 1.0, "group": t(f"zone_{side}", lang)}
                for side in ("control", "treated")]
        spec = series_chart(rows, title="x", y_title="y", lang=lang).to_dict()
        scale = spec["encoding"]["color"]["scale"]
        colours = dict(zip(scale["domain"], scale["range"], strict=True))
        assert colours[t("zone_treated", lang)] == "#{:02x}{:02x}{:02x}".format(*TREATED[:3])
        assert colours[t("zone_control", lang)] == "#{:02x}{:02x}{:02x}".format(*CONTROL[:3])
