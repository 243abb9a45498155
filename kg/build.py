"""``bkg build``: documents in, ``kg.trig``, the pyoxigraph store and ``graph.html`` out.

Every output is written atomically: a run that fails leaves the previous outputs as they were,
never half-written files. A document that cannot be read is reported and skipped; the others
are still built. A document that does not look Japanese is built and reported as a warning.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.errors import DocumentError
from extract.language import DocumentWarning

__all__ = ["BuildError", "BuildResult", "build"]


class BuildError(Exception):
    """A build that cannot write its outputs, or that produced no document: the previous outputs
    in OUT are left as they were. ``str(err)`` is one line saying what and why."""


@dataclass
class BuildResult:
    out_dir: Path
    documents: int
    errors: list[DocumentError] = field(default_factory=list)
    triples: int = 0  # distinct triples of the union of the documents' graphs
    #: documents built all the same but likely to give little (not Japanese: see extract.language)
    warnings: list[DocumentWarning] = field(default_factory=list)

    @property
    def trig(self) -> Path:
        return self.out_dir / "kg.trig"

    @property
    def store(self) -> Path:
        return self.out_dir / "store"

    @property
    def html(self) -> Path:
        return self.out_dir / "graph.html"

    @property
    def ok(self) -> bool:
        return not self.errors


def build(
    sources: Sequence[Path | str],
    out_dir: Path | str,
    *,
    nlp: Any = None,
    progress: bool = True,
    cache_dir: Path | None = None,
    use_cache: bool = True,
) -> BuildResult:
    """Extract facts from ``sources`` and write the graph, the store and the view to ``out_dir``."""
    from extract.pipeline import extract_paths

    out = Path(out_dir)
    _check_writable(out)
    with _BuildLock(out):
        _remove_stale_staging(out)
        warnings: list[DocumentWarning] = []
        facts, errors = extract_paths(sources, nlp=nlp, cache_dir=cache_dir, use_cache=use_cache, progress=progress,
                                      warnings=warnings)
        if not facts:
            reasons = "; ".join(str(e) for e in errors[:3]) or "no document was read"
            raise BuildError(f"no document could be built ({reasons}); the previous outputs in {out} are unchanged")
        result = _write_outputs(out, facts, errors)
        result.warnings = warnings
        return result


def _write_outputs(out: Path, facts, errors) -> BuildResult:
    from .rdf import build_graph
    from .store import write_store

    dataset = build_graph(facts)  # each document's own claims, and the resolution apart
    triples = len({(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))})
    # Everything is written into a staging folder first and moved into place only when all of
    # it is complete, so a failed run leaves the previous outputs untouched.
    staging = Path(tempfile.mkdtemp(dir=out, prefix=".build-"))
    try:
        write_store(dataset, staging)
        _write_view(staging, dataset)
        _commit(staging, out, ("kg.trig", "store", "graph.html"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(out, len(facts), errors, triples)


def _check_writable(out: Path) -> None:
    """Make OUT (or find it) and check a file can be written in it, before any extraction."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out, prefix=".write-check-")
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise BuildError(f"{out}: cannot write the outputs here ({err.strerror or err}); choose another --out") from None


class _BuildLock:
    """One build at a time in one OUT: an exclusive ``flock`` on the OUT folder itself (no lock
    file is left behind; the kernel releases the lock if the build is killed)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._fd: int | None = None

    def __enter__(self) -> _BuildLock:
        import fcntl

        self._fd = os.open(self.out, os.O_RDONLY)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            raise BuildError(f"{self.out}: another build is writing here; wait for it to finish") from None
        return self

    def __exit__(self, *exc) -> None:
        import fcntl

        assert self._fd is not None
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)


def _remove_stale_staging(out: Path) -> None:
    """Staging folders a killed build left behind (we hold the lock: no build is using them)."""
    for leftover in out.glob(".build-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def _commit(staging: Path, out: Path, names: Sequence[str]) -> None:
    """Move each finished output over the old one (a folder is swapped through a rename)."""
    for name in names:
        new, old = staging / name, out / name
        if new.is_dir():
            trash = staging / f".old-{name}"
            if old.exists():
                os.replace(old, trash)
            os.replace(new, old)
        else:
            os.replace(new, old)


def _write_view(out: Path, dataset) -> None:
    """The interactive view of the whole graph, written next to the store."""
    from . import views

    html = views.render_store(dataset)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".graph-", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(html)
    os.chmod(tmp, 0o644)  # a page to share, not a secret (mkstemp creates 0600)
    os.replace(tmp, out / "graph.html")
