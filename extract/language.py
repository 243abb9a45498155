"""Which language a document is written in, from the Unicode scripts of its letters.

The extractor reads Japanese; a document in another language builds with almost nothing in it.
:func:`detect_language` says what a text looks like, without a model or a dependency: it counts
the letters of each script (kana, CJK ideographs, Hangul, Latin, Cyrillic, Arabic, Thai …) and
decides

* Japanese: CJK text (ideographs and kana) with kana in it — Chinese writes no kana;
* Chinese: ideographs with (almost) no kana; Korean: Hangul;
* English (or French, German, Spanish) when the Latin words are mostly that language's common
  function words, else "a Latin-script language"; Russian likewise for Cyrillic;
* otherwise the script's language or "a … -script language".

Letters are weighed: one kanji, kana or Hangul syllable counts for about as much text as
:data:`CJK_WEIGHT` Latin letters, so a Japanese document quoting English titles, giving URLs
(removed before counting) or carrying the Latin debris of a PDF extraction is still Japanese.
A long text is judged on evenly spaced samples (:data:`SAMPLE_CHARS` at most).

>>> detect_language("両首脳は、協力を強化することで一致した。").code
'ja'
>>> detect_language("The two leaders agreed to strengthen their cooperation.").name
'English'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CJK_WEIGHT", "DocumentWarning", "Language", "detect_language", "language_warning"]

#: How many Latin (or Cyrillic …) letters one CJK character stands for, when shares are compared.
CJK_WEIGHT = 2.5
#: A text longer than this is judged on evenly spaced windows adding up to about this many characters.
SAMPLE_CHARS = 200_000
_WINDOWS = 40
#: Japanese when ideographs and kana together are at least this share of the weighted letters …
_JA_MIN_SHARE = 0.2
#: … and kana are at least this share of the ideographs and kana (Japanese prose: 50-70 %).
_JA_MIN_KANA = 0.05

# one character class per script: (name, regex class)
_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("kana", "\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"),
    ("han", "\u3005-\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"),
    ("hangul", "\u1100-\u11ff\u3131-\u318e\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff\uffa0-\uffdc"),
    ("latin", "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a"),
    ("cyrillic", "\u0400-\u052f"),
    ("greek", "\u0370-\u03ff\u1f00-\u1fff"),
    ("arabic", "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc"),
    ("hebrew", "\u0590-\u05ff"),
    ("thai", "\u0e00-\u0e7f"),
    ("devanagari", "\u0900-\u097f"),
)
_SCRIPT_RUNS = tuple((name, re.compile(f"[{chars}]+")) for name, chars in _SCRIPTS)
_CJK = {"kana", "han", "hangul"}

# what is not prose: URLs, e-mail addresses, pdfminer's (cid:123) glyph codes
_NOISE = re.compile(r"(?:https?|ftp)://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\(cid:\d+\)", re.ASCII)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: The common function words of languages written in Latin or Cyrillic letters.
_FUNCTION_WORDS: dict[str, tuple[str, frozenset[str]]] = {
    "en": ("English", _words(
        "the of and to in a is that for on with as by be are was were it this at from or an which will "
        "have has had not their its they we our his her he she been would also between both")),
    "fr": ("French", _words(
        "le la les de des du et est une un dans pour que qui sur par au aux avec ne pas sont ce cette "
        "il elle nous leur")),
    "de": ("German", _words(
        "der die das und ist nicht mit den dem des ein eine zu von im auf für sich auch es sind wird "
        "werden zwischen")),
    "es": ("Spanish", _words("el la los las y que en del por con una un para es se al lo su sus como entre más")),
    "ru": ("Russian", _words("и в не на что с по как это к из для о от а но за же то его ее их мы они")),
}
_LATIN_WORD = re.compile(r"[a-zà-öø-ÿ]+(?:'[a-z]+)?")
_CYRILLIC_WORD = re.compile(r"[а-яё]+")
#: A Latin or Cyrillic text is in a language when this share of its words are its function words.
_FUNCTION_SHARE = 0.15

_SCRIPT_LANGUAGES = {
    "hangul": ("ko", "Korean"),
    "greek": ("el", "Greek"),
    "arabic": ("ar", "an Arabic-script language"),
    "hebrew": ("he", "Hebrew"),
    "thai": ("th", "Thai"),
    "devanagari": ("hi", "a Devanagari-script language"),
}


@dataclass(frozen=True)
class Language:
    """What a text looks like.

    ``code`` is an ISO 639-1 code (``"ja"``, ``"en"``, ``"zh"`` …), ``"latin"`` / ``"cyrillic"``
    for a script whose language is not recognised, or ``"und"`` for a text without letters;
    ``name`` reads in a sentence (``"English"``, ``"a Latin-script language"``); ``confidence``
    (0-1) is the weighted share of the letters that speak for it; ``shares`` is the weighted
    share of each script found (kana, han, hangul, latin, cyrillic …)."""

    code: str
    name: str
    confidence: float
    shares: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def is_japanese(self) -> bool:
        return self.code == "ja"


def _sample(text: str) -> str:
    if len(text) <= SAMPLE_CHARS:
        return text
    width = SAMPLE_CHARS // _WINDOWS
    step = (len(text) - width) / (_WINDOWS - 1)
    return "\n".join(text[round(i * step) : round(i * step) + width] for i in range(_WINDOWS))


def script_counts(text: str) -> dict[str, int]:
    """Letters of each script in ``text`` (URLs and e-mail addresses left out)."""
    text = _NOISE.sub(" ", text)
    counts = {}
    for name, runs in _SCRIPT_RUNS:
        n = sum(map(len, runs.findall(text)))
        if n:
            counts[name] = n
    return counts


def _by_function_words(words: list[str], codes: tuple[str, ...]) -> tuple[str, str, float] | None:
    """The language whose function words make up the largest share of ``words``, if large enough."""
    if not words:
        return None
    best = max(codes, key=lambda c: sum(w in _FUNCTION_WORDS[c][1] for w in words))
    share = sum(w in _FUNCTION_WORDS[best][1] for w in words) / len(words)
    return (best, _FUNCTION_WORDS[best][0], share) if share >= _FUNCTION_SHARE else None


def detect_language(text: str) -> Language:
    """The language ``text`` looks written in (see the module's docstring for the rules)."""
    sample = _sample(text)
    counts = script_counts(sample)
    weighted = {k: n * (CJK_WEIGHT if k in _CJK else 1.0) for k, n in counts.items()}
    total = sum(weighted.values())
    if not total:
        return Language("und", "no language (no letters)", 0.0, {})
    shares = {k: round(v / total, 4) for k, v in sorted(weighted.items(), key=lambda kv: -kv[1])}
    kana, han = counts.get("kana", 0), counts.get("han", 0)
    japanese = shares.get("kana", 0.0) + shares.get("han", 0.0)
    if japanese >= _JA_MIN_SHARE and kana >= _JA_MIN_KANA * (kana + han):
        return Language("ja", "Japanese", round(japanese, 4), shares)
    top = next(iter(shares))
    if top in {"han", "kana"}:
        if kana >= _JA_MIN_KANA * (kana + han):
            return Language("ja", "Japanese", round(japanese, 4), shares)
        return Language("zh", "Chinese", shares["han"], shares)
    if top == "latin":
        words = _LATIN_WORD.findall(_NOISE.sub(" ", sample).lower())
        found = _by_function_words(words, ("en", "fr", "de", "es"))
        if found is not None:
            return Language(found[0], found[1], round(shares["latin"] * min(1.0, found[2] / 0.3), 4), shares)
        return Language("latin", "a Latin-script language", shares["latin"], shares)
    if top == "cyrillic":
        found = _by_function_words(_CYRILLIC_WORD.findall(sample.lower()), ("ru",))
        if found is not None:
            return Language("ru", "Russian", round(shares["cyrillic"] * min(1.0, found[2] / 0.3), 4), shares)
        return Language("cyrillic", "a Cyrillic-script language", shares["cyrillic"], shares)
    code, name = _SCRIPT_LANGUAGES[top]
    return Language(code, name, shares[top], shares)


@dataclass(frozen=True)
class DocumentWarning:
    """A document that was built but may not give what is expected of it (it is not Japanese).

    ``str(warning)`` reads ``"FILE: what"``, like :class:`~extract.errors.DocumentError`."""

    path: Path
    message: str
    language: Language | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def language_warning(path: Path | str, text: str) -> DocumentWarning | None:
    """A warning naming the language of ``text`` when it does not look like Japanese, else ``None``."""
    found = detect_language(text)
    if found.is_japanese:
        return None
    if found.code == "und":
        message = "has no letters in any script (only digits and symbols), not Japanese text; few facts will be found"
    else:
        message = f"looks like {found.name}, not Japanese; few facts will be found"
    return DocumentWarning(Path(path), message, found)
