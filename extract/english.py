"""English names the text gives beside the Japanese: persons, roles, agreements, meetings.

Japanese diplomatic text often glosses a foreign name in brackets right after it::

    名前・国名大統領（H.E. Mr. Firstname LASTNAME, President of …）   a person's Latin form
    「…に関する協定」（Agreement on …）                              an instrument's English name
    第1回…対話（First … Dialogue）                                    a meeting's English name

or puts the Latin form of a name on its own line below it. :func:`gloss_after` finds such a gloss
after a mention; :func:`person_name`, :func:`title_name` decide whether it is a person's name or
an English title; :func:`role_en` gives a role's English from the gazetteer's titles
(``data/gazetteer/titles.tsv``). The conventions are data: ``data/patterns/english.json``.

The families call :func:`with_english` on the facts they made: the first mention, in document
order, with a gloss of the right shape gives ``label_en`` (and, for persons, ``role_en``); a
fact without one keeps ``None``.

>>> person_name("H.E. Mr. Taro EXAMPLE, Minister of Something of Nowhere")
'Taro Example'
>>> person_name("Minister of Foreign Affairs") is None
True
>>> title_name("Agreement on the Promotion of Trade Between Two Lands")
'Agreement on the Promotion of Trade Between Two Lands'
>>> title_name("PDF") is None, title_name("仮訳") is None
(True, True)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .resources import data_dir

if TYPE_CHECKING:  # pragma: no cover
    from .context import DocContext
    from .facts import Mention

__all__ = ["gloss_after", "person_name", "role_en", "title_name", "with_english"]


@dataclass(frozen=True)
class _Rules:
    open: tuple[str, ...]
    close: dict[str, str]
    max_gloss: int
    gaps: dict[str, re.Pattern[str]]
    line_gap: re.Pattern[str]
    honorifics: tuple[str, ...]
    separators: tuple[str, ...]
    particles: frozenset[str]
    name_word: re.Pattern[str]
    name_min: int
    name_max: int
    not_a_name: frozenset[str]
    title_text: re.Pattern[str]
    title_min: int
    title_max: int
    lower_word: re.Pattern[str]
    reject: re.Pattern[str]
    trim: re.Pattern[str]
    chain: str
    join: str
    inside: re.Pattern[str]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    path = data_dir() / "patterns" / "english.json"
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    try:
        ahead = "(?=[" + re.escape("".join(raw["open"])) + "])"  # the gap ends at a bracket
        gaps = {k: re.compile(f"(?:{v}){ahead}") for k, v in raw["gap"].items() if k != "notes"}
        title = raw["title"]
        return _Rules(
            open=tuple(raw["open"]), close=dict(raw["close"]), max_gloss=int(raw["max_gloss"]),
            gaps=gaps, line_gap=re.compile(raw["latin_line"]["gap"]),
            honorifics=tuple(sorted(raw["honorifics"], key=len, reverse=True)),
            separators=tuple(raw["name_separators"]), particles=frozenset(raw["name_particles"]),
            name_word=re.compile(raw["name_word"]), name_min=int(raw["name_words"]["min"]),
            name_max=int(raw["name_words"]["max"]),
            not_a_name=frozenset(raw["not_a_name"]["words"]),
            title_text=re.compile(title["text"]), title_min=int(title["min_words"]),
            title_max=int(title["max_words"]), lower_word=re.compile(title["lower_word"]),
            reject=re.compile(title["reject"]), trim=re.compile(title["trim"]),
            chain=raw["role"]["chain"], join=raw["role"]["join"],
            inside=re.compile(raw["inside"]["pattern"]),
        )
    except (KeyError, TypeError, ValueError, re.error) as err:
        raise ValueError(f"{path}: bad English-gloss rules: {err}") from err


# --- finding a gloss ------------------------------------------------------------------------


def gloss_after(text: str, end: int, kind: str) -> str | None:
    """The bracketed text right after ``text[:end]`` (past the gap ``kind`` allows), or for a
    person a Latin line below it; None when there is none.

    >>> gloss_after("「甲協定」（Agreement A）に署名した。", 5, "agreement")
    'Agreement A'
    >>> gloss_after("山田・某国大統領（Mr. Jiro Yamada）", 2, "person")
    'Mr. Jiro Yamada'
    """
    rules = _rules()
    gap = rules.gaps.get(kind)
    if gap is None:
        return None
    m = gap.match(text, end)
    found = _bracketed(text, m.end(), rules) if m else None
    if found is not None or kind != "person":
        return found
    line = rules.line_gap.match(text, end)
    if line is None:
        return None
    stop = text.find("\n", line.end())
    row = text[line.end(): stop if stop >= 0 else len(text)].strip()
    if row and row.startswith(rules.honorifics) and len(row) <= rules.max_gloss:
        return row
    return None


def _bracketed(text: str, at: int, rules: _Rules) -> str | None:
    if at >= len(text) or text[at] not in rules.open:
        return None
    depth, i = 0, at
    while i < len(text) and i - at <= rules.max_gloss:
        ch = text[i]
        if ch in rules.open:
            depth += 1
        elif ch in rules.close.values():
            depth -= 1
            if depth == 0:
                inner = text[at + 1: i].strip()
                return inner or None
        i += 1
    return None


# --- what a gloss says ----------------------------------------------------------------------


def _strip_honorifics(text: str, rules: _Rules) -> tuple[str, bool]:
    had = False
    text = text.strip()
    while True:
        hit = next((h for h in rules.honorifics if text.startswith(h)
                    and (h.endswith(".") or len(text) == len(h) or not text[len(h)].isalpha())), None)
        if hit is None:
            return text, had
        text, had = text[len(hit):].lstrip(" .\u3000"), True


def _name_case(word: str) -> str:
    """LASTNAME -> Lastname (each hyphen part); other words as written."""
    letters = [c for c in word if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "-".join(part[:1] + part[1:].lower() for part in word.split("-"))
    return word


def person_name(gloss: str) -> str | None:
    """A person's name in Latin letters from a gloss (honorifics dropped, the office after the
    first comma dropped, LASTNAME as Lastname), or None when the gloss is no person's name."""
    rules = _rules()
    head = gloss
    for sep in rules.separators:
        head = head.split(sep, 1)[0]
    head, honoured = _strip_honorifics(head, rules)
    words = head.split()
    if not rules.name_min <= len(words) <= rules.name_max:
        return None
    named = [w for w in words if w.lower() not in rules.particles]
    if not named or not all(rules.name_word.fullmatch(w) for w in named):
        return None
    if any(w.strip(".").title() in rules.not_a_name or w.strip(".") in rules.not_a_name
           for w in named):
        return None
    if not honoured and not any(len(w) > 1 and w.isupper() for w in named):
        return None  # no Mr./H.E.: only the Firstname LASTNAME convention marks a person
    return " ".join(_name_case(w) for w in words)


