"""Widgets shared by the pages: problems, statuses, pagination, maps and charts."""

from __future__ import annotations

import base64
import json
import math
import os
from collections.abc import Callable, Iterable
from typing import IO, Any

import altair as alt
import pydeck as pdk
import streamlit as st

from ui.client import ApiError
from ui.i18n import TEXTS, Lang, status, t

# Colours (RGBA) of what maps draw, and of statuses.
TREATED = [217, 95, 2, 110]
CONTROL = [27, 158, 119, 110]
OTHER = [117, 112, 179, 70]
ASSET = [40, 40, 40, 220]
# A map style with a background only, as a data: URL: nothing to fetch from a tile server.
PLAIN = "data:application/json;base64," + base64.b64encode(json.dumps(
    {"version": 8, "sources": {}, "layers": [
        {"id": "background", "type": "background", "paint": {"background-color": "#f2f1ec"}}]}
).encode()).decode()
STATUS_COLOURS = {
    "running": "green", "active": "green", "ready": "green", "approved": "green",
    "done": "green", "evaluated": "blue", "completed": "blue", "submitted": "orange",
    "pending": "orange", "queued": "orange", "building": "orange", "processing": "orange",
    "changes_requested": "orange", "draft": "gray", "expired": "gray", "withdrawn": "gray",
    "replaced": "gray", "rejected": "red", "refused": "red", "revoked": "red",
    "suspended": "red", "failed": "red",
}


# --- problems ---
def problem_text(error: ApiError, lang: Lang) -> str:
    """The API's refusal in the person's language: by problem type, else the detail."""
    key = f"problem_{error.slug}"
    if key in TEXTS:
        return t(key, lang, detail=error.detail)
    return t("problem_fallback", lang, detail=error.detail)


def show_problem(error: ApiError, lang: Lang, *, fields: Iterable[str] = ()) -> None:
    """An error box; field problems not shown next to their field are listed in it."""
    shown = set(fields)
    rest = [e for e in error.errors if not any(e.field == f or e.field.endswith(f".{f}")
                                               for f in shown)]
    lines = [problem_text(error, lang)]
    lines += [f"- {t('problem_field', lang, field=e.field, message=e.message)}" for e in rest]
    st.error("\n".join(lines), icon=":material/error:")


def field_problems(error: ApiError | None, name: str) -> None:
    """The API's problems about one field, right under it."""
    if error is None:
        return
    for problem in error.for_field(name):
        st.caption(f":red[{problem.message}]")


def remember_problem(key: str, error: ApiError | None) -> None:
    """Keep a form's problem across the rerun that redraws the form."""
    if error is None:
        st.session_state.pop(f"problem:{key}", None)
    else:
        st.session_state[f"problem:{key}"] = error


def last_problem(key: str) -> ApiError | None:
    value = st.session_state.get(f"problem:{key}")
    return value if isinstance(value, ApiError) else None


def flash(message: str) -> None:
    """A confirmation shown after the rerun that follows an action."""
    st.session_state["flash"] = message


def attempt(call: Callable[[], Any], lang: Lang, *, done: str,
            fields: Iterable[str] = ()) -> None:
    """Send an action to the API: its problem in plain words, or `done` shown after the rerun
    that draws the new state."""
    try:
        call()
    except ApiError as exc:
        show_problem(exc, lang, fields=fields)
        return
    flash(done)
    st.rerun()


def show_flash() -> None:
    message = st.session_state.pop("flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")


# --- statuses and pagination ---
def status_badge(value: str, lang: Lang) -> None:
    st.badge(status(value, lang), color=STATUS_COLOURS.get(value, "gray"))  # type: ignore[arg-type]


def status_markdown(value: str, lang: Lang) -> str:
    """A status as an inline coloured badge for markdown texts."""
    return f":{STATUS_COLOURS.get(value, 'gray')}-badge[{status(value, lang)}]"


def paginate(key: str, total: int, limit: int, lang: Lang) -> int:
    """Previous/next buttons for a list; returns the offset of the page shown."""
    pages = max(1, math.ceil(total / limit))
    number = min(int(st.session_state.get(f"page:{key}", 1)), pages)
    if pages > 1:
        left, middle, right = st.columns([1, 3, 1])
        if left.button(t("previous", lang), key=f"prev:{key}", disabled=number <= 1):
            number -= 1
        if right.button(t("next", lang), key=f"next:{key}", disabled=number >= pages):
            number += 1
        middle.caption(t("page_of", lang, page=number, pages=pages, total=total))
    st.session_state[f"page:{key}"] = number
    return (number - 1) * limit


