"""`lab analyze …`: the analysis core on files (CSV or Parquet), printing JSON."""

from __future__ import annotations

import typer

app = typer.Typer(help="Analyse CSV or Parquet files without the platform; prints JSON.",
                  no_args_is_help=True)

# Each module registers its commands on `app` when imported.
from experiments.cli import designs as _designs  # noqa: E402,F401
from experiments.cli import feedback as _feedback  # noqa: E402,F401

__all__ = ["app"]
