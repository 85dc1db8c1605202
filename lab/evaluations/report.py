"""`report.json` and a readable `report.html` (with an inline SVG chart) in the reports bucket."""

from __future__ import annotations

import html
import json
from datetime import datetime
from typing import Any

from minio import Minio

from lab.common import utcnow
from lab.evaluations.models import Evaluation
from lab.objectstore import bucket_prefix
from lab.pilots.models import Pilot
from storage import bucket_name, put_bytes

VERDICT = {"scale_up": "Passer à l'échelle / Scale up", "iterate": "Itérer / Iterate",
           "stop": "Arrêter / Stop"}


def prefix(pilot_id: object, evaluation_id: object) -> str:
    """The folder of one evaluation's reports: fixed per evaluation, so a retried job
    overwrites what a killed attempt wrote instead of adding to it."""
    return f"{pilot_id}/{evaluation_id}/"


def store(client: Minio, *, pilot: Pilot, evaluation: Evaluation,
          results: dict[str, Any]) -> tuple[str, str]:
    """Write both reports; return their keys."""
    bucket = bucket_name("reports", bucket_prefix())
    base = prefix(pilot.id, evaluation.id).rstrip("/")
    document = {"pilot": {"id": str(pilot.id), "title": pilot.title},
                "evaluation": {"id": str(evaluation.id), "number": evaluation.number,
                               "protocol_version": evaluation.protocol_version,
                               "protocol_hash": evaluation.protocol_hash,
                               "exploratory": evaluation.exploratory,
                               "departures": evaluation.departures,
                               "interim": evaluation.interim},
                "generated_at": utcnow().isoformat(), "results": results}
    body = json.dumps(document, indent=2, ensure_ascii=False, default=str).encode()
    put_bytes(client, bucket, f"{base}/report.json", body, content_type="application/json")
    page = render_html(document).encode()
    put_bytes(client, bucket, f"{base}/report.html", page,
              content_type="text/html; charset=utf-8")
    return f"{base}/report.json", f"{base}/report.html"


def _fmt(value: Any, pct: bool = False) -> str:
    if value is None or isinstance(value, str):
        return "—" if value is None else html.escape(value)
    return f"{value:+.1%}" if pct else f"{value:,.4g}"


def chart_svg(series: list[dict[str, Any]], width: int = 720, height: int = 260,
              other: str = "zones témoins / control") -> str:
    """Treated vs control means over time (or `other`), as an inline SVG line chart."""
    if not series:
        return "<p>—</p>"
    times = sorted({datetime.fromisoformat(p["t"]) for p in series})
    ys = [p["y"] for p in series if p["y"] is not None]
    lo, hi = min(ys), max(ys)
    span, pad = (hi - lo) or 1.0, 30

    def xy(t: str, y: float) -> str:
        i = times.index(datetime.fromisoformat(t))
        x = pad + (width - 2 * pad) * i / max(1, len(times) - 1)
        return f"{x:.1f},{height - pad - (height - 2 * pad) * (y - lo) / span:.1f}"

    lines = []
    for treated, colour, label in ((True, "#c0392b", "zones traitées / treated"),
                                   (False, "#2471a3", other)):
        points = " ".join(xy(p["t"], p["y"]) for p in series
                          if p["treated"] is treated and p["y"] is not None)
        lines.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" '
                     f'points="{points}"><title>{label}</title></polyline>')
    legend = ('<text x="40" y="18" fill="#c0392b">■ zones traitées / treated</text>'
              f'<text x="260" y="18" fill="#2471a3">■ {html.escape(other)}</text>')
    axis = (f'<text x="{pad}" y="{height - 8}">{times[0].date()}</text>'
            f'<text x="{width - pad - 70}" y="{height - 8}">{times[-1].date()}</text>'
            f'<text x="2" y="{pad}">{hi:.3g}</text><text x="2" y="{height - pad}">{lo:.3g}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="treated vs control">{legend}{axis}{"".join(lines)}</svg>')


