"""The ``bkg`` program's light commands — ``query``, ``stats``, ``queries``, ``--version`` — run
without Typer; everything else goes to the Typer app of :mod:`kg.cli`.

Typer (0.29) turns every parameter value into its type through a pydantic ``TypeAdapter``;
importing Typer and then pydantic takes longer than the whole of a command that should start
and answer in 0.15 s (issue 11; bench/cli_start.py measures it). So :func:`main` reads these
commands' plain command lines itself — options by their names (:data:`LIGHT`, kept equal to kg.cli's declarations by
tests/kg/test_cli_start.py), each value after ``=`` or as the next argument, positionals
anywhere, numbers in ASCII digits — and runs the same functions kg.cli's commands run. Anything
else (``--help``, ``--``, a value that is not plainly of its type, an unknown option, a missing
argument, any other command) goes to Typer, which answers as it always did, errors included.

This module imports only the standard library; the commands import pyoxigraph and the light
modules of ``kg`` (store, queries, guard, prefixes) when they run. Nothing here imports rdflib,
spaCy, networkx or pyvis.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["LIGHT", "Exit", "echo", "main", "parse", "queries", "query", "run", "run_light",
           "stats", "version_text"]


class Exit(Exception):
    """Stop the command with this exit code (kg.cli turns it into ``typer.Exit``)."""

    def __init__(self, code: int = 0) -> None:
        super().__init__(code)
        self.code = code


def echo(text: str, err: bool = False) -> None:
    """Print a line on stdout (or stderr) and flush, as ``typer.echo`` does."""
    stream = sys.stderr if err else sys.stdout
    stream.write(f"{text}\n")
    stream.flush()


def _fail(message: str, code: int = 2) -> Exit:
    """Print ``error: message`` on stderr and return the Exit to raise."""
    echo(f"error: {message}", err=True)
    return Exit(code)


def version_text() -> str:
    """What ``bkg --version`` prints."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"bkg (bilateral-kg) {version('bilateral-kg')}"
    except PackageNotFoundError:
        return "bkg (bilateral-kg), not installed as a package"


def _open_store_or_exit(build_dir: Path):
    from .store import StoreNotFoundError, open_store

    try:
        return open_store(build_dir)
    except StoreNotFoundError as err:
        raise _fail(str(err)) from None
    except OSError as err:
        raise _fail(f"cannot open the store at {build_dir}: {err}", 1) from None


# --- the commands (their options and help are declared in kg.cli) ---------------------------


def query(
    first: str | None = None,
    second: str | None = None,
    store: Path | None = None,
    file: Path | None = None,
    fmt: str = "table",
    max_width: int = 80,
    saved: str | None = None,
    param: Sequence[str] = (),
    timeout: float = 30.0,
    limit: int = 10000,
    allow_service: Sequence[str] = (),
) -> None:
    """``bkg query``: see ``kg.cli.query_command``."""
    from .store import FORMATS

    if fmt not in FORMATS:
        raise _fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not timeout >= 0:  # also refuses nan
        raise _fail("--timeout must be 0 (no limit) or more seconds")
    if limit < 0:
        raise _fail("--limit must be 0 (no limit) or more rows")
    services = _allowed_services(allow_service)
    args = [a for a in (first, second) if a is not None]
    if store is None:
        if not args:
            raise _fail("which graph? bkg query DIR 'SPARQL' or bkg query --store DIR 'SPARQL'")
        store = Path(args.pop(0))
    bindings: dict = {}
    if saved is not None:
        if args or file is not None:
            raise _fail("give either --saved NAME or a query, not both")
        sparql, bindings = _saved_query(saved, param)
    else:
        if param:
            raise _fail("--param is for a saved query (--saved NAME)")
        sparql = _query_text(args, file)
    _check_text(sparql, services)
    oxstore = _open_store_or_exit(store)
    _run_bounded_query(oxstore, sparql, bindings, fmt, max_width, timeout, limit)


#: Exit codes of `bkg query` beyond 1 and 2: as timeout(1) for a query stopped at its deadline,
#: and 128 + SIGINT for Ctrl-C.
QUERY_TIMEOUT_EXIT = 124
QUERY_INTERRUPTED_EXIT = 130


