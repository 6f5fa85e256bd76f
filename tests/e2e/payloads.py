"""Request bodies from docs/api.md, shared by the HTTP tests."""

CALENDAR = {
    "name": "Support hours",
    "timezone": "Europe/Moscow",
    "week": {day: [["10:30", "16:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": ["2026-12-31"],
    "exceptions": {"2026-12-30": [["10:30", "13:00"]], "2026-12-26": [["10:00", "14:00"]]},
}

BOARD = {
    "name": "Support",
    "key": "SUP",
    "columns": [
        {"id": "queue", "name": "Queue", "kind": "queue"},
        {"id": "work", "name": "In progress", "kind": "in_progress"},
        {"id": "wait", "name": "Waiting for customer", "kind": "waiting"},
        {"id": "done", "name": "Done", "kind": "done"},
    ],
    "lanes": [{"id": "standard", "name": "Standard"}, {"id": "premium", "name": "Premium"}],
    "card_types": ["bug", "question"],
    "services": ["bug", "dev-request"],
}


def sla(calendar_id=None):
    """The Premium policy of docs/api.md."""
    return {
        "name": "Premium",
        "calendar_id": calendar_id,
        "rules": [
            {"id": "react", "kind": "first_reaction", "target": "PT10M", "warn_before": "PT5M"},
            {
                "id": "resolve",
                "kind": "resolution",
                "target": "PT4H",
                "warn_before": "PT30M",
                "escalations": [
                    {
                        "after_breach": "PT30M",
                        "notify": ["l2@example.com"],
                        "assign_to": "l2-oncall",
                    }
                ],
            },
            {"id": "in_work", "kind": "time_in_column", "column_id": "work", "target": 7200},
        ],
        "pause_in_columns": ["wait"],
        "terms": {
            "penalty_per_missed": 50,
            "penalty_per_overdue_hour": 10,
            "monthly_cap": 1000,
            "currency": "EUR",
        },
        "agreement": {"services": "Web app support", "contacts": "support@acme.example"},
    }


def card(board_id, **fields):
    """A card body for ``board_id``."""
    return {
        "board_id": board_id,
        "title": "Login page is down",
        "description": "Since 9:00",
        "requester": {"email": "ann@customer.example", "name": "Ann"},
        "card_type": "bug",
        "service": "bug",
        "priority": "high",
        "tags": ["vip"],
        **fields,
    }
