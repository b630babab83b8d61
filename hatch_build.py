"""Build hook: compiles cleaner's C extensions, the fast halves of pure-Python code.

cleaner/_tokens.c is the C TokenMap of cleaner/tokens.py; cleaner/_prints.c the line fold,
line hash and sentence fingerprints of the counting pass (repeated_store.py, sentences.py),
the encoding stage's scan and the repeated stage's line tests.
They are optional: without a C compiler cleaner installs and runs the same, on the
pure-Python versions, only slower. Set CLEANER_REQUIRE_NATIVE=1 (CI does) to make a
failed build an error instead of a warning.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

EXTENSIONS = {"cleaner._tokens": "cleaner/_tokens.c", "cleaner._prints": "cleaner/_prints.c"}


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
            # An editable install would go on importing an older build of the C beside the
            # sources, out of step with them: the Python versions run instead.
            for name in EXTENSIONS:
                for stale in Path(self.root, "cleaner").glob(name.split(".")[1] + ".*.so"):
                    stale.unlink()
            print(f"cleaner: C extensions not built ({exc}); using the pure-Python code", file=sys.stderr)
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":  # an editable install imports them from the source tree
            for path in built:
                build_data["force_include"][str(path)] = f"cleaner/{path.name}"

    def _compile(self) -> list[Path]:
        from setuptools import Distribution, Extension

        root = Path(self.root)
        exts = [Extension(name, [src], extra_compile_args=["-O2"]) for name, src in EXTENSIONS.items()]
        dist = Distribution({"name": "cleaner", "ext_modules": exts})
        cmd = dist.get_command_obj("build_ext")
        cmd.inplace = True  # beside the Python modules: an editable install finds them there
        cwd = os.getcwd()
        os.chdir(root)
        try:
            cmd.ensure_finalized()
            cmd.run()
            return [root / cmd.get_ext_filename(name) for name in EXTENSIONS]
        finally:
            os.chdir(cwd)
