"""Writing an output file so that a reader never sees half of it (kg.diff, kg.timeline, kg.views,
kg.rdf): the bytes go to a temporary file beside the target, which is then renamed into place,
so a failure leaves any previous file untouched."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: Path | str, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path``: a temporary file beside it, then a rename.

    Not ``mkstemp``: its files are private (0600); this one is created with the usual umask, an
    output to share."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        with open(tmp, "xb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
