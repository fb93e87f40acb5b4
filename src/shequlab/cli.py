"""The `shequlab` command: parses arguments and prints; the work lives in plain functions."""

from __future__ import annotations

from pathlib import Path

import typer

from shequlab import __version__

app = typer.Typer(
    help="shequlab — training environment for Shanghai community social workers.",
    no_args_is_help=True,
    add_completion=False,
)
data_app = typer.Typer(help="Sample data of Xinhua Road Subdistrict: generate, validate, describe.")
app.add_typer(data_app, name="data")


@app.callback(invoke_without_command=True)
def _main(
    version: bool = typer.Option(
        False, "--version", is_eager=True, help="Print the version and exit."
    ),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


@data_app.command("generate")
def data_generate(
    out: Path = typer.Option(None, "--out", help="Folder to write into (default: datasets/)."),
) -> None:
    """Regenerate every CSV table and datapackage.json, byte for byte, from the fixed seed."""
    from shequlab.data.generate import generate_all

    written = generate_all(out)
    typer.echo(f"wrote {len(written)} tables to {written[0].parent if written else out}")


@data_app.command("validate")
def data_validate(
    files: list[Path] = typer.Argument(
        None, help="CSV files to check (default: the whole package)."
    ),
    table: str = typer.Option(None, "--table", "-t", help="Table whose schema the FILES must fit."),
    package: Path = typer.Option(None, "--package", help="datapackage.json (default: datasets/)."),
) -> None:
    """Check the tables against datasets/datapackage.json (types, enums, keys, foreign keys)."""
    from shequlab.data.validate import run_validate_command

    raise typer.Exit(run_validate_command(files or [], table, package))


@data_app.command("describe")
def data_describe(
    table: str = typer.Argument(..., help="Table name, e.g. hotline_orders."),
) -> None:
    """Print a readable summary of one table: meaning, columns, types, sample rows."""
    from shequlab.data.describe import describe_table

    raise typer.Exit(describe_table(table))


if __name__ == "__main__":  # pragma: no cover
    app()
