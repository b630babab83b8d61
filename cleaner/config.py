"""rules/*.yaml -> frozen, typed config. Every error names file, line and key.

Bundled defaults first (rules/pipeline.yaml and rules/packs/*.yaml), the user's files on
top: `--config` replaces the pipeline file, `--rules` adds phrase packs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .allow import AllowList, load_allow
from .errors import ConfigError
from .yamlfile import LinedDict, LinedList, line_of, load_yaml

MODES = ("apply", "flag", "off")


def rules_dir() -> Path:
    """The bundled rules: inside the package when installed, beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for cand in (here / "rules", here.parent / "rules"):
        if (cand / "pipeline.yaml").is_file():
            return cand
    raise ConfigError(here / "rules", None, "(file)", "bundled rules not found; reinstall cleaner")


@dataclass(frozen=True)
class Fields:
    """JSONL field names. Other fields of a record pass through untouched."""

    text: str = "text"
    id: str = "id"
    url: str = "url"


@dataclass(frozen=True)
class StageSpec:
    name: str
    mode: str
    params: Any


@dataclass(frozen=True)
class Config:
    stages: tuple[StageSpec, ...]
    fields: Fields
    sources: tuple[str, ...]
    hash: str
    allow: AllowList = AllowList()

    def stage(self, name: str) -> StageSpec | None:
        return next((s for s in self.stages if s.name == name), None)

    def with_params(self, name: str, **changes: Any) -> Config:
        """This config with some parameters of stage `name` changed (the hash is kept: callers
        set values a run works out, such as where its state lives, or try variants)."""
        return dataclasses.replace(
            self,
            stages=tuple(
                dataclasses.replace(s, params=dataclasses.replace(s.params, **changes)) if s.name == name else s
                for s in self.stages
            ),
        )

    def learns(self) -> bool:
        """Does a run start with a pass that counts repeated lines?"""
        spec = self.stage("repeated")
        return spec is not None and spec.mode != "off"


def _type_ok(value: Any, tp: Any) -> bool:
    origin = typing.get_origin(tp)
    if tp is Any:
        return True
    if tp is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, a) for a in typing.get_args(tp))
    if tp is type(None):
        return value is None
    if origin is tuple:
        return isinstance(value, list)
    if dataclasses.is_dataclass(tp):
        return isinstance(value, dict)
    return isinstance(value, tp)


def _type_name(tp: Any) -> str:
    if typing.get_origin(tp) is tuple:
        return "a list"
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    return getattr(tp, "__name__", str(tp).replace("typing.", ""))


def parse_params(cls: type, raw: Any, path: Path, where: str) -> Any:
    """Build the frozen dataclass `cls` from a YAML mapping, checking keys and types."""
    if raw is None:
        raw = LinedDict()
    if not isinstance(raw, dict):
        raise ConfigError(path, line_of(raw), where, "expected a mapping")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in names:
            known = ", ".join(sorted(names)) or "none"
            raise ConfigError(path, line_of(raw, key), f"{where}.{key}", f"unknown key (known: {known})")
    values = {}
    for key, value in raw.items():
        tp = hints[key]
        line = line_of(raw, key)
        if not _type_ok(value, tp):
            raise ConfigError(path, line, f"{where}.{key}", f"expected {_type_name(tp)}, got {value!r}")
        if typing.get_origin(tp) is tuple:
            (item_tp, *_rest) = typing.get_args(tp)
            items = []
            item_lines = getattr(value, "item_lines", [line] * len(value))
            for i, item in enumerate(value):
                if dataclasses.is_dataclass(item_tp):
                    items.append(parse_params(typing.cast(type, item_tp), item, path, f"{where}.{key}[{i}]"))
                elif not _type_ok(item, item_tp):
                    raise ConfigError(path, item_lines[i], f"{where}.{key}[{i}]", f"expected {_type_name(item_tp)}")
                else:
                    items.append(item)
            value = tuple(items)
        elif dataclasses.is_dataclass(tp):
            value = parse_params(typing.cast(type, tp), value, path, f"{where}.{key}")
        values[key] = value
    try:
        obj = cls(**values)
    except TypeError as exc:  # a required key is missing
        raise ConfigError(path, line_of(raw), where, str(exc)) from None
    check = getattr(obj, "check", None)
    if check is not None:
        problem = check()
        if problem:
            key, msg = problem
            raise ConfigError(path, line_of(raw, key), f"{where}.{key}", msg)
    return obj


