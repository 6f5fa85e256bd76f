"""Renders the HTML pages and mail of sladesk from ``chalicelib/templates`` with Jinja2.

Every template is rendered with autoescaping on, so whatever a requester
wrote (names, subjects, messages) is shown as text, never as markup. The
words of the pages come from ``templates/text/<locale>.json``; English and
Russian are offered and chosen by ``Accept-Language``. The environment is
made on first use.

A pure module rather than a port: rendering reads only the templates shipped in the
package and depends on nothing outside the process, so a fake could do no more than
render the same files. Services (the acknowledgement) use it directly, and the
service tests see the very mail a requester gets.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalicelib.links import site_path

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LOCALES = ("en", "ru")
DEFAULT_LOCALE = "en"
_LANGUAGE_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}|\*)(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?"
)


@cache
def _environment() -> Environment:
    # Jinja2 is imported on first render, not at cold start: most calls render nothing.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["local_time"] = local_time
    return environment


@cache
def texts(locale: str) -> dict[str, Any]:
    """The words of the pages in ``locale`` (one of LOCALES)."""
    return json.loads((TEMPLATES_DIR / "text" / f"{locale}.json").read_text(encoding="utf-8"))


def render(name: str, locale: str, **context: Any) -> str:
    """Template ``name`` rendered in ``locale``; the words are in the template's ``t``.

    Links in templates start with ``site`` (``{{ site("/login") }}``), so that
    they work under the public address's path too (``chalicelib.links``).
    """
    template = _environment().get_template(name)
    return template.render(t=texts(locale), locale=locale, site=site_path, **context)


def choose_locale(accept_language: str | None) -> str:
    """The offered locale the ``Accept-Language`` header prefers; English when none fits."""
    best, best_q = DEFAULT_LOCALE, 0.0
    for position, item in enumerate((accept_language or "").split(",")):
        match = _LANGUAGE_RANGE.match(item)
        if match is None:
            continue
        language = match.group(1).lower()
        try:
            quality = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        # Earlier ranges win ties, as the header lists them in order of preference.
        quality -= position * 1e-6
        if language in LOCALES and quality > best_q:
            best, best_q = language, quality
    return best


def local_time(instant: datetime | None, zone: str) -> str:
    """``instant`` as local date and time in the IANA ``zone``: ``2026-11-02 12:10``."""
    if instant is None:
        return "—"
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
