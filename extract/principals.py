"""Who acts: the document's principal countries and the words that stand for them.

両首脳, 双方, 首脳, 閣僚, 両国 mean the leaders or countries the document is about; 日本側 and
キルギス側 mean one of them. Principals are read from the title and the opening passages.
"""

from __future__ import annotations

import re

from .context import DocContext
from .countries import country_hits

__all__ = ["collective_subject", "principal_countries", "side_country"]

_COLLECTIVE = re.compile(r"(?:両首脳|両国首脳|首脳ら?|双方|両国|両大臣|両外相|閣僚|各国|両政府)(?:は|が|の|と|も)")
_SIDE = re.compile(r"(\S{1,12}?)側(?:は|が|の|も|に)")


def principal_countries(ctx: DocContext, opening: int = 3) -> tuple[str, ...]:
    """Countries named in the title and the first ``opening`` body passages."""
    found: list[str] = []
    titled = [h.iso3 for p in ctx.passages if p.kind == "title" for h in country_hits(ctx, p.text)]
    if len(set(titled)) >= 2:
        return tuple(sorted(set(titled)))
    body = [p for p in ctx.passages if p.kind not in {"heading"}]
    for passage in body[: opening + 1]:
        for hit in country_hits(ctx, passage.text):
            if hit.iso3 not in found:
                found.append(hit.iso3)
    return tuple(sorted(found))


def collective_subject(sentence: str) -> bool:
    """True when the sentence's actor is the principals together (両首脳は, 双方は …)."""
    return bool(_COLLECTIVE.search(sentence))


def side_country(ctx: DocContext, sentence: str) -> str | None:
    """日本側は → JPN, キルギス側は → KGZ."""
    m = _SIDE.search(sentence)
    if not m:
        return None
    hits = country_hits(ctx, m.group(1))
    return hits[-1].iso3 if hits else None
