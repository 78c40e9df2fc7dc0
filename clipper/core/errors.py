"""Exceptions the core raises; each carries a one-line message fit to show a user."""


class ClipperError(Exception):
    """Base class: ``str(err)`` is a clear one-line message for the user."""


class InputError(ClipperError):
    """The input cannot be turned into a note (empty, binary, unreadable, unsupported)."""


class TooLargeError(InputError):
    """The input is over a size limit."""


class ExtractionTimeout(InputError):
    """Extraction or conversion ran past its time or memory limit."""


class VaultError(ClipperError):
    """The vault cannot be read or written (permissions, full disk, read-only)."""


class DuplicateError(ClipperError):
    """The article is already in the vault; ``existing`` names the note that holds it."""

    def __init__(self, message: str, existing=None):
        super().__init__(message)
        self.existing = existing
