import trafilatura

from cleaner.document import Document
from cleaner.stages.html import Html

BODY = (
    "The city council approved the new budget on Tuesday after a long debate about "
    "road repairs, school funding and the future of the public library system, which "
    "had been the subject of several petitions signed by thousands of residents over the summer."
)
PAGE = f"""<html><head><title>Council passes budget</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Council passes budget</h1>
<p>{BODY}</p>
<p>Members voted seven to two. The mayor said the plan protects essential services while
keeping property taxes flat for a third consecutive year, which residents had demanded at
every public meeting since the spring, and that the council would review the results next year.</p>
<p>The library will receive an additional two hundred thousand dollars for longer opening
hours and new books, according to the finance director who presented the figures.</p>
</article>
<footer>Copyright 2025 Example News. All rights reserved. Privacy policy. Terms of use.</footer>
</body></html>"""


def extract(page: str) -> tuple[str, str]:
    (edit,) = Html().run(Document("p", page, kind="html"), page)
    assert (edit.start, edit.end) == (0, len(page))
    return edit.rule, edit.replacement


def test_trafilatura_extracts_the_article():
    rule, text = extract(PAGE)
    assert rule == "html/trafilatura"
    assert BODY in text
    assert "Privacy policy" not in text and "Sport" not in text


def test_justext_when_trafilatura_finds_nothing(monkeypatch):
    monkeypatch.setattr(trafilatura, "extract", lambda *a, **k: None)
    rule, text = extract(PAGE)
    assert rule == "html/justext"
    assert BODY in text


def test_plain_text_documents_are_not_touched():
    text = "<p>Plain text that mentions a tag.</p>"
    assert Html().run(Document("t", text, kind="text"), text) == ()


def test_pipeline_runs_html_once(pipeline):
    cleaned = pipeline.clean(Document("p", PAGE, kind="html"))
    assert [s.stage for s in cleaned.steps].count("html") == 1
    assert BODY in cleaned.text
