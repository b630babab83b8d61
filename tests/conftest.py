import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"


@pytest.fixture(scope="session")
def pipeline():
    from cleaner import Pipeline

    return Pipeline()


def bench_common():  # type: ignore[no-untyped-def]
    """bench/_common.py (not a package): chromium and Ray cluster helpers shared with the benchmarks."""
    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "bench" / "_common.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
