"""Reading a run back: summaries, the HTML report, one document's diff, rechecks."""

from .model import DocEntry, Run, load_run, read_inputs, segments

__all__ = ["DocEntry", "Run", "load_run", "read_inputs", "segments"]