def _query_text(args: list[str], file: Path | None) -> str:
    """The SPARQL text, from the argument or --file (``-``: standard input)."""
    if file is not None:
        if args:
            raise _fail("give the query either as an argument or with --file, not both")
        try:
            sparql = sys.stdin.read() if str(file) == "-" else (
                file.read_text(encoding="utf-8")
            )
        except OSError as err:
            raise _fail(f"cannot read {file}: {err.strerror or err}") from None
    elif args:
        sparql = args.pop(0)
    else:
        raise _fail("no query: give it as an argument or with --file q.rq")
    if args:
        raise _fail(f"unexpected argument {args[0]!r}")
    if not sparql.strip():
        raise _fail("the query is empty")
    return sparql


def _saved_query(name: str, params: list[str]) -> tuple[str, dict]:
    """A saved query's text and its parameters as terms (bound, never pasted into the text)."""
    from .queries import SavedQueryError, load_saved, parse_params

    try:
        query = load_saved(name)
        return query.sparql, query.bindings(parse_params(params))
    except SavedQueryError as err:
        raise _fail(str(err)) from None


def _allowed_services(urls: list[str]) -> tuple[str, ...]:
    """--allow-service values: endpoint URLs (``<…>`` tolerated) or ``*``."""
    import re

    out = []
    for url in urls:
        url = url.strip()
        if url.startswith("<") and url.endswith(">"):
            url = url[1:-1]
        if url != "*" and not re.fullmatch(r"https?://[^\s<>\"{}|^`\\]+", url):
            raise _fail(f"--allow-service takes an endpoint URL such as "
                        f"https://query.wikidata.org/sparql (or '*'), not {url!r}")
        out.append(url)
    return tuple(out)


def _check_text(sparql: str, services: tuple[str, ...]) -> None:
    """Refuse, before pyoxigraph parses it, a query too long, too deeply nested (the parser is
    recursive: 5,000 nested braces crashed the process) or calling an endpoint not allowed."""
    from .guard import QueryRejected, check_query

    try:
        check_query(sparql, allow_services=services)
    except QueryRejected as err:
        raise _fail(f"query refused: {err}") from None


