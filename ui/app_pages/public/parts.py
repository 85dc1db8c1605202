"""Pieces of the public pages: the living lab's map, a pilot in plain words, its results,
and the problem report with its receipt."""

from __future__ import annotations

import base64
from typing import Any

import pydeck as pdk
import streamlit as st

from ui.client import ApiClient, ApiError
from ui.i18n import TEXTS, Lang, colon, number, percent, t
from ui.widgets import show_problem, view_of

# Colours (RGBA) of the prototypes' domains; unknown domains share the last one.
DOMAIN_COLOURS: dict[str, list[int]] = {
    "lighting": [230, 171, 2, 150], "mobility": [31, 120, 180, 150],
    "energy": [227, 26, 28, 140], "environment": [51, 160, 44, 150],
    "waste": [106, 61, 154, 140], "water": [0, 160, 200, 140],
}
OTHER_DOMAIN = [120, 120, 120, 140]
PLACE = [20, 20, 20, 230]
DISTRICT = [200, 200, 200, 110]  # every district of the territory, under the pilots
DISTRICT_LINE = [150, 150, 150, 200]
DISTRICT_SWATCH = [175, 175, 175]  # the legend's dot: a light grey that reads on white
MAX_DISTRICTS = 2000
PHONE_WIDTH = 340  # a map on a phone, less the page's margins
DOMAIN_NAMES = {
    "lighting": ("éclairage", "lighting"), "mobility": ("mobilité", "mobility"),
    "energy": ("énergie", "energy"), "environment": ("environnement", "environment"),
    "waste": ("déchets", "waste"), "water": ("eau", "water"),
}
KINDS = ["broken", "not_working", "too_dim", "too_bright", "dangerous", "dirty", "noise", "other"]


def domain_name(domain: str, lang: Lang) -> str:
    names = DOMAIN_NAMES.get(domain)
    return (names[0] if lang == "fr" else names[1]) if names else domain.replace("_", " ")


def domain_of(pilot: dict[str, Any]) -> str:
    return str((pilot.get("prototype") or {}).get("domain") or "")


def day(value: str | None) -> str:
    """An ISO timestamp's date, as people write it (31/12/2026)."""
    if not value:
        return "—"
    y, m, d = value[:10].split("-")
    return f"{d}/{m}/{y}"


def zones_of(pilot: dict[str, Any]) -> list[dict[str, Any]]:
    """The pilot's zones with geometry: `zones` (full page) or the `area` collection."""
    if pilot.get("zones"):
        return [z for z in pilot["zones"] if z.get("geometry")]
    return [{"code": f.get("properties", {}).get("code", ""),
             "name": f.get("properties", {}).get("name", ""), "geometry": f["geometry"]}
            for f in (pilot.get("area") or {}).get("features", []) if f.get("geometry")]


def find_pilot(api: ApiClient, pilot_id: str) -> dict[str, Any] | None:
    """A running pilot by id (None when it is not running), from its page or from the list."""
    try:
        return api.public_pilot(pilot_id)
    except ApiError as exc:
        if exc.status not in (404, 405, 422):
            raise
    for offset in range(0, 1000, 200):
        page = api.public_pilots(limit=200, offset=offset)
        for pilot in page["items"]:
            if str(pilot["id"]) == pilot_id:
                return dict(pilot)
        if offset + 200 >= int(page["total"]):
            break
    return None


@st.cache_data(ttl=300, show_spinner=False)
def _districts(base_url: str) -> list[dict[str, Any]]:
    """Every zone of the territory: public boundaries, the same for everyone, so cached
    (an error is raised, hence not cached)."""
    api = ApiClient(base_url=base_url)
    zones: list[dict[str, Any]] = []
    while len(zones) < MAX_DISTRICTS:
        page = api.public_zones(limit=200, offset=len(zones))
        zones += [z for z in page["items"] if z.get("geometry")]
        if not page["items"] or len(zones) >= int(page["total"]):
            break
    return zones


def territory_zones() -> list[dict[str, Any]]:
    """The territory's zones, or none when the API does not give them (the map still shows
    the pilots and the places)."""
    try:
        return _districts(ApiClient().base_url)
    except ApiError:
        return []


def _map_width(desktop: int) -> int:
    """About how wide the map is drawn, in pixels: a phone's width, or `desktop`."""
    agent = str(st.context.headers.get("User-Agent") or "")
    return PHONE_WIDTH if "Mobi" in agent else desktop


