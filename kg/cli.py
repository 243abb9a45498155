"""The ``bkg`` command line: one Typer app, thin commands over importable functions.

Each command checks its arguments, calls a function from ``extract`` or ``kg`` and prints.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="bkg",
    help="bilateral-kg: Japanese diplomatic documents -> a queryable knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
)

# --- build / query / stats (issue 2) -------------------------------------------------------

# --- eval (issue 3) ------------------------------------------------------------------------

# --- analyze / path / ego / viz (issue 4) --------------------------------------------------

# --- serve / queries / validate / export / push (issue 5) ----------------------------------


if __name__ == "__main__":  # pragma: no cover
    app()