class _QueryStopped(Exception):
    """The query thread was abandoned: past its deadline, or Ctrl-C."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _run_bounded_query(oxstore, sparql: str, bindings: dict, fmt: str, max_width: int,
                       timeout: float, limit: int) -> None:
    """Run, limit and format the query under the deadline; print it, or exit 2/1/124/130."""
    from .store import LimitedTriples, QueryError, format_answer, limit_results
    from .store import query as run_query

    def answer() -> tuple[str, str | None]:
        result = limit_results(run_query(oxstore, sparql, bindings), limit)
        text = format_answer(result, fmt, max_width=max_width)
        if not getattr(result, "truncated", False):
            return text, None
        what = "triples" if isinstance(result, LimitedTriples) else "rows"
        return text, (f"note: the answer was cut at {len(result):,} {what} (--limit {limit}); "
                      "raise --limit, or 0 for no limit")

    try:
        try:
            text, note = _bounded(answer, timeout)
        except QueryError as err:
            raise _fail(str(err)) from None
        except (SyntaxError, RuntimeError) as err:  # raised while reading the rows
            raise _fail(f"the query failed: {err}") from None
        except OSError as err:  # the store, or a SERVICE endpoint
            raise _fail(f"the query failed: {err}", 1) from None
        echo(text.rstrip("\r\n"))
        if note:
            echo(note, err=True)
    except _QueryStopped as stop:
        echo(str(stop), err=True)
        _exit_abandoning_thread(stop.code)
    except KeyboardInterrupt:  # Ctrl-C while printing
        echo("interrupted: the output was stopped", err=True)
        _exit_abandoning_thread(QUERY_INTERRUPTED_EXIT)


def _bounded(work, timeout: float):
    """``work()`` in a thread while this (main) thread waits for it, at most ``timeout`` seconds
    (0: no limit), waking every 50 ms so that Ctrl-C is handled at once.

    pyoxigraph releases the GIL while it parses, evaluates (a sort, an aggregate) and produces
    each row, so the query runs in the thread and the main thread stays free; but a running
    query cannot be cancelled, so on timeout or Ctrl-C this raises :class:`_QueryStopped` and the
    caller exits the process, leaving the thread behind. The thread blocks SIGINT so that the
    signal reaches the main thread (a signal taken by another thread would leave the main thread
    asleep until its next wake-up).
    """
    import signal
    import threading
    import time

    outcome: dict = {}
    done = threading.Event()

    def target() -> None:
        try:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        except (AttributeError, OSError, ValueError):  # not on this platform
            pass
        try:
            outcome["value"] = work()
        except BaseException as err:  # noqa: BLE001 - handed to the main thread
            outcome["error"] = _detached(err)
        finally:
            done.set()

    deadline = time.monotonic() + timeout if timeout else None
    try:
        threading.Thread(target=target, name="bkg-query", daemon=True).start()
        while not done.wait(_tick(deadline)):
            if deadline is not None and time.monotonic() >= deadline:
                raise _QueryStopped(
                    QUERY_TIMEOUT_EXIT,
                    f"error: the query ran longer than {timeout:g} s and was stopped; "
                    "make it more specific or raise --timeout",
                )
    except KeyboardInterrupt:
        raise _QueryStopped(QUERY_INTERRUPTED_EXIT, "interrupted: the query was stopped") from None
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _detached(err: BaseException) -> BaseException:
    """``err`` without its tracebacks' frames, cleared here in the query thread: their locals
    hold pyoxigraph results, which must be freed by the thread that made them (pyoxigraph's
    ``QuerySolutions`` is thread-bound; dropped on another thread it leaks and warns)."""
    import traceback

    seen: set[int] = set()
    todo: list[BaseException | None] = [err]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        traceback.clear_frames(e.__traceback__)
        e.__traceback__ = None
        todo += [e.__cause__, e.__context__]
    return err


def _tick(deadline: float | None) -> float:
    """How long the main thread sleeps before it looks again: 50 ms, less near the deadline."""
    import time

    return 0.05 if deadline is None else max(0.0, min(0.05, deadline - time.monotonic()))


def _exit_abandoning_thread(code: int) -> None:
    """Exit now although the query thread still runs.

    In a real process: ``os._exit``, after flushing the output, because a normal exit would run
    the store's (RocksDB's) destructors under the thread's feet. Inside a test runner (the
    standard streams replaced, e.g. typer's CliRunner): a plain :class:`Exit` (``typer.Exit``
    once through kg.cli); the thread then finishes in the background.
    """
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    if sys.stdout is sys.__stdout__ and sys.stderr is sys.__stderr__:
        os._exit(code)
    raise Exit(code)


def stats(build_dir: Path, as_json: bool = False) -> None:
    """``bkg stats``: see ``kg.cli.stats_command``."""
    from .store import format_stats
    from .store import stats as count

    numbers = count(_open_store_or_exit(build_dir))
    echo(format_stats(numbers, "json" if as_json else "table"))


def queries(name: str | None = None) -> None:
    """``bkg queries``: see ``kg.cli.queries_command``."""
    from .queries import SavedQueryError, list_saved, load_saved

    if name is None:
        for q in list_saved():
            params = " ".join(
                f"[{p.name}={p.type}]" if p.optional else f"{p.name}={p.type}" for p in q.params
            )
            echo(f"{q.name:<30} {q.title}" + (f"  ({params})" if params else ""))
        echo("\nRun one: bkg query DIR --saved NAME --param name=value", err=True)
        return
    try:
        q = load_saved(name)
    except SavedQueryError as err:
        raise _fail(str(err)) from None
    echo(q.sparql.rstrip())



# --- reading the command line ---------------------------------------------------------------

#: The light commands: name -> (function, {option: (parameter, kind)}, [(positional, kind)],
#: {parameter: default}). Kinds: str, path, int, float, flag, list (a repeatable str). The
#: names, kinds and defaults are those declared on kg.cli's Typer commands.
LIGHT: dict[str, tuple] = {
    "query": (
        query,
        {
            "--store": ("store", "path"), "-s": ("store", "path"),
            "--file": ("file", "path"), "-f": ("file", "path"),
            "--format": ("fmt", "str"), "-F": ("fmt", "str"),
            "--max-width": ("max_width", "int"),
            "--saved": ("saved", "str"),
            "--param": ("param", "list"), "-p": ("param", "list"),
            "--timeout": ("timeout", "float"),
            "--limit": ("limit", "int"),
            "--allow-service": ("allow_service", "list"),
        },
        [("first", "str"), ("second", "str")],
        {"first": None, "second": None, "store": None, "file": None, "fmt": "table",
         "max_width": 80, "saved": None, "param": [], "timeout": 30.0, "limit": 10000,
         "allow_service": []},
    ),
    "stats": (
        stats,
        {"--json": ("as_json", "flag")},
        [("build_dir", "path")],
        {"build_dir": ..., "as_json": False},  # ...: required
    ),
    "queries": (queries, {}, [("name", "str")], {"name": None}),
}

_NOT_PLAIN = object()


def _value(kind: str, text: str) -> object:
    """``text`` as a value of ``kind``, or ``_NOT_PLAIN`` when Typer should judge it."""
    import re

    if kind in ("str", "list"):
        return text
    if kind == "path":
        return Path(text) if text else _NOT_PLAIN
    if kind == "int":
        return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else _NOT_PLAIN
    if kind == "float":
        plain = re.fullmatch(r"[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15}", text)
        return float(text) if plain else _NOT_PLAIN
    return _NOT_PLAIN


def parse(args: list[str], options: dict, positionals: list, defaults: dict) -> dict | None:
    """The keyword arguments of a light command for ``args`` (what follows its name), or None
    when the command line is not plain and Typer should read it."""
    values = {k: list(v) if isinstance(v, list) else v for k, v in defaults.items()}
    given: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        i += 1
        if not token.startswith("-") or token == "-":
            given.append(token)
            continue
        name, eq, text = token.partition("=") if token.startswith("--") else (token, "", "")
        if name not in options:  # also --help, --, -Fcsv, combined short flags
            return None
        dest, kind = options[name]
        if kind == "flag":
            if eq:
                return None
            values[dest] = True
            continue
        if not eq:
            if i >= len(args) or (args[i].startswith("-") and args[i] != "-"):
                return None
            text = args[i]
            i += 1
        value = _value(kind, text)
        if value is _NOT_PLAIN:
            return None
        if kind == "list":
            values[dest].append(value)
        else:
            values[dest] = value
    if len(given) > len(positionals):
        return None
    for (dest, kind), text in zip(positionals, given):
        value = _value(kind, text)
        if value is _NOT_PLAIN:
            return None
        values[dest] = value
    if any(v is ... for v in values.values()):  # a required argument is missing
        return None
    return values


def run(func, kwargs: dict) -> int:
    """Call a light command and return its exit code, as Typer would in a program:
    :class:`Exit` gives its code, Ctrl-C 130, a closed output pipe 1 (and nothing more is
    written to it)."""
    import errno
    import os

    try:
        func(**kwargs)
    except Exit as stop:
        return stop.code
    except KeyboardInterrupt:
        return 130
    except OSError as err:
        if err.errno != errno.EPIPE:
            raise
        # what is still buffered has nowhere to go: point stdout at /dev/null so that the
        # interpreter's last flush does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def run_light(args: list[str]) -> None:
    """Run ``bkg ARGS`` and exit when it is ``--version`` or a light command on a plain command
    line; return, having done nothing, when it is for Typer."""
    import os

    if not args or any(k.endswith("_COMPLETE") for k in os.environ):  # shell completion
        return
    if args == ["--version"]:
        sys.exit(run(lambda: echo(version_text()), {}))
    if args[0] not in LIGHT:
        return
    func, options, positionals, defaults = LIGHT[args[0]]
    kwargs = parse(args[1:], options, positionals, defaults)
    if kwargs is not None:
        sys.exit(run(func, kwargs))


def main() -> None:
    """The ``bkg`` program: a light command at once, anything else through kg.cli's Typer app."""
    run_light(sys.argv[1:])
    from kg.cli import app

    app()


if __name__ == "__main__":  # pragma: no cover
    main()
