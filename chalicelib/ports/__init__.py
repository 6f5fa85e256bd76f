"""Ports: the small interfaces through which services reach storage and the outside world.

Each area has a module here (``cards``, ``timers``, ``alerts``, ``config``, ``intake``,
``chat``, ``clock``) with its ``Protocol``s, written in domain types, and one typed accessor per
port (``cards.card_store()``). The composition root (``chalicelib.bootstrap``) decides
what answers: DynamoDB/AWS adapters on a Lambda and on the local stack, in-memory fakes
in the service tests. Services import ports and the domain, never an adapter
(``docs/architecture.md``).

The registry below is deliberately tiny: a name, a factory, and the one instance the
factory built, so that nothing touches AWS before a port is first used.
"""

from __future__ import annotations

from collections.abc import Callable

_factories: dict[str, Callable[[], object]] = {}
_instances: dict[str, object] = {}


class PortNotWiredError(LookupError):
    """A service asked for a port that the composition root did not wire."""


def provide(name: str, factory: Callable[[], object]) -> None:
    """Make ``resolve(name)`` answer what ``factory()`` builds, built on first use."""
    _factories[name] = factory
    _instances.pop(name, None)


def resolve(name: str) -> object:
    """The port wired as ``name`` (built once, on first use)."""
    try:
        return _instances[name]
    except KeyError:
        pass
    try:
        factory = _factories[name]
    except KeyError:
        raise PortNotWiredError(f"no port named {name!r} is wired") from None
    instance = _instances[name] = factory()
    return instance


def reset() -> None:
    """Forget every port and every instance built (the composition root wires afresh)."""
    _factories.clear()
    _instances.clear()
