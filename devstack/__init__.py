"""The local stack behind ``make run``: one process, never deployed.

It hosts an AWS emulator (moto server on loopback) with the stack's tables,
serves the Chalice app in process (chalice local's server, without the
reloader) on ``PORT``, feeds the cards table's stream to the app's stream
handler, makes sure an admin key exists and, unless ``SLADESK_DEMO=0``, seeds
a demo through the public HTTP API. It sets ``SLADESK_DEV=1``, which turns on
the ``/dev/*`` routes. Run it with ``python -m devstack`` from the project
root.
"""
