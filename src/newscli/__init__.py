"""newscli: ingest news articles into a local Whoosh index and search them from the shell."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

__version__ = "0.1.0"


class _LeanWhooshCompat(importlib.abc.MetaPathFinder):
    """whoosh.compat imports urllib.request -- and with it http.client, email and ssl, ~35 ms on
    every newscli call -- only to re-export urlretrieve, which Whoosh never calls. While that one
    module executes, `urllib.request` is a stand-in whose urlretrieve imports the real thing on use;
    afterwards the stand-in is gone, so any later `import urllib.request` gets the real module."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "whoosh.compat" or "urllib.request" in sys.modules:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        real_exec = spec.loader.exec_module

        def exec_module(module: types.ModuleType) -> None:
            stub = types.ModuleType("urllib.request")

            def urlretrieve(*args: Any, **kwargs: Any) -> Any:
                import urllib.request as real

                return real.urlretrieve(*args, **kwargs)

            stub.urlretrieve = urlretrieve  # type: ignore[attr-defined]
            sys.modules["urllib.request"] = stub
            try:
                real_exec(module)
            finally:
                if sys.modules.get("urllib.request") is stub:
                    del sys.modules["urllib.request"]

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if not any(isinstance(f, _LeanWhooshCompat) for f in sys.meta_path):
    sys.meta_path.insert(0, _LeanWhooshCompat())
