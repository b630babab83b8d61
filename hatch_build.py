"""Build hook: compiles cleaner/_tokens.c, the C half of cleaner/tokens.py.

The extension is optional: without a C compiler cleaner installs and runs the same, on
the pure-Python TokenMap, only slower. Set CLEANER_REQUIRE_NATIVE=1 (CI does) to make a
failed build an error instead of a warning.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = "cleaner/_tokens.c"


class NativeHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        try:
            built = self._compile()
        except Exception as exc:  # noqa: BLE001 - any compiler failure: fall back to pure Python
            if os.environ.get("CLEANER_REQUIRE_NATIVE") == "1":
                raise
            print(f"cleaner: C extension not built ({exc}); using the pure-Python TokenMap", file=sys.stderr)
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":  # an editable install imports it from the source tree
            build_data["force_include"][str(built)] = f"cleaner/{built.name}"

    def _compile(self) -> Path:
        from setuptools import Distribution, Extension

        root = Path(self.root)
        ext = Extension("cleaner._tokens", [SOURCE], extra_compile_args=["-O2"])
        dist = Distribution({"name": "cleaner", "ext_modules": [ext]})
        cmd = dist.get_command_obj("build_ext")
        cmd.inplace = True  # beside tokens.py: an editable install finds it there
        cwd = os.getcwd()
        os.chdir(root)
        try:
            cmd.ensure_finalized()
            cmd.run()
            return root / cmd.get_ext_filename("cleaner._tokens")
        finally:
            os.chdir(cwd)