# --- maps ---
def _points(geometry: dict[str, Any]) -> Iterable[tuple[float, float]]:
    coords = geometry.get("coordinates", [])
    kind = geometry.get("type")
    if kind == "Point":
        yield coords[0], coords[1]
    elif kind == "Polygon":
        for ring in coords:
            yield from ((p[0], p[1]) for p in ring)
    elif kind == "MultiPolygon":
        for polygon in coords:
            for ring in polygon:
                yield from ((p[0], p[1]) for p in ring)


def _mercator_y(lat: float) -> float:
    """Web Mercator ordinate of a latitude, in radians of the world's circumference."""
    return math.log(math.tan(math.pi / 4 + math.radians(max(-85.0, min(85.0, lat))) / 2))


def view_of(features: list[dict[str, Any]], *, width: int = 720, height: int = 420,
            padding: float = 0.06) -> pdk.ViewState:
    """A view framing every feature in a map of about `width` × `height` pixels.

    deck.gl draws the world 512·2^zoom pixels wide: a longitude span fills
    span/360 of that, a latitude span (Mercator stretches it by about 1/cos(latitude))
    fills its Mercator height over 2π. The zoom is the largest at which both fit inside the
    frame less `padding` (a fraction of each side).
    """
    points = [p for f in features for p in _points(f.get("geometry") or {})]
    if not points:
        return pdk.ViewState(longitude=4.85, latitude=45.76, zoom=11)
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    south, north = _mercator_y(min(lats)), _mercator_y(max(lats))
    middle = math.degrees(2 * math.atan(math.exp((south + north) / 2)) - math.pi / 2)
    usable = 1 - 2 * padding
    span_x = max(max(lons) - min(lons), 0.002) / 360
    span_y = max(north - south, math.radians(0.002)) / (2 * math.pi)
    zoom = min(math.log2(width * usable / (512 * span_x)),
               math.log2(height * usable / (512 * span_y)))
    return pdk.ViewState(longitude=(min(lons) + max(lons)) / 2, latitude=middle,
                         zoom=max(1.0, min(17.0, zoom)))


def zone_feature(zone: dict[str, Any], role: str = "other") -> dict[str, Any]:
    """A zone of the API as a GeoJSON feature coloured by its role in a pilot."""
    colour = {"treated": TREATED, "control": CONTROL}.get(role, OTHER)
    return {"type": "Feature", "geometry": zone["geometry"],
            "properties": {"name": f"{zone.get('code', '')} {zone.get('name', '')}".strip(),
                           "fill": colour}}


