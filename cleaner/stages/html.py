"""HTML page -> article text: trafilatura, with jusText when trafilatura finds nothing.

The whole page is one span, replaced by the extracted text; the page itself stays in the
input file, so the audit records which extractor ran rather than the removed markup.
"""

from __future__ import annotations

from dataclasses import dataclass

import justext
import trafilatura

from ..document import Document, Edit
from .base import Stage


@dataclass(frozen=True)
class HtmlParams:
    include_tables: bool = True
    include_comments: bool = False
    favor_precision: bool = False
    fallback: bool = True  # jusText when trafilatura returns nothing
    fallback_language: str = "English"


class Html(Stage):
    name = "html"
    Params = HtmlParams

    def find(self, doc: Document, text: str) -> list[Edit]:
        if doc.kind != "html" or not text.strip():
            return []
        p = self.params
        body = trafilatura.extract(
            text,
            include_comments=p.include_comments,
            include_tables=p.include_tables,
            favor_precision=p.favor_precision,
            deduplicate=False,
        )
        rule = "html/trafilatura"
        if not body and p.fallback:
            body = _justext(text, p.fallback_language)
            rule = "html/justext"
        body = body or ""
        return [
            Edit(
                0,
                len(text),
                rule,
                f"article text extracted from the page by {rule.split('/')[1]}",
                replacement=body,
                action="replace" if body else "remove",
            )
        ]


def _justext(page: str, language: str) -> str:
    paragraphs = justext.justext(page.encode("utf-8"), justext.get_stoplist(language))
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)
