"""Alerts as words: the subject, plain text and HTML of one alert for one recipient.

Templates live in ``chalicelib/templates/alerts`` (``message.txt``,
``message.html``) with their words in ``alerts/words/<locale>.json``
(English and Russian). Instants are shown in the recipient's time zone;
links to cards start with ``SLADESK_PUBLIC_URL`` when it is set. The HTML
is autoescaped: card titles are whatever a requester wrote.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.channels import Message
from chalicelib.domain.deliveries import one_line
from chalicelib.links import public_link

if TYPE_CHECKING:
    from jinja2 import Environment

ALERT_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "alerts"
LOCALES = ("en", "ru")


@cache
def _environment() -> Environment:
    # Jinja2 is imported on first render, not at cold start: most calls render nothing.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(ALERT_TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["local_time"] = _local_time
    environment.filters["span"] = _span
    return environment


@cache
def alert_words(locale: str) -> dict[str, Any]:
    """The words of alerts in ``locale`` (English for a locale not offered)."""
    chosen = locale if locale in LOCALES else "en"
    return json.loads((ALERT_TEMPLATES / "words" / f"{chosen}.json").read_text(encoding="utf-8"))


def card_link(card_id: str | None) -> str:
    """The link to a card (its API resource), absolute when ``SLADESK_PUBLIC_URL`` is set."""
    return public_link(f"/cards/{card_id}")


def render_message(facts: dict[str, Any], locale: str, zone: str) -> Message:
    """The alert whose facts (``AlertFacts.to_json``) are ``facts``, in ``locale`` and ``zone``."""
    words = alert_words(locale)
    card_id = facts.get("card_id")
    shown = _one_line_titles(facts)
    headline = words["events"][facts["event"]]
    if facts.get("level"):
        headline += f" ({words['level']} {facts['level']})"
    subject = one_line(f"[{card_id}] {headline}: {shown['title']}" if card_id else headline)
    context = {
        "f": shown,
        "w": words,
        "zone": zone,
        "locale": locale,
        "subject": subject,
        "link": card_link,
    }
    environment = _environment()
    return Message(
        event=facts["event"],
        card_id=card_id,
        subject=subject,
        text=environment.get_template("message.txt").render(context).strip() + "\n",
        html=environment.get_template("message.html").render(context),
        link=card_link(card_id) if card_id else None,
        facts=facts,
        locale=locale,
    )


def _one_line_titles(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts as shown: the card's title and each digest line's title on one line.

    A requester writes titles; a line break in one must neither break a mail's
    ``Subject`` nor start a line of its own in the text (``docs/rules.md``).
    """
    shown = dict(facts)
    if isinstance(shown.get("title"), str):
        shown["title"] = one_line(shown["title"])
    shown["lines"] = [
        {**line, "title": one_line(str(line.get("title") or ""))}
        for line in shown.get("lines") or ()
    ]
    return shown


def _local_time(instant: str | datetime | None, zone: str) -> str:
    if instant is None:
        return "—"
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant)
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _span(seconds: float, words: dict[str, Any]) -> str:
    """``1 d 2 h 5 min``: whole minutes, rounded down, never empty."""
    minutes = int(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} {words['d']}"] if days else []
    if hours:
        parts.append(f"{hours} {words['h']}")
    if minutes or not parts:
        parts.append(f"{minutes} {words['min']}")
    return " ".join(parts)