def title_name(gloss: str) -> str | None:
    """The English name of an agreement or meeting from a gloss, or None (a note, a date, an
    acronym, Japanese text)."""
    rules = _rules()
    text = rules.trim.sub("", " ".join(gloss.split()))
    if not rules.title_text.match(text) or rules.reject.search(text):
        return None
    words = text.split()
    if not rules.title_min <= len(words) <= rules.title_max:
        return None
    if not rules.lower_word.search(text) and not any(len(w) > 3 for w in words):
        return None
    return text


def role_en(role: str | None, gazetteer: Any) -> str | None:
    """The English of a role from the gazetteer's titles (a chain 副首相兼外務大臣 joined by
    ``and``), or None when a link has no English.

    >>> class G:
    ...     def title(self, t):
    ...         return {"大統領": type("T", (), {"title_en": "President"})}.get(t)
    >>> role_en("大統領", G()), role_en("大統領兼大統領", G()), role_en("長老", G())
    ('President', 'President and President', None)
    """
    if not role:
        return None
    rules = _rules()
    parts = role.split(rules.chain)
    names = []
    for part in parts:
        title = gazetteer.title(part) if hasattr(gazetteer, "title") else None
        if title is None or not getattr(title, "title_en", None):
            return None
        names.append(title.title_en)
    return rules.join.join(names)


# --- on the families' facts -----------------------------------------------------------------


def _first_gloss(ctx: DocContext, mentions: tuple[Mention, ...], kind: str, read) -> str | None:
    passages = ctx.document.passages
    for m in sorted(mentions, key=lambda m: (m.start, m.end)):
        if not 0 <= m.passage < len(passages):
            continue
        p = passages[m.passage]
        gloss = gloss_after(p.text, m.end - p.start, kind)
        if gloss is None and kind != "person":  # 「和名(English name)」: inside the quotation
            inner = _rules().inside.search(m.text)
            gloss = inner.group(1).strip() if inner else None
        value = read(gloss) if gloss else None
        if value:
            return value
    return None


def with_english(ctx: DocContext, fact: Any, kind: str) -> Any:
    """``fact`` with ``label_en`` from the text's gloss (and a person's ``role_en`` from the
    gazetteer) where it has none; ``kind``: ``person``, ``agreement`` or ``meeting``."""
    changes: dict[str, Any] = {}
    if getattr(fact, "label_en", None) is None:
        read = person_name if kind == "person" else title_name
        label = _first_gloss(ctx, tuple(fact.mentions), kind, read)
        if label:
            changes["label_en"] = label
    if kind == "person" and getattr(fact, "role_en", None) is None:
        role = role_en(getattr(fact, "role", None), ctx.gazetteer)
        if role:
            changes["role_en"] = role
    return replace(fact, **changes) if changes else fact
