"""The `annotate` command line: parse options, call one library function, print.

Every expected failure is an AnnotateError, printed as one line on stderr with its exit code
(SPEC section 7: 1 rejects, 2 usage, 3 connection/auth).
"""

from __future__ import annotations

import contextlib
import os
import sys

import click

from . import __version__
from .errors import AnnotateError


def _progress(items, label: str):
    """A progress bar on a terminal, the plain iterable elsewhere (CI logs, pipes)."""
    if sys.stderr.isatty():
        return click.progressbar(items, label=label, file=sys.stderr)
    return contextlib.nullcontext(items)


def warn(message: str) -> None:
    click.secho(f"warning: {message}", fg="yellow", err=True)


def studio_options(f):
    """--url / --api-key, shared by every command that talks to Label Studio."""
    f = click.option(
        "--api-key", envvar="LABEL_STUDIO_API_KEY", metavar="TOKEN",
        help="Personal access token or legacy token [env: LABEL_STUDIO_API_KEY].",
    )(f)
    f = click.option(
        "--url", envvar="LABEL_STUDIO_URL", default="http://localhost:8080", show_default=True,
        help="Label Studio base URL [env: LABEL_STUDIO_URL].",
    )(f)
    return f


class AnnotateGroup(click.Group):
    """Turns AnnotateError into one line on stderr and the SPEC exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AnnotateError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=AnnotateGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="annotate")
def cli():
    """Quote attribution datasets with Label Studio.

    Pre-annotate news articles with Speaker, Quote and Stance spans, push them to Label
    Studio, pull the reviewed annotations back as a validated gold dataset.

    Example:

        annotate convert seeds/ -o tasks.jsonl
    """


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", default="-", show_default=True,
              help="Tasks JSONL to write ('-' for stdout). Written atomically.")
def convert(inputs, output):
    """Convert raw articles into pre-annotated Label Studio tasks (JSONL).

    INPUTS are .txt files, directories (searched for .txt files) or - for stdin.
    Each article is cleaned of site boilerplate and pre-annotated with Speaker, Quote
    and Stance regions, said_by/refers_to relations, quote types and stance targets.

    Example:

        annotate convert seeds/ -o tasks.jsonl
    """
    from .convert import convert_paths, expand_inputs

    paths = expand_inputs(inputs)
    with _progress(paths, "Converting") as bar:
        stats = convert_paths(paths, output, warn=warn, progress=lambda _: bar)
    where = "" if output == "-" else f" -> {output}"
    click.echo(f"Converted {stats.summary()}{where}", err=True)


def main() -> None:
    """Console-script entry point."""
    # Unexpected errors keep their traceback under tests (pytest sets this variable).
    try:
        cli(prog_name="annotate")
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception:
        if os.environ.get("PYTEST_CURRENT_TEST"):
            raise
        raise
