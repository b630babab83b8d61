"""Markers glued to the paragraph after them ("advertisementThe minister said"): where one ends.

Scrapers drop the line break between an ad-slot label and the next paragraph. The phrase
rules (`glued: true`) and repeated-line learning both cut such a marker, and both decide
with `glued_at` whether the text after it starts a new paragraph or merely continues a word.
"""

from __future__ import annotations

import re

OPENERS = '“"‘«(['  # a paragraph may open with these right after a glued marker
MARKER_ENDS = ":.!-‐‑–—|»›>)]…"  # a decorated marker may end in these ("Advertisement:", "AD –")
HYPHENS = "-‐‑"  # joining a compound when a letter comes before
# A non-space character followed by a capital or an opening quote: where a glued marker may end.
CANDIDATE = re.compile(r"(?<=\S)[A-Z“\"‘«(\[]")


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


def learnable(text: str, line: str, end: int) -> bool:
    """May line[:end], glued to what follows, be counted as a marker the corpus repeats?
    Names glue like markers ("Mr. McConnell", "the SoftBank deal", "SUVs"), so more than
    `glued_at` is asked: a capitalised word follows (or a quote and a capital), the word
    before the join has 4 letters or more or ends in punctuation ("Advertisement:"), and
    the two joined ("McConnell") occur nowhere else in the document (`text`): a story
    repeats its names, a marker glued to a paragraph is a one-off."""
    rest = line[end:]
    word = rest.split(None, 1)[0]
    if word[0] in OPENERS:
        if not word[1:2].isupper():
            return False  # a closing quote, or a quote opening on no sentence
    elif not (len(word) == 1 or word[1].islower()):
        return False  # "AI", "iPHONE": capitals running on, part of a name
    last = line[:end].rsplit(None, 1)[-1]
    if last[-1].isalnum():
        if len(last) < 4:
            return False  # "Mc", "De", "La": the start of a name
    elif last[-1] not in MARKER_ENDS:
        return False  # "(Reuters)", "@handle", "#tag", "path/Name": not the end of a marker
    return text.count(last + word) == 1