def _parse_stages(raw: Any, path: Path, extra_packs: tuple[Path, ...]) -> tuple[StageSpec, ...]:
    from .stages import STAGES  # late: stages import config helpers

    if not isinstance(raw, LinedList) or not raw:
        raise ConfigError(path, line_of(raw), "stages", "expected a non-empty list of stages")
    specs = []
    seen = set()
    for i, item in enumerate(raw):
        where = f"stages[{i}]"
        if not isinstance(item, LinedDict) or "name" not in item:
            raise ConfigError(path, raw.item_lines[i], where, "each stage needs a `name`")
        name = item["name"]
        if name not in STAGES:
            raise ConfigError(
                path, line_of(item, "name"), f"{where}.name", f"unknown stage {name!r} (known: {', '.join(STAGES)})"
            )
        if name in seen:
            raise ConfigError(path, line_of(item, "name"), f"{where}.name", f"stage {name!r} listed twice")
        seen.add(name)
        mode = item.get("mode", "apply")
        if mode is False:  # YAML 1.1 reads an unquoted `off` as false
            mode = "off"
        if mode not in MODES:
            raise ConfigError(
                path, line_of(item, "mode"), f"{where}.mode", f"expected one of {', '.join(MODES)}, got {mode!r}"
            )
        body = LinedDict({k: v for k, v in item.items() if k not in ("name", "mode")})
        body.line, body.key_lines = item.line, item.key_lines
        cls = STAGES[name]
        params = parse_params(cls.Params, body, path, f"{where}({name})")
        params = cls.resolve(params, path, extra_packs, body.key_lines)
        specs.append(StageSpec(name=name, mode=mode, params=params))
    return tuple(specs)


def _fingerprint(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _fingerprint(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_fingerprint(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): _fingerprint(v) for k, v in obj.items()}
    if isinstance(obj, Path):
        return str(obj)
    return obj if isinstance(obj, (str, int, float, bool, type(None))) else repr(obj)


def load_config(
    config: str | Path | None = None,
    rules: tuple[str | Path, ...] | list = (),
    allow: tuple[str | Path, ...] | list = (),
) -> Config:
    """Load the pipeline config (bundled unless `config` is given), extra rule packs, and the
    allow lists (the bundled rules/allow.yaml, then the reviewer's `allow` files)."""
    path = Path(config) if config else rules_dir() / "pipeline.yaml"
    extra = tuple(Path(r) for r in rules)
    for r in extra:
        if not r.is_file():
            raise ConfigError(r, None, "--rules", "file not found")
    allow_paths = tuple(Path(a) for a in allow)
    for a in allow_paths:
        if not a.is_file():
            raise ConfigError(a, None, "--allow", "file not found")
    allowed = load_allow((rules_dir() / "allow.yaml", *allow_paths))
    raw = load_yaml(path)
    if not isinstance(raw, LinedDict):
        raise ConfigError(path, line_of(raw), "(top)", "expected a mapping with `stages:`")
    for key in raw:
        if key not in ("stages", "fields"):
            raise ConfigError(path, line_of(raw, key), key, "unknown key (known: fields, stages)")
    fields = parse_params(Fields, raw.get("fields"), path, "fields")
    stages = _parse_stages(raw.get("stages"), path, extra)
    used = [s for s in stages if s.name == "phrases"]
    if extra and not used:
        raise ConfigError(path, line_of(raw, "stages"), "stages", "--rules given but the config has no `phrases` stage")
    body = {
        "version": __version__,
        "fields": _fingerprint(fields),
        "stages": _fingerprint(stages),
        "allow": _fingerprint((allowed.entries, allowed.disable)),
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    sources = (str(path), *(str(r) for r in extra), *(str(a) for a in allow_paths))
    return Config(stages=stages, fields=fields, sources=sources, hash=digest, allow=allowed)
