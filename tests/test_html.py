import trafilatura

from cleaner.document import Document
from cleaner.stages.html import Html, HtmlParams
from cleaner.stages.html_vote import Para, drop_links, drop_title, page_titles, recover

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


# --- the jusText vote (cleaner/stages/html_vote.py) ---


LEAD = "The storm reached the coast early on Monday and knocked out power to thousands of homes nearby."
MID = "Crews worked through the night to clear fallen trees from the main roads leading into the town."
END = "Officials said schools would stay closed until the water supply had been tested and declared safe."
ART = "html.body.article.p"


def test_recover_puts_back_a_missed_paragraph_in_page_order():
    paras = [Para(LEAD, False, ART), Para(MID, False, ART), Para(END, False, ART)]
    assert recover(f"{LEAD}\n{END}", paras, min_words=10, gap=3) == f"{LEAD}\n{MID}\n{END}"


def test_recover_puts_back_a_missed_lead_and_tail():
    paras = [Para(LEAD, False, ART), Para(MID, False, ART), Para(END, False, ART)]
    assert recover(MID, paras, min_words=10, gap=3) == f"{LEAD}\n{MID}\n{END}"


def test_recover_leaves_out_other_containers_boilerplate_and_short_lines():
    caption = Para(
        "A photograph of the flooded main street taken from the roof of the old town hall.",
        False,
        "html.body.article.figure.figcaption",
    )
    ad = Para("Subscribe to our newsletter to get the best of our storm coverage every single morning.", True, ART)
    short = Para("Read more about it", False, ART)
    paras = [Para(LEAD, False, ART), caption, ad, short, Para(END, False, ART)]
    assert recover(f"{LEAD}\n{END}", paras, min_words=10, gap=3) == f"{LEAD}\n{END}"


def test_recover_does_not_repeat_text_already_kept():
    paras = [Para(LEAD, False, ART), Para(f"{MID} {END}", False, ART)]
    body = f"{LEAD}\n{MID}\n{END}"
    assert recover(body, paras, min_words=10, gap=3) == body


def test_recover_stops_after_gap_non_qualifying_paragraphs():
    other = [
        Para(f"Sidebar item number {n} with enough words to count as a paragraph here.", False, "html.body.aside.p")
        for n in range(3)
    ]
    paras = [Para(LEAD, False, ART), *other, Para(END, False, ART)]
    assert recover(LEAD, paras, min_words=10, gap=2) == LEAD
    assert recover(LEAD, paras, min_words=10, gap=3) == f"{LEAD}\n{END}"


def test_recover_without_a_match_returns_the_text():
    assert (
        recover("Something else entirely, not on the page at all.", [Para(LEAD, False, ART)], min_words=10, gap=3)
        == "Something else entirely, not on the page at all."
    )


def test_drop_links_drops_lines_that_are_mostly_link_text():
    related = "Related: Ten storms that changed the coast and what the towns learned from them"
    paras = [Para(LEAD, False, ART, 0.1), Para(related, True, ART, 0.9), Para(END, False, ART, 0.8)]
    body = f"{LEAD}\n{related}\n{END}\nShort link"
    assert drop_links(body, paras, max_links=0.8) == f"{LEAD}\n{END}\nShort link"


def test_drop_title_drops_a_headline_first_line_only():
    titles = ["Storm knocks out power on the coast - Example News"]
    assert drop_title(f"Storm knocks out power on the coast\n{LEAD}", titles) == LEAD
    assert (
        drop_title(f"{LEAD}\nStorm knocks out power on the coast", titles)
        == f"{LEAD}\nStorm knocks out power on the coast"
    )
    assert drop_title(f"Storm\n{LEAD}", titles) == f"Storm\n{LEAD}"  # too short to judge


def test_page_titles_reads_title_h1_and_og_title():
    page = (
        '<html><head><title>T one</title><meta property="og:title" content="T two"></head>'
        "<body><h1>T three</h1></body></html>"
    )
    assert sorted(page_titles(page)) == ["T one", "T three", "T two"]


def test_vote_drops_the_headline_and_keeps_the_article():
    params = HtmlParams(favor_precision=True, vote=True)
    (edit,) = Html(params).run(Document("p", PAGE, kind="html"), PAGE)
    assert edit.rule == "html/trafilatura" and edit.action == "replace"
    assert BODY in edit.replacement
    assert not edit.replacement.startswith("Council passes budget")
    assert "Privacy policy" not in edit.replacement


def test_a_page_without_elements_gives_an_empty_text_not_an_error():
    for page in ("<!-- nothing here -->", " <"):
        (edit,) = Html(HtmlParams(favor_precision=True, vote=True)).run(Document("p", page, kind="html"), page)
        assert edit.action == "remove" and edit.replacement == ""
