"""newscli: ingest news articles into a local Whoosh index and search them from the shell."""

from __future__ import annotations

import gc

# The cyclic garbage collector's first generation runs every 700 net allocations of container
# objects. Loading the ~220 modules of a search allocates ~22,000 of them that all stay alive, so
# it ran ~50 times per call for nothing (10-13 ms of a search, ~6 ms of `--help`). While modules
# load, it runs every 100,000; loaded() restores the usual thresholds for the work itself. Set
# first: typing, below, allocates.
_GC_THRESHOLDS = gc.get_threshold()
if _GC_THRESHOLDS[0] < 100_000:
    gc.set_threshold(100_000, *_GC_THRESHOLDS[1:])

import importlib.machinery  # noqa: E402 -- after the threshold, on purpose
import sys  # noqa: E402
import types  # noqa: E402
from typing import Any  # noqa: E402

__version__ = "0.1.0"


def loaded() -> None:
    """The modules of the work are loaded (newscli.index calls this at its end): freeze what is
    loaded, which lives until exit, and restore the collector's thresholds. Left at 100,000,
    cyclic garbage piles up between collections and the work runs on cold memory: adding 1,000
    articles to a 100k index took 5.1-5.9 s of CPU against 4.4-4.9 s, though the collector
    itself took 28-35 ms against 90-102 ms."""
    if gc.get_threshold()[0] == 100_000 and _GC_THRESHOLDS[0] < 100_000:
        gc.freeze()
        gc.set_threshold(*_GC_THRESHOLDS)


# While the module on the left executes, the modules on the right are stand-ins that import the
# real module when one of their attributes is first used (and stay in the importer's namespace):
# - whoosh.compat imports urllib.request -- and with it http.client, email and ssl, ~35 ms on every
#   newscli call -- only to re-export urlretrieve, which Whoosh never calls;
# - whoosh.query.terms imports whoosh.lang.morph_en (compiling ~30 regexes, ~7 ms) for
#   variations(), used only by Whoosh's Variations query, which newscli never builds;
# - typer.main and typer.completion's helpers import subprocess (with signal and selectors,
#   ~4 ms) for opening URLs and installing shell completion. (Modules imported meanwhile get
#   the stand-in too; an attribute asked at their import, as uuid asks platform.system(), just
#   imports the real module then.)
# - urllib.parse (which Typer's pathlib imports) imports ipaddress (~2 ms) to check bracketed
#   hosts in URLs, which newscli never parses.
# - Typer's shutil, difflib and gettext, Whoosh's html, random, tempfile, calendar and automata:
#   for helpers a search never calls (terminal size, "did you mean", translated help and
#   messages, HTML escaping, temporary names and folders, date ranges, fuzzy terms), ~1-4 ms
#   each. Whoosh's hashlib for its term tables' md5 (storage.py then gives them CPython's
#   built-in _md5: hashlib loads OpenSSL, ~3 ms).
# - inspect (Typer reads the commands' signatures) and linecache import tokenize (~1.5 ms) to
#   read source code: for tracebacks and inspect.getsource, never on a normal run.
_STAND_INS: dict[str, dict[str, tuple[str, ...]]] = {  # importer: {module: functions}
    "whoosh.compat": {"urllib.request": ("urlretrieve",), "html": ("escape",)},
    "whoosh.query.terms": {"whoosh.lang.morph_en": ("variations",)},
    "typer.main": {"subprocess": (), "shutil": ()},
    "typer._completion_shared": {"subprocess": ()},
    "urllib.parse": {"ipaddress": ()},
    "typer": {"shutil": ("get_terminal_size",)},
    "typer.core": {"difflib": ("get_close_matches",), "gettext": ("gettext",)},
    "whoosh.util": {"random": ()},
    "whoosh.util.cache": {"random": ()},
    "whoosh.classify": {"random": ()},
    "whoosh.util.times": {"calendar": ()},
    "whoosh.filedb.filestore": {"tempfile": ()},
    "whoosh.filedb.compound": {"shutil": ("copyfileobj",)},
    "whoosh.codec.base": {"whoosh.automata.lev": ()},
    "whoosh.filedb.filetables": {"hashlib": ("md5",)},
    "inspect": {"tokenize": ()},
    "linecache": {"tokenize": ()},
}


class _StandIn(types.ModuleType):
    """A module that imports the real one on the first attribute asked of it. The functions
    named in _STAND_INS are defined on it beforehand, so that `from module import function`
    takes a function that imports the real module only when called."""

    def __init__(self, name: str, functions: tuple[str, ...]) -> None:
        super().__init__(name)
        for function in functions:

            def call(*args: Any, _f: str = function, **kwargs: Any) -> Any:
                return getattr(self._real(), _f)(*args, **kwargs)

            setattr(self, function, call)

    def _real(self) -> types.ModuleType:
        import importlib

        if sys.modules.get(self.__name__) is self:  # used while its importer still executes
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):  # probes such as __path__ or __spec__: not the real module's
            raise AttributeError(attr)
        return getattr(self._real(), attr)


class _LeanImports:  # a meta path finder: importlib only needs find_spec()
    """Installs the stand-ins above while their importer executes; afterwards the stand-in is
    gone from sys.modules, so any later import gets the real module. Not derived from
    importlib.abc.MetaPathFinder: importing that module costs ~8 ms itself."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        replaced = {m: f for m, f in _STAND_INS.get(name, {}).items() if m not in sys.modules}
        if not replaced:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        real_exec = spec.loader.exec_module

        def exec_module(module: types.ModuleType) -> None:
            stubs = {m: _StandIn(m, f) for m, f in replaced.items()}
            sys.modules.update(stubs)
            try:
                real_exec(module)
            finally:
                for m, stub in stubs.items():
                    if sys.modules.get(m) is stub:
                        del sys.modules[m]

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if not any(isinstance(f, _LeanImports) for f in sys.meta_path):
    sys.meta_path.insert(0, _LeanImports())
