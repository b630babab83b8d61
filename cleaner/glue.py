"""Markers glued to the paragraph after them ("advertisementThe minister said"): where one ends.

Scrapers drop the line break between an ad-slot label and the next paragraph. The phrase
rules (`glued: true`) and repeated-line learning both cut such a marker, and both decide
with `glued_at` whether the text after it starts a new paragraph or merely continues a word.
SEO spam is set before a paragraph with a space ("slot gacor But it is..."): `lead` finds
where the sentence starts after such a lowercase lead.
"""

from __future__ import annotations

import re

OPENERS = '“"‘«(['  # a paragraph may open with these right after a glued marker
MARKER_ENDS = ":.!-‐‑–—|»›>)]…"  # a decorated marker may end in these ("Advertisement:", "AD –")
HYPHENS = "-‐‑"  # joining a compound when a letter comes before
# A non-space character followed by a capital or an opening quote: where a glued marker may end.
CANDIDATE = re.compile(r"(?<=\S)[A-Z“\"‘«(\[]")
TOKEN = re.compile(r"\S+")
LEAD_WORDS = 4  # a lead longer than this is a sentence that starts in lowercase


def glued_at(segment: str, end: int) -> bool:
    """Is segment[:end] glued to a paragraph that follows it: no space between them, a
    sentence starts there ("advertisementThe", "ADVERTISEMENTThe", "Advertisement:The") or
    a quote opens, and three words or more follow. Not a compound ("Advertisement-free"),
    nor capitals running on ("ADVERTISEMENT-FREE PLANS")."""
    before, rest = segment[end - 1], segment[end:]
    if before.isspace() or rest.count(" ") < 2:
        return False
    if before in HYPHENS and end > 1 and segment[end - 2].isalnum():
        return False  # a compound ("Advertisement-free plans"), not a decorated label
    after = rest[0]
    if after in OPENERS:
        return True
    if not after.isupper():
        return False
    if before.islower():
        return True
    return len(rest) > 1 and rest[1].islower()  # "ADVERTISEMENTThe", "Advertisement:The"


def glue_points(line: str, limit: int) -> list[int]:
    """Where a marker of at most `limit` characters could end, glued, at the start of `line`."""
    return [m.start() for m in CANDIDATE.finditer(line, 1, limit + 1) if glued_at(line, m.start())]


def learnable(text: str, marker: str, word: str) -> bool:
    """May `marker`, glued to `word` at the start of a line of `text`, be counted as a marker
    the corpus repeats? Names glue like markers ("Mr. McConnell", "the SoftBank deal",
    "SUVs"), so more than `glued_at` is asked: a capitalised word follows (or a quote and a
    capital), the word before the join has 4 letters or more or ends in punctuation
    ("Advertisement:"), and the two joined ("McConnell") occur nowhere else in the
    document: a story repeats its names, a marker glued to a paragraph is a one-off."""
    if word[0] in OPENERS:
        if not word[1:2].isupper():
            return False  # a closing quote, or a quote opening on no sentence
    elif not (len(word) == 1 or word[1].islower()):
        return False  # "AI", "iPHONE": capitals running on, part of a name
    last = marker.rsplit(None, 1)[-1]
    if last[-1].isalnum():
        if len(last) < 4:
            return False  # "Mc", "De", "La": the start of a name
    elif last[-1] not in MARKER_ENDS:
        return False  # "(Reuters)", "@handle", "#tag", "path/Name": not the end of a marker
    return text.count(last + word) == 1


def lead(line: str) -> int:
    """Where a sentence starts after the lowercase words `line` opens with ("slot gacor But
    it is..." -> the index of "But"): at a capitalised word, a digit or a quote and a capital,
    within `LEAD_WORDS` words, with three words or more from there; 0 if there is no such start."""
    if not line[:1].islower():
        return 0
    for i, m in enumerate(TOKEN.finditer(line)):
        if i == 0:
            continue
        if i > LEAD_WORDS:
            return 0
        word = m.group()
        c = word[0]
        if c.isupper() or c.isdigit() or c in OPENERS:
            if c.isupper() and len(word) > 1 and not word[1].islower():
                return 0  # "slot AI", "iPhone 15 PRO": capitals running on, not a sentence's start
            if c in OPENERS and not word[1:2].isupper():
                return 0
            return m.start() if line.count(" ", m.start()) >= 2 else 0
    return 0
