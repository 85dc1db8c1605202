"""The quick page's HTML, in French and English: no JavaScript, a few kilobytes, every input
labelled, ratings as radio buttons grouped in a fieldset whose legend is the question."""

from __future__ import annotations

from html import escape
from typing import Literal

from lab.feedback.questionnaire import AGREEMENT_LABELS, NPS_ANCHORS, NPS_QUESTION
from lab.street.service import HONEYPOT, MAX_COMMENT, QuickForm

Lang = Literal["fr", "en"]

TEXT: dict[str, dict[Lang, str]] = {
    "intro": {"fr": "Votre avis en une minute, sans compte. Les questions marquées * sont "
                    "obligatoires.",
              "en": "Your opinion in one minute, no account needed. Questions marked * are "
                    "required."},
    "comment_hint": {"fr": f"Facultatif, {MAX_COMMENT} caractères au plus. N'indiquez ni nom, "
                           "ni téléphone, ni e-mail.",
                     "en": f"Optional, at most {MAX_COMMENT} characters. Please give no name, "
                           "phone number or email."},
    "send": {"fr": "Envoyer mon avis", "en": "Send my feedback"},
    "honeypot": {"fr": "Laissez ce champ vide", "en": "Leave this field empty"},
    "fix": {"fr": "Merci de compléter les réponses signalées.",
            "en": "Please complete the answers marked below."},
    "missing": {"fr": "Réponse manquante ou trop longue.", "en": "Answer missing or too long."},
    "thanks_title": {"fr": "Merci !", "en": "Thank you!"},
    "thanks": {"fr": "Votre avis est enregistré. Il aidera la collectivité à décider si elle "
                     "garde ce service.",
               "en": "Your feedback is recorded. It will help the authority decide whether to "
                     "keep this service."},
    "about": {"fr": "En savoir plus sur ce pilote et y participer",
              "en": "Learn more about this pilot and take part"},
    "again": {"fr": "Ouvrir à nouveau le formulaire", "en": "Open the form again"},
    "closed_title": {"fr": "Ce pilote n'est pas en cours", "en": "This pilot is not running"},
    "closed": {"fr": "Ce pilote ne recueille pas d'avis en ce moment. Merci de votre intérêt.",
               "en": "This pilot is not collecting feedback at the moment. Thank you for your "
                     "interest."},
    "unknown_title": {"fr": "Adresse inconnue", "en": "Unknown address"},
    "unknown": {"fr": "Aucun pilote ne correspond à cette adresse. Vérifiez le code imprimé "
                      "sur l'affiche.",
                "en": "No pilot matches this address. Check the code printed on the poster."},
    "refused_title": {"fr": "Réponse non acceptée", "en": "Answer not accepted"},
    "expired": {"fr": "Ce formulaire a expiré ou n'est pas valide. Ouvrez la page à nouveau "
                      "pour répondre.",
                "en": "This form has expired or is not valid. Open the page again to answer."},
    "replayed": {"fr": "Ce formulaire a déjà été envoyé : votre avis est enregistré une seule "
                       "fois.",
                 "en": "This form was already sent: your feedback is recorded only once."},
    "honeypot_refused": {"fr": "Cette réponse n'a pas pu être acceptée.",
                         "en": "This answer could not be accepted."},
    "rate": {"fr": "Trop de réponses ont été envoyées depuis cette connexion ou pour ce "
                   "pilote. Réessayez dans {minutes} minutes.",
             "en": "Too many answers were sent from this connection or for this pilot. Try "
                   "again in {minutes} minutes."},
    "nothing": {"fr": "Ce pilote ne pose pas de question rapide.",
                "en": "This pilot asks no quick question."},
}
SWITCH: dict[Lang, tuple[Lang, str]] = {"fr": ("en", "English"), "en": ("fr", "Français")}
_CSS = ("body{font:1.2rem/1.5 system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem;"
        "color:#111;background:#fff}a{color:#0645ad}h1{font-size:1.6rem}"
        "fieldset{border:2px solid #555;border-radius:.5rem;margin:0 0 1.2rem;padding:.6rem 1rem}"
        "legend{font-weight:bold;padding:0 .3rem}"
        "label.o{display:block;padding:.55rem .3rem;min-height:2.75rem}"
        "input[type=radio]{width:1.6rem;height:1.6rem;vertical-align:middle;margin-right:.6rem}"
        "textarea{width:100%;box-sizing:border-box;font:inherit;min-height:6rem}"
        "button{font:inherit;font-weight:bold;padding:.9rem 1.6rem;min-height:3rem;"
        "background:#0b5394;color:#fff;border:0;border-radius:.5rem}"
        ".err{color:#a00000;font-weight:bold}.hp{display:none}nav{text-align:right}")