def territory_map(zones: list[dict[str, Any]], assets: list[dict[str, Any]], lang: Lang, *,
                  roles: dict[str, str] | None = None, height: int = 420,
                  key: str | None = None) -> None:
    """Zones as polygons (treated and control in two colours) and assets as points.

    The background is plain unless `LAB_MAP_TILES` names a map style URL: offline, no tile
    server is reachable, and the shapes are what matters.
    """
    roles = roles or {}
    features = [zone_feature(z, roles.get(str(z.get("id")), roles.get(str(z.get("code")),
                                                                        "other")))
                for z in zones if z.get("geometry")]
    points = []
    for asset in assets:
        geometry = asset.get("geometry") or asset.get("location") or {}
        if geometry.get("type") == "Point":
            lon, lat = geometry["coordinates"][:2]
            points.append({"lon": lon, "lat": lat, "name": asset.get("name") or
                           asset.get("code") or t("asset", lang)})
    if not features and not points:
        st.info(t("nothing_on_map", lang))
        return
    layers = [pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features},
                        get_fill_color="properties.fill", get_line_color=[60, 60, 60, 200],
                        line_width_min_pixels=1, pickable=True, stroked=True, filled=True)]
    if points:
        layers.append(pdk.Layer("ScatterplotLayer", points, get_position=["lon", "lat"],
                                get_fill_color=ASSET, get_radius=25, radius_min_pixels=3,
                                pickable=True))
    everything = features + [{"geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]}}
                             for p in points]
    tiles = os.environ.get("LAB_MAP_TILES")  # a map style URL; without it, no basemap at all
    deck = pdk.Deck(layers=layers, initial_view_state=view_of(everything, height=height),
                    map_provider="carto", map_style=tiles or PLAIN,
                    tooltip={"text": "{name}"})  # type: ignore[arg-type]
    st.pydeck_chart(deck, height=height, key=key)
    legend = [(TREATED, t("zone_treated", lang)), (CONTROL, t("zone_control", lang)),
              (OTHER, t("zone_other", lang)), (ASSET, t("asset", lang))]
    st.caption(" · ".join(f"<span style='color:rgb({c[0]},{c[1]},{c[2]})'>⬤</span> {label}"
                          for c, label in legend), unsafe_allow_html=True)


# --- charts ---
def _hex(rgba: list[int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgba[:3])


def series_chart(rows: list[dict[str, Any]], *, title: str, y_title: str, lang: Lang,
                 start: str | None = None) -> Any:
    """Treated vs control over time (`time`, `group`, `value` rows), the pilot start marked."""
    data = alt.Data(values=rows)
    lines = alt.Chart(data, title=title).mark_line(point=True).encode(
        x=alt.X("time:T", title=t("chart_time", lang),
                axis=alt.Axis(format="%d/%m" if lang == "fr" else "%b %d")),
        y=alt.Y("value:Q", title=y_title),
        # treated and control in the maps' colours, whatever the language sorts first
        color=alt.Color("group:N", title=t("chart_group", lang), scale=alt.Scale(
            domain=[t("zone_treated", lang), t("zone_control", lang)],
            range=[_hex(TREATED), _hex(CONTROL)])),
        tooltip=["time:T", "group:N", "value:Q"])
    if start is None:
        return lines
    rule = alt.Chart(alt.Data(values=[{"start": start, "label": t("chart_pilot_start", lang)}])
                     ).mark_rule(strokeDash=[4, 4], color="black").encode(
        x="start:T", tooltip=["label:N"])
    return alt.layer(lines, rule)


def forest_plot(rows: list[dict[str, Any]], *, title: str, x_title: str, lang: Lang,
                minimum: float | None = None) -> Any:
    """Each KPI's effect with its interval (`kpi`, `effect`, `low`, `high` rows)."""
    data = alt.Data(values=rows)
    base = alt.Chart(data, title=title)
    y = alt.Y("kpi:N", title=t("chart_kpi", lang))
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("low:Q", title=x_title), x2="high:Q", y=y)
    dots = base.mark_point(filled=True, size=80).encode(
        x="effect:Q", y=y, tooltip=["kpi:N", "effect:Q", "low:Q", "high:Q"])
    marks: list[Any] = [bars, dots,
                        alt.Chart(alt.Data(values=[{"x": 0}])).mark_rule(color="gray")
                        .encode(x="x:Q")]
    if minimum is not None:
        marks.append(alt.Chart(alt.Data(values=[{"x": minimum}, {"x": -minimum}]))
                     .mark_rule(strokeDash=[4, 4], color="orange").encode(x="x:Q"))
    return alt.layer(*marks)


# --- long work ---
class ProgressReader:
    """A file object read by the HTTP client in chunks, reporting how much has gone: an
    upload streams to the API with a progress bar instead of a spinner."""

    def __init__(self, source: IO[bytes], size: int, report: Callable[[float], None]) -> None:
        self._source, self._size, self._report, self._sent = source, max(size, 1), report, 0

    def read(self, n: int = -1) -> bytes:
        chunk = self._source.read(n)
        self._sent += len(chunk)
        self._report(min(1.0, self._sent / self._size))
        return chunk


def job_progress(api: Any, job_id: str | None, text: str) -> None:
    """A running job's progress bar, refreshed every two seconds; the page reloads when the
    job ends."""

    @st.fragment(run_every="2s")
    def follow() -> None:
        job = api.job(job_id) if job_id else {}
        st.progress(float(job.get("progress") or 0.0), text=text)
        if job.get("status") in ("done", "failed"):
            st.rerun()

    follow()


__all__ = ["ProgressReader", "attempt", "field_problems", "flash", "forest_plot", "job_progress",
           "last_problem", "paginate", "problem_text", "remember_problem", "series_chart",
           "show_flash", "show_problem", "status_badge", "status_markdown", "territory_map",
           "view_of", "zone_feature"]
