"""The counting pass of a run: learn repeated lines from its inputs before cleaning them.

Pass 1 reads every input once and adds its documents to the store kept in the state
folder (so run N also knows runs 1..N-1); pass 2, the cleaning, gets the store's path in
the `repeated` stage's params, and each worker loads it. Pages (.html) are not counted:
their text is known only after extraction, which is the expensive part of cleaning.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from .config import Config
from .io import read_items
from .repeated_store import Store

STATE_NAME = "repeated.json"


def learn_inputs(config: Config, jobs: Iterable[tuple[Path, str, str]], state: Path) -> Config:
    """Count the lines of `jobs` ((path, source, doc_id) triples) into the store in `state`.

    Returns the config with the store's path set in the `repeated` stage; the config
    unchanged when the stage is missing or off.
    """
    spec = config.stage("repeated")
    if spec is None or spec.mode == "off":
        return config
    path = Path(spec.params.state) if spec.params.state else state / STATE_NAME
    store = Store.load(path, spec.params.max_lines)
    for src, source, doc_id in jobs:
        for item in read_items(src, source, doc_id, config.fields):
            if item.doc is not None and item.doc.kind == "text":
                store.add_document(item.doc.text)
    store.save(path)
    new = dataclasses.replace(spec, params=dataclasses.replace(spec.params, state=str(path)))
    return dataclasses.replace(config, stages=tuple(new if s is spec else s for s in config.stages))