def pick_language(query: str | None, accept: str | None) -> Lang:
    """The page's language: the switch's choice, else the FR or EN the browser prefers (by
    its q-values), else French."""
    if query in ("fr", "en"):
        return query  # type: ignore[return-value]
    best: tuple[float, int, Lang] | None = None
    for position, part in enumerate((accept or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        lang = tag.strip().lower()[:2]
        if lang in ("fr", "en") and weight > 0 and (
                best is None or (-weight, position) < (-best[0], best[1])):
            best = (weight, position, lang)  # type: ignore[assignment]
    return best[2] if best else "fr"


def _page(lang: Lang, title: str, body: str, switch_to: str) -> str:
    other, name = SWITCH[lang]
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
            f'<nav><a href="{escape(switch_to)}?lang={other}" hreflang="{other}" '
            f'lang="{other}">{name}</a></nav><main>{body}</main></body></html>')


def _radios(name: str, legend: str, options: list[tuple[int, str]], chosen: str,
            error: bool, lang: Lang) -> str:
    hint = f'<p class="err" id="{name}-err">{TEXT["missing"][lang]}</p>' if error else ""
    described = f' aria-describedby="{name}-err"' if error else ""
    items = "".join(
        f'<label class="o"><input type="radio" name="{name}" value="{v}" required'
        f'{" checked" if chosen == str(v) else ""}> {escape(text)}</label>'
        for v, text in options)
    return (f"<fieldset{described}><legend>{escape(legend)} *</legend>{hint}{items}"
            "</fieldset>")


def form_page(form: QuickForm, lang: Lang, about_url: str) -> str:
    """The quick feedback form (or the form again, with the answers to fix)."""
    q, title = form.questions, form.pilot.title
    parts = [f"<h1>{escape(title)}</h1>"]
    if form.pilot.public_summary:
        parts.append(f"<p>{escape(form.pilot.public_summary)}</p>")
    if form.errors:
        parts.append(f'<p class="err" role="alert">{TEXT["fix"][lang]}</p>')
    if not (q.likert or q.nps or q.comment):
        parts.append(f"<p>{TEXT['nothing'][lang]}</p>")
        return _page(lang, title, "".join(parts), f"/q/{form.code}")
    parts.append(f"<p>{TEXT['intro'][lang]}</p>")
    parts.append(f'<form method="post" action="/q/{form.code}">'
                 f'<input type="hidden" name="token" value="{escape(form.token)}">'
                 f'<input type="hidden" name="lang" value="{lang}">')
    labels = AGREEMENT_LABELS[lang]
    for item in q.likert:
        name = f"likert_{item.id}"
        parts.append(_radios(name, item.text_fr if lang == "fr" else item.text_en,
                             [(i + 1, f"{i + 1} — {labels[i]}") for i in range(5)],
                             form.values.get(name, ""), name in form.errors, lang))
    if q.nps:
        low, high = NPS_ANCHORS[lang]
        options = [(i, f"{i} — {low}" if i == 0 else f"{i} — {high}" if i == 10 else str(i))
                   for i in range(11)]
        parts.append(_radios("nps", NPS_QUESTION[lang], options, form.values.get("nps", ""),
                             "nps" in form.errors, lang))
    if q.comment is not None:
        error = "comment" in form.errors
        parts.append(
            f'<p><label for="comment"><strong>'
            f'{escape(q.comment.text_fr if lang == "fr" else q.comment.text_en)}</strong>'
            f'</label><br><span id="comment-hint">{TEXT["comment_hint"][lang]}</span>'
            + (f'<br><span class="err">{TEXT["missing"][lang]}</span>' if error else "")
            + f'<textarea id="comment" name="comment" maxlength="{MAX_COMMENT}" rows="4" '
            f'aria-describedby="comment-hint">{escape(form.values.get("comment", ""))}'
            "</textarea></p>")
    parts.append(f'<div class="hp"><label for="{HONEYPOT}">{TEXT["honeypot"][lang]}</label>'
                 f'<input type="text" id="{HONEYPOT}" name="{HONEYPOT}" tabindex="-1" '
                 'autocomplete="off"></div>')
    parts.append(f'<p><button type="submit">{TEXT["send"][lang]}</button></p></form>')
    parts.append(f'<p><a href="{escape(about_url)}">{TEXT["about"][lang]}</a></p>')
    return _page(lang, title, "".join(parts), f"/q/{form.code}")


def message_page(lang: Lang, code: str, title_key: str, message: str,
                 links: list[tuple[str, str]]) -> str:
    """A short page with one message and links (thanks, refusals, a pilot not running)."""
    title = TEXT[title_key][lang]
    items = "".join(f'<li><a href="{escape(url)}">{escape(text)}</a></li>' for url, text in links)
    body = f"<h1>{escape(title)}</h1><p>{escape(message)}</p>" + (
        f"<ul>{items}</ul>" if items else "")
    return _page(lang, title, body, f"/q/{code}")


__all__ = ["Lang", "SWITCH", "TEXT", "form_page", "message_page", "pick_language"]
