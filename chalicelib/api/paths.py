"""Reading path parameters that are not plain ids."""


def version_number(text: str) -> int:
    """A ``/versions/{n}`` segment as a number; 0 (no version has it: 404) if it is not one."""
    return int(text) if text.isdigit() and int(text) > 0 else 0