def event_svg(study: dict[str, Any] | None, width: int = 720, height: int = 240) -> str:
    """Effects by period relative to the start, with their intervals, as an inline SVG."""
    points = [p for p in (study or {}).get("points", []) if isinstance(p.get("effect"), float)]
    if not points:
        return ""
    values = [v for p in points for v in (p["effect"], p["ci_low"], p["ci_high"])
              if isinstance(v, float)] + [0.0]
    lo, hi = min(values), max(values)
    span, pad = (hi - lo) or 1.0, 30
    n = len(points)

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * (i + 0.5) / n

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * (v - lo) / span

    marks = [f'<line x1="{pad}" x2="{width - pad}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
             'stroke="#999" stroke-dasharray="4"/>']
    for i, p in enumerate(points):
        colour = "#c0392b" if p["relative_period"] >= 0 else "#2471a3"
        if isinstance(p["ci_low"], float) and isinstance(p["ci_high"], float):
            marks.append(f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{y(p["ci_low"]):.1f}" '
                         f'y2="{y(p["ci_high"]):.1f}" stroke="{colour}"/>')
        marks.append(f'<circle cx="{x(i):.1f}" cy="{y(p["effect"]):.1f}" r="3" '
                     f'fill="{colour}"><title>{html.escape(str(p["start"]))}: '
                     f'{p["effect"]:.3g}</title></circle>')
    axis = (f'<text x="{pad}" y="{height - 8}">{points[0]["relative_period"]}</text>'
            f'<text x="{width - pad - 20}" y="{height - 8}">{points[-1]["relative_period"]}'
            f'</text><text x="2" y="{pad}">{hi:.3g}</text>'
            f'<text x="2" y="{height - pad}">{lo:.3g}</text>')
    return (f'<h3>Effet par période depuis le début / effect by period since the start</h3>'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="event study">{axis}{"".join(marks)}</svg>'
            '<p><small>Avant le début (bleu) : tendances parallèles ; après (rouge) : '
            'dynamique de l\'effet. / Before the start (blue): parallel trends; after (red): '
            'the effect over time. IC 95 % / 95% CI.</small></p>')


def synthetic_html(fit: dict[str, Any] | None) -> str:
    """The synthetic control: weights per control zone, baseline fit and the two paths."""
    if not fit:
        return ""
    weights = sorted(((z, w) for z, w in fit["weights"].items() if w and w >= 0.001),
                     key=lambda x: -x[1])
    rows = "".join(f"<tr><td>{html.escape(z)}</td><td>{w:.3f}</td></tr>" for z, w in weights)
    pre = fit["pre_fit"]
    series = [{"t": p["period"], "treated": flag, "y": p["treated" if flag else "synthetic"]}
              for p in fit["path"] for flag in (True, False)]
    try:
        chart = chart_svg(series, other="contrôle synthétique / synthetic control")
    except ValueError:  # periods that are not dates
        chart = ""
    return ("<h3>Contrôle synthétique / Synthetic control</h3>"
            "<p>Poids des zones témoins (ajustés sur la période de référence) / weights of the "
            "control zones (fitted on the baseline):</p>"
            f"<table><tr><th>Zone</th><th>Poids / weight</th></tr>{rows}</table>"
            f"<p>Écart quadratique moyen avant le pilote / baseline RMSPE : "
            f"{_fmt(pre.get('rmspe'))} ({_fmt(pre.get('rmspe_relative'), pct=True)} du niveau /"
            f" of the level; médiane des placebos / placebos' median "
            f"{_fmt(pre.get('placebo_rmspe_median'))}) · rapport après/avant / post/pre "
            f"ratio : {_fmt(fit.get('rmspe_ratio'))} · placebos : {fit.get('n_placebos')}</p>"
            f"{chart}")


def _context(results: dict[str, Any]) -> str:
    """Interim fraction and the gap readings left out, in plain words."""
    parts = []
    interim = results.get("interim")
    if interim:
        parts.append(f"<p><strong>Évaluation intermédiaire / interim</strong> : "
                     f"{interim['fraction_observed']:.0%} de la période pilote observée / of "
                     "the pilot period observed. Pas de passage à l'échelle avant la fin / "
                     "no scale-up before the end.</p>")
    gap = results.get("gap") or {}
    left = {k: v for k, v in (gap.get("readings_left_out") or {}).items() if v}
    if left:
        counts = ", ".join(f"{html.escape(k)}: {v}" for k, v in left.items())
        parts.append(f"<p>Mesures écartées entre la fin de la référence et le début du pilote "
                     f"(installation), comptées dans aucune période / readings left out "
                     f"between the baseline end and the pilot start (installation), counted "
                     f"in neither period: {counts}.</p>")
    return "".join(parts)


