"""Second opinions on trafilatura's article text, from jusText and the page's own title.

trafilatura in precision mode keeps little chrome but sometimes stops short of the article:
it drops the lead paragraph or the part after an ad slot. jusText classifies every
paragraph of the page and knows where in the DOM each one sits. A paragraph jusText calls
content, that sits in the same DOM container as paragraphs trafilatura kept and near them,
is article text trafilatura missed; it is put back in page order. Chrome in the same spot
(image captions, ad slots, newsletter boxes) lives in other containers, so it stays out.

A line that is nearly all link text on the page (jusText's link density) is a pointer to
another page ("Related: ...", "Read more: ..."), not article text, and is dropped too.

The headline is the page's title, not article text: a first line equal to the <title>,
og:title or <h1> is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml.etree import ParserError

TOKEN = re.compile(r"\w+")
MIN_KEY = 20  # characters of a line's token key before it is matched to a jusText paragraph


@dataclass(frozen=True)
class Para:
    """One jusText paragraph: its text, whether jusText calls it boilerplate, its DOM path,
    and the share of its characters that are link text."""

    text: str
    boilerplate: bool
    path: str
    links: float = 0.0


def key(text: str) -> str:
    """Lowercased word tokens: what two extractors agree on whatever their spacing."""
    return " ".join(TOKEN.findall(text.lower()))


def _shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    toks = TOKEN.findall(text.lower())
    return {tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1))}


def _match(lines: list[str], paras: list[Para]) -> list[int | None]:
    """For each line of trafilatura's text, the jusText paragraph it is (in page order)."""
    keys = [key(p.text) for p in paras]
    found: list[int | None] = []
    last = -1
    for line in lines:
        k = key(line)
        hit = None
        if len(k) >= MIN_KEY:
            for i in range(last + 1, len(keys)):
                pk = keys[i]
                if pk and (k in pk or pk in k) and len(pk) >= len(k) / 2:
                    hit = i
                    break
        if hit is not None:
            last = hit
        found.append(hit)
    return found


def recover(body: str, paras: list[Para], *, min_words: int, gap: int) -> str:
    """`body` with the content paragraphs trafilatura missed put back in page order.

    A paragraph comes back when jusText calls it content, it has `min_words` words, its
    DOM path is one of the kept paragraphs' paths, and it is not already in `body`. Between
    two kept paragraphs that is enough; before the first or after the last kept one the
    search stops after `gap` paragraphs in a row that do not qualify.
    """
    lines = body.split("\n")
    found = _match(lines, paras)
    kept = [i for i in found if i is not None]
    if not kept:
        return body
    paths = {paras[i].path for i in kept}
    have = _shingles(body)

    def wanted(p: Para) -> bool:
        if p.boilerplate or p.path not in paths or len(TOKEN.findall(p.text)) < min_words:
            return False
        sh = _shingles(p.text)
        return sum(s in have for s in sh) < len(sh) / 2

    def edge(candidates: list[Para]) -> list[str]:
        out: list[str] = []
        misses = 0
        for p in candidates:
            if wanted(p):
                out.append(p.text)
                misses = 0
            else:
                misses += 1
                if misses > gap:
                    break
        return out

    out = edge(paras[kept[0] - 1 :: -1] if kept[0] else [])[::-1]
    prev = None
    for line, i in zip(lines, found, strict=True):
        if i is not None:
            if prev is not None:
                out.extend(p.text for p in paras[prev + 1 : i] if wanted(p))
            prev = i
        out.append(line)
    out.extend(edge(paras[kept[-1] + 1 :]))
    return "\n".join(out)


def drop_links(body: str, paras: list[Para], *, max_links: float) -> str:
    """`body` without the lines whose paragraph on the page is more than `max_links` link text.

    Only lines matched to a jusText paragraph are judged; short lines are left alone.
    """
    lines = body.split("\n")
    found = _match(lines, paras)
    return "\n".join(line for line, i in zip(lines, found, strict=True) if i is None or paras[i].links <= max_links)


def page_titles(page: str) -> list[str]:
    """The page's <title>, <h1> and og:/twitter: titles."""
    try:
        tree = lxml.html.fromstring(page.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (ParserError, ValueError):
        return []
    found = tree.xpath("//title|//h1|//meta[@property='og:title']/@content|//meta[@name='twitter:title']/@content")
    return [t if isinstance(t, str) else t.text_content() for t in found]


def drop_title(body: str, titles: list[str]) -> str:
    """`body` without its first line when that line is the page title.

    A title tag often carries the site name after the headline ("Headline - Site"), so a
    line that is the start of a title and most of it counts too.
    """
    head, sep, rest = body.partition("\n")
    k = key(head)
    if len(k) < 10:
        return body
    for t in titles:
        tk = key(t)
        if len(tk) >= 10 and (k == tk or (tk.startswith(k) and len(k) >= 0.6 * len(tk))):
            return rest.lstrip("\n")
    return body
