"""Request and response models of the HTTP API; ``/openapi.json`` is generated from them."""
