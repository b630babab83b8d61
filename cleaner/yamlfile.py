"""YAML loading that remembers line numbers, so config errors can name file, line and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError


class LinedDict(dict):
    """A mapping from YAML that knows the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]


class LinedList(list):
    line: int = 0
    item_lines: list[int]


def _build(node: yaml.Node, path: Path) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = LinedDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for knode, vnode in node.value:
            key = _build(knode, path)
            if not isinstance(key, str):
                raise ConfigError(path, knode.start_mark.line + 1, str(key), "keys must be text")
            if key in out:
                raise ConfigError(path, knode.start_mark.line + 1, key, "key given twice")
            out[key] = _build(vnode, path)
            out.key_lines[key] = knode.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LinedList(_build(v, path) for v in node.value)
        seq.line = node.start_mark.line + 1
        seq.item_lines = [v.start_mark.line + 1 for v in node.value]
        return seq
    return _scalar(node)


_SCALARS = yaml.SafeLoader("")  # one constructor for every scalar: making one costs more than the scalar
# libyaml's parser when PyYAML has it (its wheels do): the same nodes and marks; composing the
# bundled packs, which every run loads, takes 0.014 s instead of 0.24 s.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _scalar(node: yaml.Node) -> Any:
    try:
        return _SCALARS.construct_object(node, deep=True)
    finally:
        _SCALARS.constructed_objects.clear()  # it caches by node; nothing is shared between scalars


def load_yaml(path: Path) -> Any:
    """Parse a YAML file; a missing file or bad syntax is a ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, None, "(file)", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, "(file)", f"cannot read: {exc}") from None
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError(path, line, "(syntax)", str(exc.problem or exc)) from None
    if node is None:
        return LinedDict()
    return _build(node, path)


def line_of(obj: Any, key: str | None = None) -> int | None:
    """The line of a key in a LinedDict, or of the object itself."""
    if key is not None and isinstance(obj, LinedDict):
        return obj.key_lines.get(key, obj.line)
    return getattr(obj, "line", None)