def living_lab_map(pilots: list[dict[str, Any]], places: list[dict[str, Any]], lang: Lang, *,
                   height: int = 460, width: int = 480, key: str = "lab-map") -> None:
    """The territory's districts in grey, the running pilots' zones coloured by domain over
    them, and the places to take part in person; framed on the pilots and the places.

    `width` is about the narrowest the map is drawn on a computer (the frame is computed
    here, not in the browser): a wider map only adds margin, a narrower one cuts the sides.
    """
    features = []
    for pilot in pilots:
        colour = DOMAIN_COLOURS.get(domain_of(pilot), OTHER_DOMAIN)
        for zone in zones_of(pilot):
            features.append({"type": "Feature", "geometry": zone["geometry"], "properties": {
                "name": f"{pilot['title']} — {zone.get('name') or zone.get('code')}",
                "fill": colour}})
    points = [{"lon": p["geometry"]["coordinates"][0], "lat": p["geometry"]["coordinates"][1],
               "name": f"{p['name']} — {p.get('address', '')}"}
              for p in places if (p.get("geometry") or {}).get("type") == "Point"]
    if not features and not points:
        return
    districts = [{"type": "Feature", "geometry": z["geometry"],
                  "properties": {"name": str(z.get("name") or z.get("code"))}}
                 for z in territory_zones()]
    layers = []
    if districts:
        layers.append(pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection",
                                                 "features": districts},
                                get_fill_color=DISTRICT, get_line_color=DISTRICT_LINE,
                                line_width_min_pixels=1, pickable=True, stroked=True,
                                filled=True))
    layers.append(pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features},
                            get_fill_color="properties.fill", get_line_color=[50, 50, 50, 220],
                            line_width_min_pixels=1, pickable=True, stroked=True, filled=True))
    if points:
        layers.append(pdk.Layer("ScatterplotLayer", points, get_position=["lon", "lat"],
                                get_fill_color=PLACE, get_line_color=[255, 255, 255, 255],
                                stroked=True, line_width_min_pixels=1.5, get_radius=40,
                                radius_min_pixels=5, pickable=True))
    # Framed on what matters (the pilots and the places), not on the whole territory.
    framed = features + [{"geometry": {"type": "Point", "coordinates": [q["lon"], q["lat"]]}}
                         for q in points]
    view = view_of(framed, width=_map_width(width), height=height, padding=0.08)
    st.pydeck_chart(pdk.Deck(layers=layers, initial_view_state=view, map_style=None,
                             tooltip={"text": "{name}"}),  # type: ignore[arg-type]
                    height=height, key=key, alt=t("public_map_alt", lang))
    shown = sorted({domain_of(p) for p in pilots})
    legend = [(DOMAIN_COLOURS.get(d, OTHER_DOMAIN), domain_name(d, lang) if d else "—")
              for d in shown]
    if points:
        legend.append((PLACE, t("legend_places", lang)))
    if districts:
        legend.append((DISTRICT_SWATCH, t("legend_districts", lang)))
    st.markdown(" · ".join(f"<span style='color:rgb({c[0]},{c[1]},{c[2]})' aria-hidden='true'>"
                          f"⬤</span> {label}" for c, label in legend), unsafe_allow_html=True)


def places_list(places: list[dict[str, Any]], lang: Lang) -> None:
    for place in places:
        lines = [f"**{place['name']}** — {place.get('address', '')}"]
        if place.get("opening_hours"):
            lines.append(t("opening_hours", lang, hours=place["opening_hours"]))
        if place.get("phone"):
            lines.append(t("phone", lang, phone=place["phone"]))
        st.markdown("  \n".join(lines))


def pilot_details(pilot: dict[str, Any], places: list[dict[str, Any]], lang: Lang) -> None:
    """A running pilot in plain words: what, where, when, who, approvals, data, taking part."""
    prototype = pilot.get("prototype") or {}
    st.subheader(t("what", lang))
    st.write(pilot.get("summary", ""))
    if prototype.get("description"):
        st.markdown(f"{prototype.get('name', '')} — {prototype['description']}")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('when', lang)}** — " + t("from_to", lang, start=day(
            pilot.get("starts_at")), end=day(pilot.get("ends_at"))))
        if pilot.get("startup"):
            st.markdown(f"**{t('who_runs', lang)}** — {pilot['startup']}")
        if pilot.get("approved_by"):
            st.markdown(f"**{t('approved_by', lang)}** — {', '.join(pilot['approved_by'])}")
    with right:
        zones = zones_of(pilot)
        if zones:
            st.markdown(f"**{t('where', lang)}** — " + ", ".join(
                str(z.get("name") or z.get("code")) for z in zones))
    if "data_used" in pilot:
        st.markdown(f"**{t('data_used', lang)}**")
        uses = pilot["data_used"] or []
        if not uses:
            st.write(t("no_data_used", lang))
        for use in uses:
            st.markdown("- " + t("data_scope", lang, name=use["name"], authority=use["authority"],
                                 columns=", ".join(use["columns"]), zones=", ".join(use["zones"]),
                                 start=day(use["window_start"]), end=day(use["window_end"])))
    living_lab_map([pilot], places, lang, height=320, width=640,
                   key=f"pilot-map-{pilot['id']}")
    how = pilot.get("how_to_take_part") or {}
    st.subheader(t("how_take_part", lang))
    st.write(how.get(f"text_{lang}", ""))
    if how.get(f"instructions_{lang}"):
        st.info(how[f"instructions_{lang}"])
    if places:
        st.markdown(f"**{t('in_person', lang)}**")
        places_list(places, lang)
    consent = pilot.get("consent")
    if consent:
        with st.expander(t("consent_text", lang, version=consent["version"])):
            st.write(consent[f"text_{lang}"])