def _rows(items: dict[str, Any]) -> str:
    out = []
    for name, entry in items.items():
        r = entry.get("result") or {}
        out.append(
            "<tr>" + "".join(f"<td>{c}</td>" for c in (
                html.escape(entry.get("label") or name), _fmt(r.get("effect")),
                _fmt(r.get("relative_effect"), pct=True),
                f"[{_fmt(r.get('relative_ci_low'), pct=True)}, "
                f"{_fmt(r.get('relative_ci_high'), pct=True)}]",
                _fmt(r.get("p_value")), html.escape(str(r.get("method") or entry.get("missing")))
            )) + "</tr>")
    return "".join(out)


def _disclosed(value: Any) -> str:
    if isinstance(value, dict):
        return "—" if value.get("value") is None else _fmt(value.get("value"))
    return _fmt(value)


def _feedback_html(feedback: dict[str, Any] | None) -> str:
    """Respondents and the overall NPS and SUS, as disclosed (small counts withheld)."""
    if not feedback:
        return ""
    parts = [f"<p>Répondants / respondents : {_disclosed(feedback.get('respondents'))}</p>"]
    for name in ("nps", "sus"):
        block = feedback.get(name)
        if block:
            overall = (block.get("by_channel") or {}).get("overall") or {}
            score = overall.get("score", overall.get("mean"))
            parts.append(f"<p>{name.upper()} : {_disclosed(score)}</p>")
    note = html.escape(feedback.get("disclosure", ""))
    return ("<h2>Retours des testeurs / Tester feedback</h2>" + "".join(parts)
            + (f"<p><small>{note}</small></p>" if note else ""))


# --- Incidents: problem reports on the pilot's assets (lab.reports) ---
def _incidents_html(incidents: dict[str, Any] | None) -> str:
    """How many problems were reported, how many solved, and how fast."""
    if not incidents:
        return ""
    return ("<h2>Incidents signalés / Reported incidents</h2>"
            f"<p>Signalements / reports : {incidents['reports']} · résolus / solved : "
            f"{incidents['solved']} · délai médian de résolution / median time to solve : "
            f"{_fmt(incidents.get('median_hours_to_solve'))} h</p>")
# --- end of incidents ---


def render_html(document: dict[str, Any]) -> str:
    """A self-contained, readable report."""
    results, ev = document["results"], document["evaluation"]
    flags = ", ".join(results["quality_flags"]) or "aucun / none"
    notes = "".join(f"<li>{html.escape(d)}</li>" for d in ev["departures"])
    head = "<tr><th>KPI</th><th>Effet / effect</th><th>Relatif / relative</th>" \
           "<th>IC 95 % / 95% CI</th><th>p</th><th>Méthode / method</th></tr>"
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<title>Évaluation — {html.escape(document['pilot']['title'])}</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#222}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .6rem}}
.verdict{{font-size:1.4rem;font-weight:bold}}</style></head><body>
<h1>{html.escape(document['pilot']['title'])}</h1>
<p>Évaluation n° {ev['number']} · protocole v{ev['protocol_version']}
(<code>{ev['protocol_hash'][:12]}</code>) · {html.escape(document['generated_at'])}</p>
{"<p><strong>Exploratoire / exploratory</strong>:</p><ul>" + notes + "</ul>" if notes else ""}
{"<p><strong>Évaluation intermédiaire / interim</strong> (pilote en cours)</p>"
 if ev['interim'] else ""}
<p class="verdict">{VERDICT.get(results['recommendation'], results['recommendation'])}</p>
<ul>{"".join(f"<li>{html.escape(r)}</li>" for r in results['reasons'])}</ul>
<h2>Indicateurs / KPIs ({html.escape(results['design'])})</h2>
<table>{head}{_rows(results['kpis'])}</table>
<h2>Garde-fous / Guardrails</h2>
<table>{head}{_rows(results['guardrails'])}</table>
<h2>{html.escape(results['primary_kpi'])}</h2>
{chart_svg(results['chart'])}
{event_svg(results.get('event_study'))}
{synthetic_html(results.get('synthetic_control'))}
{_context(results)}
<h2>Qualité des données / Data quality</h2><p>{html.escape(flags)}</p>
{_feedback_html(results.get("feedback"))}
{_incidents_html(results.get("incidents"))}
</body></html>"""


__all__ = ["chart_svg", "event_svg", "render_html", "store", "synthetic_html"]
