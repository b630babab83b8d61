"""The README's commands work as written: the crontab line, the systemd units, and every
option the README gives a `cleaner` command."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.state import Lock

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CRON = re.compile(r"^ {4}((?:\S+ ){5})(cd .+)$", re.MULTILINE)
CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")


def cron_line() -> tuple[list[str], str]:
    found = CRON.findall(README)
    assert len(found) == 1, "the README has one crontab line"
    schedule, command = found[0]
    return schedule.split(), command


def units() -> dict[str, configparser.ConfigParser]:
    """The ```ini block's two files, by name."""
    block = re.search(r"```ini\n(.*?)```", README, re.DOTALL)
    assert block is not None
    parts = re.split(r"^# (/etc/systemd/system/\S+)\n", block.group(1), flags=re.MULTILINE)
    out = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        parser = configparser.ConfigParser(strict=True, interpolation=None, comment_prefixes=("#",))
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string(body)
        out[Path(name).name] = parser
    return out


def in_sandbox(command: str, tmp_path: Path) -> str:
    """The command with its paths moved under tmp_path, and /srv/cleaner/.venv/bin/cleaner
    pointing at this environment's cleaner."""
    srv = tmp_path / "srv" / "cleaner"
    (srv / ".venv" / "bin").mkdir(parents=True)
    (srv / ".venv" / "bin" / "cleaner").symlink_to(Path(sys.executable).parent / "cleaner")
    (tmp_path / "var" / "log").mkdir(parents=True)
    feed = tmp_path / "data" / "feed"
    feed.mkdir(parents=True)
    for p in sorted((ROOT / "seeds").glob("*.txt"))[:3]:
        shutil.copy(p, feed / p.name)
    for old in ("/srv/", "/data/", "/var/log/"):
        assert old in command
        command = command.replace(old, f"{tmp_path}{old}")
    return command


def sh(command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=300)  # cron's shell


def test_crontab_line_runs_as_written(tmp_path):
    schedule, command = cron_line()
    assert all(CRON_FIELD.match(f) for f in schedule), schedule
    command = in_sandbox(command, tmp_path)
    out, log = tmp_path / "data" / "clean", tmp_path / "var" / "log" / "cleaner.log"

    first = sh(command)
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""  # -q: cron mails nothing when all went well
    assert sorted(p.name for p in out.glob("*.txt")) == sorted(p.name for p in (tmp_path / "data" / "feed").iterdir())
    assert "3 input(s)" in log.read_text()

    again = sh(command)  # the feed did not grow
    assert again.returncode == 0 and "nothing to do" in log.read_text()

    held = Lock(out / ".cleaner")  # the previous run is still going
    try:
        refused = sh(command)
    finally:
        held.release()
    assert refused.returncode == 3
    assert "another cleaner run is using this state folder" in refused.stderr + refused.stdout


def test_systemd_units_match_the_crontab_line(tmp_path):
    got = units()
    assert set(got) == {"cleaner.service", "cleaner.timer"}
    service, timer = got["cleaner.service"], got["cleaner.timer"]
    _, command = cron_line()
    workdir, run = re.fullmatch(r"cd (\S+) && (.+)", command).groups()  # type: ignore[union-attr]
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["WorkingDirectory"] == workdir
    assert service["Service"]["ExecStart"] == run.replace(".venv/", f"{workdir}/.venv/", 1)
    assert service["Service"]["SuccessExitStatus"].split() == ["1", "3"]  # failed documents; locked
    assert timer["Timer"]["OnUnitActiveSec"] == "10min" and timer["Install"]["WantedBy"] == "timers.target"
    if shutil.which("systemd-analyze"):
        folder = tmp_path / "units"
        folder.mkdir()
        for name, parser in got.items():
            with (folder / name).open("w") as fh:
                parser.write(fh)
        res = subprocess.run(
            ["systemd-analyze", "verify", str(folder / "cleaner.timer")], capture_output=True, text=True
        )
        assert "cleaner" not in res.stderr or "Failed" not in res.stderr, res.stderr

    # ExecStart is the crontab's command: it runs, from its working directory, as written.
    res = sh(in_sandbox(f"cd {workdir} && {service['Service']['ExecStart']}", tmp_path))
    assert res.returncode == 0, res.stderr


def readme_commands() -> list[tuple[tuple[str, ...], list[str]]]:
    """Each `cleaner ...` command in the README's code: its subcommand path and the options it gives."""
    known = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    found = []
    for line in README.splitlines():
        if not line.startswith("    ") or "cleaner " not in line:
            continue
        code = line.split("  # ")[0]
        m = re.search(r"(?:^|[\s/])cleaner ((?:[a-z]+ ?)+)(.*)", code)
        if m is None:
            continue
        words = m.group(1).split()
        if words[0] not in known:  # "ruff check cleaner tests"
            continue
        path = tuple(words[:2]) if words[0] in ("rules", "audit") else tuple(words[:1])
        options = re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[qv])\b", m.group(2) + " " + " ".join(words[len(path) :]))
        found.append((path, options))
    return found


@pytest.mark.parametrize("path,options", readme_commands(), ids=lambda x: " ".join(x) if isinstance(x, tuple) else "")
def test_every_option_the_readme_gives_exists(path, options):
    res = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "250", "NO_COLOR": "1"}, terminal_width=250)
    assert res.exit_code == 0, res.output
    for option in options:
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", res.output), f"cleaner {' '.join(path)} {option}"


def test_the_readme_commands_were_found():
    paths = {p for p, _ in readme_commands()}
    assert {("run",), ("eval",), ("explain",), ("rules", "suggest"), ("audit", "report")} <= paths
    assert shlex.split(cron_line()[1])[4:6] == ["run", "/data/feed"]
