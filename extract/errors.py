"""The one error a document can raise on its way in: it could not be read as text."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DocumentError"]


class DocumentError(Exception):
    """A source document that cannot be turned into text.

    ``str(err)`` reads ``"FILE: reason"`` and, where there is one, what to do about it, so the
    command line can print it as it is and go on with the other documents.

    >>> str(DocumentError("a/b.txt", "could not detect the encoding", "save it as UTF-8"))
    'a/b.txt: could not detect the encoding; save it as UTF-8'
    """

    def __init__(self, path: Path | str, reason: str, hint: str | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.hint = hint
        super().__init__(self.path, reason, hint)

    def __str__(self) -> str:
        message = f"{self.path}: {self.reason}"
        return f"{message}; {self.hint}" if self.hint else message
