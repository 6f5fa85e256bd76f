"""The stack's secrets, read when the app needs them, never kept in a function's configuration.

A deployed function is given only each secret's ARN, in ``<name>_ARN`` (for
``SLADESK_SESSION_SECRET``: ``SLADESK_SESSION_SECRET_ARN``), and reads the
value from Secrets Manager through Powertools Parameters, which keeps it for
``SECRET_MAX_AGE_SECONDS``: a value put in Secrets Manager is used within
that time, without a deploy. Without the ARN variable the value is the
plain ``<name>`` variable, as the local stack and the tests set it.
"""

from __future__ import annotations

from chalicelib import settings
from chalicelib.ports.config import SecretUnavailableError

__all__ = ["SecretUnavailableError", "SecretsManagerSecrets", "arn_variable", "read_secret"]

ARN_SUFFIX = settings.ARN_SUFFIX
# Long enough that a warm function asks Secrets Manager a few times an hour at most;
# short enough that a rotated secret is in use a few minutes after it is put.
SECRET_MAX_AGE_SECONDS = 300


arn_variable = settings.arn_variable


def read_secret(name: str) -> str | None:
    """The current value of the secret ``name``; None when it is configured nowhere.

    Raises ``SecretUnavailableError`` when its ARN is set but the value cannot be
    read (the secret is gone, the role may not read it, Secrets Manager fails).
    """
    arn = settings.secret_arn(name)
    if not arn:
        return settings.secret_value(name)
    # Imported here: Powertools Parameters brings boto3, which app.py's import must not pay.
    from aws_lambda_powertools.utilities import parameters

    try:
        value = parameters.get_secret(arn, max_age=SECRET_MAX_AGE_SECONDS)
    except parameters.GetParameterError as error:
        raise SecretUnavailableError(
            f"{name} could not be read from Secrets Manager ({arn_variable(name)}): {error}"
        ) from None
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    return value or None


class SecretsManagerSecrets:
    """The secrets port: values from Secrets Manager, or from the environment without an ARN."""

    def read(self, name: str) -> str | None:
        """The current value of the secret ``name`` (see ``read_secret``)."""
        return read_secret(name)
