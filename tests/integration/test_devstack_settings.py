"""What the local stack reads from its environment (no AWS at all)."""

import pytest

from devstack.stack import Settings


def test_defaults_are_port_8000_a_generated_key_and_the_demo():
    assert Settings.from_environment({}) == Settings(port=8000, admin_key=None, demo=True)


def test_port_admin_key_and_demo_come_from_the_environment():
    environ = {"PORT": "9001", "SLADESK_ADMIN_KEY": "local-admin", "SLADESK_DEMO": "0"}
    assert Settings.from_environment(environ) == Settings(9001, "local-admin", demo=False)


@pytest.mark.parametrize(
    "environ",
    [{"PORT": "eighty"}, {"PORT": "0"}, {"PORT": "70000"}, {"SLADESK_DEMO": "yes"}],
)
def test_unusable_settings_are_refused(environ):
    with pytest.raises(ValueError, match=r"PORT|SLADESK_DEMO"):
        Settings.from_environment(environ)
