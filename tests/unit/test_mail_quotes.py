"""Replies trimmed of the previous messages they quote, as each common mail client writes them."""

from __future__ import annotations

import pytest

from chalicelib.mail.quotes import trim_quoted_reply


@pytest.mark.parametrize(
    ("text", "new_text"),
    [
        pytest.param(
            "Works now.\n\nOn Mon, Nov 2, 2026 at 10:20 AM Support <support@desk.example.com>"
            " wrote:\n> Try again.\n> Thanks",
            "Works now.",
            id="gmail-english",
        ),
        pytest.param(
            "Works now.\n\nOn Mon, Nov 2, 2026 at\n10:20 AM Support wrote:\n\n> Try again.",
            "Works now.",
            id="gmail-english-date-wrapped",
        ),
        pytest.param(
            "Спасибо!\n\nпн, 2 нояб. 2026 г. в 10:20, Поддержка <support@desk.example.com>:\n"
            "> Попробуйте ещё раз.",
            "Спасибо!",
            id="gmail-russian",
        ),
        pytest.param(
            "Спасибо!\n\n2 нояб. 2026 г., в 10:20, Поддержка <support@desk.example.com>"
            " написал(а):\n\n> Попробуйте ещё раз.",
            "Спасибо!",
            id="apple-mail-russian",
        ),
        pytest.param(
            "02.11.2026 10:20, Поддержка пишет:\n> Попробуйте ещё раз.\n\nНе помогло.",
            "Не помогло.",
            id="thunderbird-russian-bottom-posted",
        ),
        pytest.param(
            "It still fails.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\n\n"
            "Try again.",
            "It still fails.",
            id="outlook-original-message",
        ),
        pytest.param(
            "It still fails.\n\n________________________________\nFrom: Support <s@d.example>\n"
            "Sent: Monday, November 2, 2026 10:20 AM\nTo: Ivan\nSubject: [SUP-12] Login\n\n"
            "Try again.",
            "It still fails.",
            id="outlook-header-block",
        ),
        pytest.param(
            "Works.\n\nOn Mon, Nov 2, 2026 at 10:20 AM Support wrote:\nTry again.\nRegards",
            "Works.",
            id="attribution-over-unmarked-quote",
        ),
        pytest.param(
            "> Which browser?\nFirefox.\n> Which version?\n128.\n",
            "Firefox.\n128.",
            id="answers-between-quotes",
        ),
        pytest.param(
            "> Which browser?\nFirefox.\n> On Mon, Nov 2, 2026 at 10:15 AM Ivan wrote:\n"
            "> > older\nAnd 128.",
            "Firefox.\nAnd 128.",
            id="quoted-attribution-cuts-nothing",
        ),
        pytest.param(
            "I called at 10:30 on 2 November 2026.\n"
            "On Mon, Nov 2, 2026 at 10:20 AM Support wrote:\n> Try again.",
            "I called at 10:30 on 2 November 2026.",
            id="own-dated-line-above-attribution-kept",
        ),
        pytest.param(
            "My colleague wrote:\nthe export is empty.",
            "My colleague wrote:\nthe export is empty.",
            id="undated-wrote-is-not-an-attribution",
        ),
        pytest.param(
            "From: the logs I see a timeout.\nIt started today.",
            "From: the logs I see a timeout.\nIt started today.",
            id="from-line-without-sent-is-text",
        ),
        pytest.param("> only a quote\n> nothing new", "", id="nothing-new"),
    ],
)
def test_trim_quoted_reply(text: str, new_text: str) -> None:
    assert trim_quoted_reply(text) == new_text
