"""Pinned floors: the lowest figure a set may score before the quality gate fails.

A floors file maps a set's folder name to its floors, e.g.

    noisy-dev:
      F1: 0.984
      noise_rm: 0.880
      noise_rm.offtopic: 0.27
    html-dev:
      F1: 0.959

A file that maps figure names straight to numbers applies to whatever set is evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..yamlfile import LinedDict, line_of, load_yaml

FIGURES = ("F1", "P", "R", "par_kept", "clean_exact", "exact", "noise_rm")


@dataclass(frozen=True)
class Floor:
    figure: str  # "F1", "noise_rm", "noise_rm.offtopic", ...
    value: float
    where: str  # file:line, for the message


def figure(result: dict, name: str) -> float | None:
    """A figure of an evaluation result by its floor name; None if the set does not have it."""
    if name.startswith("noise_rm."):
        value = result.get("noise_rm_by_family", {}).get(name.split(".", 1)[1])
    else:
        value = result.get(name)
    return value if isinstance(value, (int, float)) else None


def load_floors(path: Path, set_name: str) -> list[Floor]:
    data = load_yaml(path)
    if not isinstance(data, LinedDict) or not data:
        raise ConfigError(path, line_of(data), "(file)", "expected a mapping of set names to {figure: floor}")
    if all(isinstance(v, (int, float)) for v in data.values()):
        table = data
    elif set_name in data:
        table = data[set_name]
        if not isinstance(table, LinedDict):
            raise ConfigError(path, line_of(data, set_name), set_name, "expected a mapping {figure: floor}")
    else:
        raise ConfigError(path, None, set_name, f"no floors for this set (the file has: {', '.join(data)})")
    floors = []
    for name, value in table.items():
        line = line_of(table, name)
        if name not in FIGURES and not name.startswith("noise_rm."):
            raise ConfigError(path, line, name, f"not a figure (use {', '.join(FIGURES)} or noise_rm.FAMILY)")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ConfigError(path, line, name, f"a floor is a number from 0 to 1, not {value!r}")
        floors.append(Floor(name, float(value), f"{path}:{line}"))
    return floors


def check_floors(result: dict, floors: list[Floor]) -> list[str]:
    """One message per figure below its floor (or missing from the result)."""
    problems = []
    for f in floors:
        value = figure(result, f.figure)
        if value is None:
            problems.append(f"{f.figure}: this set has no such figure (floor at {f.where})")
        elif value < f.value:
            problems.append(f"{f.figure} {value:.4f} is below its floor {f.value:.4f} ({f.where})")
    return problems
