"""Inbound mail read into plain facts: standard library and domain only, no storage, no AWS.

``reading.parse_message`` is the door: it turns one raw RFC 822 message into an
``InboundMessage``. The other modules each do one part of that reading (parts
and attachments, addresses, quotes, HTML text, Message-IDs, card keys,
automatic mail) or judge what SES said about it (``verdicts``). Callers store
the attachments and write the card; every string read here is written by an
outsider and must be escaped wherever it is shown.
"""
