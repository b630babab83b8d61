"""The run summary, printed at the end and written as summary.json beside the audit log."""

from __future__ import annotations

from .run import Result


def run_summary(result: Result, workers: int, engine: str = "local") -> dict:
    s = result.stats.as_dict()
    secs = max(result.seconds, 1e-9)
    return {
        "documents": s["docs"],
        "failed": s["failed"],
        "inputs_cleaned": len(result.todo),
        "inputs_unchanged": result.skipped,
        "stopped_at_limit": result.limited,
        "chars_in": s["chars_in"],
        "chars_out": s["chars_out"],
        "chars_removed_by_stage": s["stages"],  # html: page markup dropped
        "rules": s["rules"],
        "seconds": round(result.seconds, 3),
        "workers": workers,
        "engine": engine,
        "bytes_in": result.bytes_in,
        "docs_per_s": round(s["docs"] / secs, 1),
        "mb_per_s": round(result.bytes_in / secs / 1e6, 3),
        "audit": str(result.audit_path),
        "failures": [{"source": src, "error": err} for src, err in result.failures],
    }
