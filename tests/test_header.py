from cleaner import Pipeline
from cleaner.document import Document, apply_edits
from cleaner.stages.header import Field, Header, HeaderParams

DATE = Pipeline().config.stage("header").params


def run(text: str):
    edits = Header(DATE).run(Document("d", text), text)
    return apply_edits(text, edits), edits


def test_date_residue_becomes_metadata():
    out, edits = run(" date 2025-02-04 El Salvador's leader said.")
    assert out == "El Salvador's leader said."
    assert edits[0].rule == "header/date" and dict(edits[0].meta) == {"date": "2025-02-04"}


def test_only_at_the_start():
    text = "The vote on date 2025-02-04 was close."
    assert run(text) == (text, ())


def test_not_when_nothing_follows():
    text = "date 2025-02-04 "
    assert run(text)[0] == text


def test_pipeline_puts_date_in_meta(pipeline):
    cleaned = pipeline.clean(Document("d", " date 2025-02-04 Rubio said on Monday."))
    assert cleaned.text == "Rubio said on Monday." and cleaned.meta == {"date": "2025-02-04"}


def test_fields_chain():
    params = HeaderParams(fields=(Field("date", r"date (?P<value>\S+) "), Field("author", r"by (?P<value>\w+) ")))
    text = "date 2025-01-01 by Ana Body text."
    edits = Header(params).run(Document("d", text), text)
    assert apply_edits(text, edits) == "Body text."
    assert [dict(e.meta) for e in edits] == [{"date": "2025-01-01"}, {"author": "Ana"}]
