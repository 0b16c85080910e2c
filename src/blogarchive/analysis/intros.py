"""The phrases that introduce a list of earlier posts, and the search for them in a text.

Every body's whole text is searched once (no phrase: no link-list search), then each short
line and block of the few bodies holding one. The search was a sixth of the analysis: the
engine looked at every character of the text to find where a word could start (``\\W``, a
Unicode category looked up per character). Most of the texts are squashed (``_tree.squash``),
where words are parted by single spaces: a phrase after a space is found by a pattern that
starts with a space, which the engine skips to in C as it does to any literal character, and
a phrase after any other non-letter is looked for by a pattern of its own on the text's
bytes, where every such character is the one byte ``\\x01`` (issue 12).
"""

from __future__ import annotations

import re
from typing import Final

from ._trie import trie_pattern

__all__ = ["INTRO_AFTER", "INTRO_AT_START", "PHRASES", "has_intro_phrase"]

# Intro phrases, lower case (HTML.md 7.1 and their French, German, Spanish, Portuguese,
# Italian and Dutch counterparts), matched through a trie-shaped pattern: a plain alternation
# of a hundred phrases made this check most of the analysis time.
PHRASES: Final = (
    "earlier", "previous", "prior", "related", "see also", "more on", "on the topic",
    "on this topic", "on the subject", "on this subject", "further reading", "read also",
    "also read", "recommended reading",
    *(f"{a} {b}" for a in ("past", "older", "other", "more")
      for b in ("posts", "entries", "articles")),
    "précédent", "précédente", "précédents", "précédentes", "antérieur", "antérieure",
    "antérieurs", "antérieures", "voir aussi", "lire aussi", "sur le même sujet",
    "sur le même thème", "sur ce sujet", "sur ce thème", "article connexe", "articles connexes",
    "article lié", "articles liés", "billet lié", "billets liés",
    *(f"{stem}{end}" for stem in ("frühere", "vorherige", "bisherige", "ältere", "verwandte")
      for end in ("", "n", "r", "s")),
    "siehe auch", "zum thema", "weitere beiträge", "weitere artikel",
    "anterior", "anteriores", "véase también", "vea también", "ver también", "relacionado",
    "relacionados", "relacionada", "relacionadas", "sobre el tema", "sobre este tema",
    "más sobre", "entradas previas", "artículos previos",
    "sobre o tema", "sobre o assunto", "sobre esse tema", "sobre este assunto", "mais sobre",
    "veja também", "leia também",
    "precedenti", "vedi anche", "articoli correlati", "eerdere", "zie ook",
)

# A phrase from a word's start to a word's end, not "prior to". Every phrase opens with a
# letter, so ``\b`` before it is the text's start or a non-letter. The definition: a lowered
# text holds a phrase when INTRO_AT_START matches it or INTRO_AFTER is found in it.
_PHRASE: Final = trie_pattern(PHRASES) + r"\b(?! to\b)"
INTRO_AT_START: Final = re.compile(_PHRASE)
INTRO_AFTER: Final = re.compile(r"\W" + _PHRASE)
# INTRO_AFTER, split by what comes before the phrase: a space (the common case, and the
# engine skips to each in C), or any other non-letter (looked for only when no space-led
# phrase was found, in C on bytes, below).
_AFTER_SPACE: Final = re.compile(" " + _PHRASE)
_AFTER_OTHER: Final = re.compile(r"[^\w ]" + _PHRASE)

# A text of the first 256 code points (ASCII, most Western European text) as its Latin-1
# bytes, with every character that is neither a word character (as a str pattern's ``\w``
# reads it) nor a space as the byte 1: a phrase after one of those is a phrase after that
# byte, which the engine finds as it finds the space. Byte patterns know only ASCII word
# characters, so the ends of a phrase are tested against the class of those bytes.
_WORD_BYTES: Final = bytes(c for c in range(256) if re.match(r"\w", chr(c)))
_WORD: Final = b"[" + b"".join(b"\\x%02x" % c for c in _WORD_BYTES) + b"]"
_LATIN1_MARKS: Final = bytes(c if c in _WORD_BYTES or c == 32 else 1 for c in range(256))
_AFTER_MARK: Final = re.compile(
    b"\x01" + trie_pattern(p for p in PHRASES if p.isascii() or max(p) < "\u0100")
    .encode("latin-1") + b"(?!" + _WORD + b")(?! to(?!" + _WORD + b"))")
# Any other text as its UTF-8 bytes, every byte of a non-ASCII character marked too (it may
# be a letter or not): a phrase there after a mark is only maybe one after a non-letter, so
# this pattern finds a superset (each phrase's non-ASCII letters are marks as well), and
# only a text it finds something in is searched by _AFTER_OTHER.
_UTF8_MARKS: Final = bytes(
    c if (c < 128 and c in _WORD_BYTES) or c == 32 else 1 for c in range(256))
_MAYBE_AFTER_MARK: Final = re.compile(
    b"\x01" + trie_pattern(p.encode().translate(_UTF8_MARKS).decode("ascii") for p in PHRASES)
    .encode("ascii") + rb"(?!\w)(?! to(?![\w\x01]))")


def has_intro_phrase(text: str) -> bool:
    """``text`` holds an intro phrase, in any case, from a word's start to a word's end:
    ``INTRO_AT_START.match`` or ``INTRO_AFTER.search`` of the lowered text, in cheaper steps."""
    text = text.lower()
    if INTRO_AT_START.match(text) is not None or _AFTER_SPACE.search(text) is not None:
        return True
    try:
        marked = text.encode("latin-1").translate(_LATIN1_MARKS)
    except UnicodeEncodeError:
        marked = text.encode("utf-8", "surrogatepass").translate(_UTF8_MARKS)
        return (_MAYBE_AFTER_MARK.search(marked) is not None
                and _AFTER_OTHER.search(text) is not None)
    return _AFTER_MARK.search(marked) is not None
