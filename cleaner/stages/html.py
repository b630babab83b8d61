"""HTML page -> article text: trafilatura, with jusText when trafilatura finds nothing.

With `vote` on, jusText's paragraph classes put back article paragraphs trafilatura missed
and the headline is dropped (see html_vote.py). The whole page is one span, replaced by the
extracted text; the page itself stays in the input file, so the audit records which
extractor ran rather than the removed markup.
"""

from __future__ import annotations

from dataclasses import dataclass

import justext
from lxml.etree import ParserError

from ..document import Document, Edit
from .base import Stage
from .html_vote import Para, drop_links, drop_title, page_titles, recover


@dataclass(frozen=True)
class HtmlParams:
    include_tables: bool = True
    include_comments: bool = False
    favor_precision: bool = False
    fallback: bool = True  # jusText when trafilatura returns nothing
    fallback_language: str = "English"
    vote: bool = False  # jusText puts back paragraphs trafilatura missed; headline dropped
    vote_min_words: int = 10  # a paragraph put back has at least this many words
    vote_gap: int = 3  # before/after the kept text, stop after this many paragraphs that don't qualify
    max_link_density: float = 0.8  # with vote: a line more link text than this is a pointer elsewhere


class Html(Stage):
    name = "html"
    Params = HtmlParams

    def find(self, doc: Document, text: str) -> list[Edit]:
        if doc.kind != "html" or not text.strip():
            return []
        import trafilatura  # here: it takes longer to import than a text-only worker spends on most documents

        p = self.params
        body = trafilatura.extract(
            text,
            include_comments=p.include_comments,
            include_tables=p.include_tables,
            favor_precision=p.favor_precision,
            deduplicate=False,
        )
        rule = "html/trafilatura"
        how = "trafilatura"
        if body and p.vote:
            paras = _paragraphs(text, p.fallback_language)
            body = recover(body, paras, min_words=p.vote_min_words, gap=p.vote_gap)
            body = drop_title(drop_links(body, paras, max_links=p.max_link_density), page_titles(text))
            how = "trafilatura, checked against jusText"
        if not body and p.fallback:
            body = _justext(text, p.fallback_language)
            rule = "html/justext"
            how = "justext"
        body = body or ""
        return [
            Edit(
                0,
                len(text),
                rule,
                f"article text extracted from the page by {how}",
                replacement=body,
                action="replace" if body else "remove",
            )
        ]


def _justext(page: str, language: str) -> str:
    return "\n\n".join(p.text for p in _paragraphs(page, language) if not p.boilerplate)


def _paragraphs(page: str, language: str) -> list[Para]:
    try:
        paragraphs = justext.justext(page.encode("utf-8"), justext.get_stoplist(language))
    except (ParserError, ValueError):  # a page with no elements (only a comment, say): nothing
        return []
    return [Para(p.text, p.is_boilerplate, p.dom_path, p.links_density()) for p in paragraphs]
