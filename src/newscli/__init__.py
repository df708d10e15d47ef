"""newscli: ingest news articles into a local Whoosh index and search them from the shell."""

from __future__ import annotations

import importlib.machinery
import sys
import types
from typing import Any

__version__ = "0.1.0"


# While the module on the left executes, the module in the middle is a stand-in whose functions
# on the right import the real module on first use:
# - whoosh.compat imports urllib.request -- and with it http.client, email and ssl, ~35 ms on every
#   newscli call -- only to re-export urlretrieve, which Whoosh never calls;
# - whoosh.query.terms imports whoosh.lang.morph_en (compiling ~30 regexes, ~7 ms) for
#   variations(), used only by Whoosh's Variations query, which newscli never builds.
_STAND_INS = {
    "whoosh.compat": ("urllib.request", ("urlretrieve",)),
    "whoosh.query.terms": ("whoosh.lang.morph_en", ("variations",)),
}


def _stand_in(name: str, functions: tuple[str, ...]) -> types.ModuleType:
    stub = types.ModuleType(name)
    for function in functions:

        def call(*args: Any, _f: str = function, **kwargs: Any) -> Any:
            import importlib

            return getattr(importlib.import_module(name), _f)(*args, **kwargs)

        setattr(stub, function, call)
    return stub


class _LeanWhoosh:  # a meta path finder: importlib only needs find_spec()
    """Installs the stand-ins above while their importer executes; afterwards the stand-in is
    gone from sys.modules, so any later import gets the real module. Not derived from
    importlib.abc.MetaPathFinder: importing that module costs ~8 ms itself."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in _STAND_INS:
            return None
        replaced, functions = _STAND_INS[name]
        if replaced in sys.modules:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        real_exec = spec.loader.exec_module

        def exec_module(module: types.ModuleType) -> None:
            stub = _stand_in(replaced, functions)
            sys.modules[replaced] = stub
            try:
                real_exec(module)
            finally:
                if sys.modules.get(replaced) is stub:
                    del sys.modules[replaced]

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if not any(isinstance(f, _LeanWhoosh) for f in sys.meta_path):
    sys.meta_path.insert(0, _LeanWhoosh())
