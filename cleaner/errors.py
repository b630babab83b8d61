"""The library's own exceptions. Only cli.py turns them into exit codes."""


class CleanerError(Exception):
    """Base class for errors the user can act on."""


class ConfigError(CleanerError):
    """A config or rule file is wrong. The message names file, line and key."""

    def __init__(self, path: object, line: int | None, key: str, problem: str):
        self.path, self.line, self.key, self.problem = str(path), line, key, problem
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {key}: {problem}")


class InputError(CleanerError):
    """The inputs or the output folder given to a run are unusable."""


class DocumentError(CleanerError):
    """One document (or JSONL record) could not be read or cleaned."""


class RunStopped(CleanerError):
    """A run stopped part-way (the engine lost work for good). What it wrote stays, and the
    next --incremental run finishes the rest."""

    exit_code = 4