def _value(cell: dict[str, Any] | None, lang: Lang, digits: int = 0) -> str | None:
    """A disclosure-controlled number, or why it is not shown."""
    if cell is None:
        return None
    if cell.get("value") is not None:
        return f"{cell['value']:.{digits}f}" if isinstance(cell["value"], float) else str(
            cell["value"])
    return t("suppressed", lang)


def _num(value: float | None, lang: Lang, relative: bool = False) -> str:
    if value is None:
        return "—"
    return percent(value, lang, signed=True) if relative else number(value, lang, "+.3g")


def result_block(result: dict[str, Any], lang: Lang) -> None:
    """A pilot's public results: effect with its interval in words, recommendation, feedback."""
    primary = result.get("primary") or {}
    summary = result.get(f"summary_{lang}", "")
    st.write(summary)
    if primary.get("effect") is not None and not summary:
        relative = primary.get("relative_effect") is not None
        effect = primary["relative_effect"] if relative else primary["effect"]
        low = primary["relative_ci_low"] if relative else primary["ci_low"]
        high = primary["relative_ci_high"] if relative else primary["ci_high"]
        st.write(t("effect_words", lang, label=primary.get("label") or primary.get("kpi", ""),
                   effect=_num(effect, lang, relative), low=_num(low, lang, relative),
                   high=_num(high, lang, relative)))
    elif primary.get("reason") and not summary:
        st.write(t("no_effect_estimate", lang, reason=primary["reason"]))
    st.markdown(f"**{t('recommendation', lang)}** — {result.get(f'recommendation_{lang}', '')}")
    st.markdown(f"**{t('feedback_summary', lang)}**")
    rows = [(t("respondents", lang), _value(result.get("respondents"), lang)),
            (t("nps_label", lang), _value(result.get("nps"), lang)),
            (t("sus_label", lang), _value(result.get("sus"), lang, 1))]
    st.markdown("\n".join(f"- {label}{colon(lang)}{value}"
                          for label, value in rows if value is not None))


def report_form(api: ApiClient, pilot_id: str, lang: Lang) -> None:
    """Report a problem on one of the pilot's assets; shows the receipt code."""
    st.subheader(t("report_problem", lang))
    st.write(t("report_intro", lang))
    receipt = st.session_state.get(f"receipt:{pilot_id}")
    if receipt:
        st.success(t("report_receipt", lang, authority=receipt["authority_name"],
                     receipt=receipt["receipt"]), icon=":material/check_circle:")
    try:
        assets = api.reportable_assets(pilot_id)["items"]
    except ApiError as exc:
        show_problem(exc, lang)
        return
    if not assets:
        st.info(t("report_no_assets", lang))
        return
    names = {a["id"]: f"{a['name']} ({a['authority_name']})" for a in assets}
    with st.form(f"report-{pilot_id}", clear_on_submit=True):
        asset = st.selectbox(t("report_asset", lang), list(names), format_func=names.__getitem__)
        kind = st.selectbox(t("report_kind", lang), KINDS,
                            format_func=lambda k: t(f"kind_{k}", lang))
        text = st.text_area(t("report_description", lang), max_chars=2000)
        photo = st.file_uploader(t("report_photo", lang), type=["jpg", "jpeg", "png"])
        sent = st.form_submit_button(t("report_send", lang), type="primary")
    if sent:
        body: dict[str, Any] = {"pilot_id": pilot_id, "asset_id": asset, "kind": kind,
                                "description": text.strip()}
        if photo is not None:
            body["photo"] = base64.b64encode(photo.getvalue()).decode()
        try:
            st.session_state[f"receipt:{pilot_id}"] = api.file_report(body)
        except ApiError as exc:
            show_problem(exc, lang)
        else:
            st.rerun()


def follow_box(api: ApiClient, lang: Lang) -> None:
    """Where a report stands, by its receipt code."""
    st.subheader(t("follow_report", lang))
    with st.form("follow-report"):
        code = st.text_input(t("receipt_code", lang), max_chars=16)
        asked = st.form_submit_button(t("follow", lang))
    if asked and code.strip():
        try:
            found = api.follow_report(code.strip())
        except ApiError as exc:
            show_problem(exc, lang)
            return
        state = f"report_{found['status']}"
        st.info(t("report_state", lang, asset=found["asset_name"], pilot=found["pilot_title"],
                  status=t(state, lang) if state in TEXTS else found["status"],
                  authority=found["authority_name"]))
        if found.get("note"):
            st.write(t("report_note", lang, note=found["note"]))


__all__ = ["DOMAIN_COLOURS", "day", "domain_name", "domain_of", "find_pilot", "follow_box",
           "living_lab_map", "pilot_details", "places_list", "report_form", "result_block",
           "territory_zones", "zones_of"]
