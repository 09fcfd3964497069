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
from .redact import redact, terminal_json


def _progress(items, label: str):
    """A progress bar on a terminal, the plain iterable elsewhere (CI logs, pipes)."""
    if sys.stderr.isatty():
        return click.progressbar(items, label=label, file=sys.stderr)
    return contextlib.nullcontext(items)


def warn(message: str) -> None:
    click.secho(f"warning: {redact(message)}", fg="yellow", err=True)


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
            click.secho(f"Error: {redact(exc)}", fg="red", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt as exc:  # before click's own handler, which prints a blank line
            _interrupted(exc)
        except BrokenPipeError:  # before click's own handler, which exits 1 without a word
            _quiet_stdout()
            if ctx.invoked_subcommand in _STREAMING:
                ctx.exit(0)  # `annotate convert ... | head`: the reader took what it wanted
            click.echo("Error: the output pipe was closed before everything was written", err=True)
            ctx.exit(2)  # e.g. a new account's password would have been lost


# Commands whose standard output is their product, read-only: a reader that closes the pipe
# early (head, a pager) chose to stop, so they end quietly with 0, as Unix filters do. Any other
# command stopped by a closed pipe says so and exits 2: what it printed may matter.
_STREAMING = frozenset({"convert"})


def _print_version(ctx, _param, value) -> None:
    if not value or ctx.resilient_parsing:
        return
    from .converters import MODEL_VERSION

    click.echo(f"annotate {__version__} (pre-annotation rules {MODEL_VERSION})")
    ctx.exit()


@click.group(cls=AnnotateGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version of annotate and of its pre-annotation rules, and exit.")
def cli():
    """Quote attribution datasets with Label Studio.

    Pre-annotate news articles with Speaker, Quote and Stance spans, push them to Label
    Studio, pull the reviewed annotations back as a validated gold dataset.

    Example (the whole loop):

    \b
        annotate convert seeds/ -o tasks.jsonl
        annotate push tasks.jsonl --project "Quote attribution"
        annotate pull --project "Quote attribution" -o data/gold --format spacy
    """


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", default="-", show_default=True,
              help="Tasks JSONL to write ('-' for stdout). Written atomically.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Convert with N processes [default: one per core]. The output is the same "
                   "as with --jobs 1, in input order.")
@click.option("--targets", "targets_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Your project's own stance targets, one a line ('#' comments): listed first in "
                   "every task's target list, and proposed stances may use them.")
@click.option("--model", "model_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="A learned quote model from `annotate train`: it refines the rule quotes, and the "
                   "prediction's model_version names it.")
def convert(inputs, output, jobs, targets_file, model_dir):
    """Convert raw articles into pre-annotated Label Studio tasks (JSONL).

    INPUTS are .txt files, directories (searched for .txt files) or - for stdin.
    Each article is cleaned of site boilerplate and pre-annotated with Speaker, Quote
    and Stance regions, said_by/refers_to relations, quote types and stance targets.

    Example:

    \b
        annotate convert seeds/ -o tasks.jsonl
        annotate convert articles/ --jobs 4 -o tasks.jsonl
        annotate convert articles/ --targets targets.txt -o tasks.jsonl
        annotate convert articles/ --model model/ -o tasks.jsonl
    """
    from .convert import convert_paths, expand_inputs, read_targets_file

    fixed = read_targets_file(targets_file) if targets_file else []
    model = None
    if model_dir:
        from .learn import load_model

        model = load_model(model_dir)
    problems: list[tuple[str, str]] = []
    paths = expand_inputs(inputs, problems)
    with _progress(paths, "Converting") as bar:
        stats = convert_paths(paths, output, warn=warn, progress=lambda _: bar, problems=problems, jobs=jobs,
                              fixed_targets=fixed, model=model)
    where = "" if output == "-" else f" -> {output}"
    click.echo(f"Converted {stats.summary()}{where}", err=True)


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("-o", "--output", required=True, metavar="MODEL_DIR",
              help="Directory for model.crfsuite and the model card model.json (created).")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the dev split and training order.")
@click.option("--dev-fraction", default=0.1, show_default=True, metavar="F",
              type=click.FloatRange(0, 1, max_open=True), help="Share of documents held out for the card's figures.")
def train(sources, output, seed, dev_fraction):
    """Train the learned quote stage on your own gold, stacked on the rules.

    SOURCEs are gold datasets from `pull` (DIR or gold.jsonl) and/or brat corpora in the
    PolNeAR layout (text/*.txt + attributions/*.ann, as `export --format brat` writes). The
    model edits the rule stage's quotes (CRFsuite: which consecutive quotes are one quote,
    where each starts) and adds what its gold marks and the rules miss (the clause after a cue
    word, a quoted phrase, the topic of "critical of ..."); MODEL_DIR gets it and a model card
    with its figures on a held-out dev split. No weights are shipped: train your own.

    Example:

    \b
        annotate pull --project "Quote attribution" -o data/gold
        annotate train data/gold -o model/ --seed 0
        annotate convert articles/ --model model/ -o tasks.jsonl
    """
    from .learn import train_model

    labels = {"features": "Rules + features", "train": "Training"}
    with contextlib.ExitStack() as stack:
        bars: dict = {}

        def progress(stage, done, total):
            if not sys.stderr.isatty():
                return
            if stage not in bars:
                for bar in bars.values():
                    bar.render_finish()
                bars[stage] = stack.enter_context(click.progressbar(length=total, label=labels.get(stage, stage),
                                                                    file=sys.stderr))
            bars[stage].update(done - bars[stage].pos)

        card = train_model(list(sources), output, seed=seed, dev_fraction=dev_fraction, progress=progress)
    click.echo(f"Trained {card['model_version']} on {card['train_docs']} documents "
               f"({card['train_tokens']} tokens) in {card['train_seconds']} s -> {output}", err=True)
    if card.get("dev_figures"):
        rules, learned = card["dev_figures"]["rules"], card["dev_figures"]["learned"]
        click.echo(f"dev ({card['dev_docs']} docs): overlap F1 {rules['quote_overlap_prf'][2]} -> "
                   f"{learned['quote_overlap_prf'][2]}, exact F1 {rules['quote_exact_prf'][2]} -> "
                   f"{learned['quote_exact_prf'][2]}", err=True)


def source_options(f):
    """--project / --from-file: read a Label Studio project or a full-JSON export file."""
    f = click.option("--from-file", type=click.Path(dir_okay=False), metavar="EXPORT.json",
                     help="A Label Studio full-JSON export file instead of a live project.")(f)
    f = click.option("--project", metavar="NAME|ID", help="Label Studio project title or id.")(f)
    return f


@cli.command()
@source_options
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("-o", "--output", metavar="REPORT.html", help="Also write a self-contained HTML report.")
@click.option("--top", default=10, show_default=True, help="How many disputed tasks to list.")
@click.option("--exclude", multiple=True, metavar="EMAIL|ID",
              help="Leave this annotator out (repeatable), e.g. the lead who adjudicated.")
@studio_options
def agree(project, from_file, as_json, output, top, exclude, url, api_key):
    """Inter-annotator agreement: span F1 per label and pair, attribution, Krippendorff's alpha.

    Compares every task that two or more annotators completed (cancelled annotations are
    left out), lists the annotators and the most disputed tasks.

    Example:

    \b
        annotate agree --project "Quotes 2024" -o agreement.html
        annotate agree --from-file export.json --json --exclude lead@example.com
    """

    from .agreement import agreement_report, format_agreement
    from .htmlreport import agreement_html, save_html

    report = agreement_report(project, from_file, url, api_key, top=top, exclude=exclude, warn=warn)
    if output:
        save_html(output, agreement_html(report))
    click.echo(terminal_json(report) if as_json else format_agreement(report))
    if output:
        click.echo(f"HTML report -> {output}", err=True)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--project", required=True, metavar="NAME|ID",
              help="Project title (created with our labeling config if missing) or numeric id.")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1),
              help="Tasks per import request.")
@click.option("--dry-run", is_flag=True, help="Validate and show what would happen; write nothing.")
@click.option("--annotators", metavar="EMAIL,...",
              help="Blind double annotation: one project '<title> · <email>' per annotator, the same "
                   "tasks in each; missing accounts are created (their passwords printed once).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes converting .txt articles on the fly [default: one per core].")
@click.option("--targets", "targets_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Your project's own stance targets, one a line, for articles converted on the fly "
                   "(as convert --targets).")
@click.option("--model", "model_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="A learned quote model from `annotate train` for articles converted on the fly (as "
                   "convert --model): their predictions name it and carry its certainty as their score.")
@studio_options
def push(inputs, project, batch_size, dry_run, annotators, jobs, targets_file, model_dir, url, api_key):
    """Validate tasks and import them into a Label Studio project, skipping those already there.

    INPUTS are tasks JSONL files from `annotate convert` (.jsonl, or - for stdin) or raw
    .txt files/directories, converted on the fly. Tasks whose task_hash is already in the
    project are skipped, so re-running (even after an interrupted push) creates no
    duplicates; a document (doc_id) pushed again with new predictions is updated in place.
    Invalid tasks are reported and not sent (exit code 1). With --annotators, every
    annotator works in a project of their own and cannot see the others' annotations there;
    pull, agree, report and adjudicate given --project TITLE read all of them as one.

    Example:

    \b
        annotate push tasks.jsonl --project "Quote attribution"
        annotate push seeds/ --project 3 --dry-run
        annotate push seeds/ --project "Quotes 2024" --annotators ann@example.org,bob@example.org
        annotate push articles/ --project "Quotes" --model model/
    """
    from .convert import read_targets_file
    from .push import check_inputs, count_input_tasks
    from .push import push as push_inputs

    fixed = read_targets_file(targets_file) if targets_file else []
    extra = {}
    if model_dir:
        from .learn import load_model

        extra["model"] = load_model(model_dir)  # a missing or broken model fails before anything is sent
        if all(kind == "tasks" for kind, _ in check_inputs(inputs)):
            warn("--model applies to articles (.txt, directories) converted on the fly; the tasks files "
                 "given keep the predictions they have")

    bar = None
    if sys.stderr.isatty():
        total = count_input_tasks(inputs)
        if total:
            bar = click.progressbar(length=total, label="Pushing", file=sys.stderr)
    with bar or contextlib.nullcontext():
        if annotators is not None:
            from .familypush import push_family

            stats = push_family(url, api_key, inputs, project, annotators, batch_size=batch_size,
                                dry_run=dry_run, warn=warn, progress=bar.update if bar else None,
                                on_account=_show_password, jobs=jobs, fixed_targets=fixed, **extra)
        else:
            stats = push_inputs(url, api_key, inputs, project, batch_size=batch_size, dry_run=dry_run,
                                warn=warn, progress=bar.update if bar else None, jobs=jobs,
                                fixed_targets=fixed, **extra)
    for line in stats.problems:
        warn(line)
    if stats.invalid + stats.conflicts > len(stats.problems):
        warn(f"... {stats.invalid + stats.conflicts - len(stats.problems)} more not shown")
    summary = stats.summary()
    click.echo(("Dry run, nothing written. " if dry_run else "") + summary[0].upper() + summary[1:])
    if stats.failed:
        sys.exit(1)


def _show_password(account) -> None:
    """A new annotator's account and generated password, printed once (push --annotators)."""
    if account.created and account.password:
        click.echo(f"New account {account.email} with password {account.password} (shown only now)")


@cli.command()
@source_options
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("-o", "--output", metavar="REPORT.html", help="Also write a self-contained HTML report.")
@studio_options
def report(project, from_file, as_json, output, url, api_key):
    """The prediction edit report: how much of the pre-annotation survived review.

    For each model_version and label, counts the predicted regions kept as is, with a moved
    boundary, relabelled, with a changed choice, or deleted, and the regions annotators added;
    precision/recall of the predictions against the final annotations; mean lead time of
    tasks by how much was edited.

    Example:

    \b
        annotate report --project "Quotes 2024" -o edits.html
        annotate report --from-file export.json --json
    """

    from .editreport import edit_report, format_edit_report
    from .htmlreport import edits_html, save_html

    figures = edit_report(project, from_file, url, api_key, warn=warn)
    if output:
        save_html(output, edits_html(figures))
    click.echo(terminal_json(figures) if as_json else format_edit_report(figures))
    if output:
        click.echo(f"HTML report -> {output}", err=True)


@cli.command("export")
@click.argument("src", metavar="SRC")
@click.option("-f", "--format", "formats", multiple=True, required=True, metavar="FORMAT",
              help="spacy, hf, bio, brat or all (repeat the option or comma-separate).")
@click.option("-o", "--output", required=True, metavar="DIR",
              help="Directory to write DIR/<format>/ into (each replaced atomically).")
@click.option("--annotator", metavar="NAME",
              help="Annotator name in brat's <id>_<annotator>.ann [default: the record's annotator].")
@click.option("--json", "as_json", is_flag=True, help="Print the loss report as JSON.")
def export_cmd(src, formats, output, annotator, as_json):
    """Export a gold dataset for training: spaCy DocBin, Hugging Face datasets, BIO, brat.

    SRC is a dataset directory written by `annotate pull` (its train/dev/test splits are
    kept in every format) or a single gold.jsonl. Records are validated first: any invalid
    record stops the export with nothing written. Prints what each format could not hold.

    Example:

    \b
        annotate export dataset/ --format all -o exports/
        annotate export dataset/gold.jsonl -f spacy,bio -o exports/
    """

    from .exports import export_dataset

    report = export_dataset(src, ",".join(formats), output, annotator=annotator)
    click.echo(terminal_json(report.to_dict()) if as_json else report.table())
    written = ", ".join(f"{output.rstrip('/')}/{name}" for name in report.formats)
    click.echo(f"Exported {sum(report.splits.values())} records -> {written}", err=True)


@cli.command()
@click.option("--project", required=True, metavar="NAME|ID", help="Label Studio project title or id.")
@click.option("--apply", is_flag=True, help="Write to Label Studio (default: dry run).")
@click.option("--requeue", is_flag=True,
              help="Copy each disputed version onto its task as a prediction '<email> (annotator)'.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@studio_options
def adjudicate(project, apply, requeue, as_json, url, api_key):
    """Settle agreed tasks (ground truth) and put disputed ones before a reviewer.

    Tasks whose annotators fully agree get their latest annotation marked ground truth;
    disputed tasks are listed, and with --requeue every annotator's version is shown on the
    task in Label Studio for the lead to resolve. Dry run unless --apply. Re-running is safe:
    nothing is marked twice and no review copy is duplicated.

    Example:

    \b
        annotate adjudicate --project "Quotes 2024"
        annotate adjudicate --project "Quotes 2024" --apply --requeue
    """

    from .adjudicate import adjudicate as run_adjudication
    from .adjudicate import format_adjudication, iter_adjudication_json

    result = run_adjudication(project, url, api_key, apply=apply, requeue=requeue, warn=warn, spool=as_json)
    if as_json:  # a task at a time: the plan of a big project stays in its temporary files
        for piece in iter_adjudication_json(result):
            click.echo(piece, nl=False)
        click.echo()
    else:
        click.echo(format_adjudication(result))


@cli.command()
@source_options
@click.option("-o", "--output", metavar="DIR", help="Dataset directory (created, or replacing an earlier dataset).")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the train/dev/test assignment.")
@click.option("--split", default="0.8,0.1,0.1", show_default=True, metavar="TRAIN,DEV,TEST",
              help="Split ratios, summing to 1.")
@click.option("--on-error", type=click.Choice(["skip", "fail"]), default="skip", show_default=True,
              help="skip: invalid tasks go to rejects.jsonl (exit 1); fail: stop at the first, write nothing.")
@click.option("--dry-run", is_flag=True, help="Validate and count; write nothing.")
@click.option("-f", "--format", "formats", multiple=True, metavar="FORMAT",
              help="Also write training formats beside gold.jsonl: spacy, hf, bio, brat or all "
                   "(repeat or comma-separate); see `annotate export`.")
@click.option("--via", type=click.Choice(["snapshot", "tasks"]), default=None,
              help="How to read the project: snapshot (the default: Label Studio builds an export "
                   "snapshot in one long request) or tasks (its task list, a page at a time: no request "
                   "runs for minutes, for servers behind a proxy's time limit). Same dataset either way. "
                   "[env: ANNOTATE_VIA]")
@studio_options
def pull(project, from_file, output, seed, split, on_error, dry_run, formats, via, url, api_key):
    """Export reviewed annotations and write a validated gold dataset.

    Exports the project in Label Studio's full JSON (or reads EXPORT.json given with
    --from-file), picks each task's gold annotation (ground truth, else the most recent),
    validates it against the gold schema and the semantic rules, and writes DIR/gold.jsonl,
    rejects.jsonl, splits/{train,dev,test}.jsonl, manifest.json and a README.md card, all
    at once (a crash never leaves half a dataset). Exit 1 when any task was rejected.

    Example:

    \b
        annotate pull --project "Quote attribution" -o data/gold
        annotate pull --from-file export.json -o data/gold --seed 1 --split 0.7,0.15,0.15
        annotate pull --project 3 -o data/gold --format spacy,hf
        annotate pull --project 3 -o data/gold --via tasks
    """
    from .errors import ValidationFailed
    from .pull import pull as run_pull

    if not dry_run and not output:
        raise click.UsageError("-o/--output DIR is required (or --dry-run)")
    if not project and not from_file:
        raise click.UsageError("pass --project NAME|ID or --from-file EXPORT.json")
    summary = run_pull(project, output, from_file=from_file, url=url, api_key=api_key, seed=seed,
                       split=split, on_error=on_error, dry_run=dry_run, formats=formats, via=via,
                       progress=lambda msg: click.echo(msg, err=True))
    click.echo("\n".join(summary.lines()))
    if summary.counts.rejected:
        where = "" if dry_run else f": see {summary.output}/rejects.jsonl"
        raise ValidationFailed(f"{summary.counts.rejected} task(s) rejected{where}")


@cli.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--max-errors", default=20, show_default=True, type=click.IntRange(min=0),
              help="How many individual errors to list before the per-code summary.")
def validate_cmd(file, max_errors):
    """Validate a gold.jsonl or a Label Studio export file offline.

    Each gold record is checked against the gold schema and the semantic rules; each
    export task as `pull` would (annotation choice, record building, validation).
    Prints the errors and a per-code summary; exit 1 if anything is invalid.

    Example:

    \b
        annotate validate data/gold/gold.jsonl
        annotate validate export.json --max-errors 0
    """
    from .errors import ValidationFailed
    from .pull import validate_file

    report = validate_file(file)
    click.echo("\n".join(report.lines(limit=max_errors)))
    if report.invalid:
        raise ValidationFailed(f"{report.invalid} invalid item(s) in {file}")


@cli.command()
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535),
              help="Port for Label Studio (a busy port is an error naming a free one).")
@click.option("--host", default="localhost", show_default=True, help="Interface to listen on.")
@click.option("--data-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Label Studio data directory [default: $ANNOTATE_HOME/label-studio, else the user data dir].")
@click.option("--no-push", is_flag=True, help="Only start the server; do not push the seeds.")
@click.option("--no-backend", is_flag=True,
              help="Do not start the ML backend that pre-annotates tasks imported in the UI.")
@click.option("--postgres", is_flag=True,
              help="Keep Label Studio's database in a local PostgreSQL cluster that the demo creates "
                   "under the data dir and starts and stops with it (needs Debian's postgresql package).")
@click.option("--database-url", envvar="ANNOTATE_DATABASE_URL", metavar="URL",
              help="Use an existing PostgreSQL server: postgresql://USER:PASSWORD@HOST:5432/NAME "
                   "[env: ANNOTATE_DATABASE_URL].")
def demo(port, host, data_dir, no_push, no_backend, postgres, database_url):
    """Run a local Label Studio with the five seed articles pre-annotated; Ctrl-C stops it.

    The first run creates a user and an API token (stored, mode 0600, beside the data) and
    the project "Quote attribution (demo)"; later runs reuse the same data, so nothing is lost.
    One demo at a time per data dir. Label Studio listens on --host only (default localhost);
    ANNOTATE_START_TIMEOUT (seconds, default 300) is how long to wait for its first start.

    SQLite is the default database. For tens of thousands of tasks or several annotators at
    once, use PostgreSQL (--postgres, or --database-url for a server you run).

    Examples:

    \b
        annotate demo --port 8081
        annotate demo --postgres --data-dir ~/ls-pg
    """
    from .demo import run_demo

    tty = sys.stderr.isatty()

    def tick(elapsed: float) -> None:
        if tty:
            click.echo(f"\rWaiting for Label Studio... {elapsed:.0f} s", nl=False, err=True)
        elif int(elapsed) % 10 == 0 and elapsed >= 1:
            click.echo(f"Waiting for Label Studio... {elapsed:.0f} s", err=True)

    def say(message: str) -> None:
        click.echo(("\r" if tty else "") + message, err=True)

    def ready(info) -> None:
        lines = ["", f"Label Studio: {info.url}", f"Login:        {info.email} / {info.password}"]
        if info.project_url:
            lines.append(f"Project:      {info.project_url}")
        if info.push_summary:
            lines.append(f"Pushed:       {info.push_summary}")
        if info.backend_url:
            lines.append(f"ML backend:   {info.backend_url} (connected: tasks imported in the UI get predictions)")
        lines += [f"API:          LABEL_STUDIO_URL={info.url} LABEL_STUDIO_API_KEY={info.token}",
                  "Press Ctrl-C to stop (the data is kept for the next run).", ""]
        click.echo("\n".join(lines))

    run_demo(host=host, port=port, data_dir=data_dir, push_seeds=not no_push, backend=not no_backend,
             say=say, ready=ready, tick=tick, postgres=postgres, database_url=database_url)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (0.0.0.0 to accept other machines: then use --basic-auth).")
@click.option("--port", default=9090, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Request threads (health checks stay answered during a long /predict).")
@click.option("--basic-auth", metavar="USER:PASSWORD", envvar="ANNOTATE_BACKEND_AUTH",
              help="Require these credentials (give the same to `annotate connect`) [env: ANNOTATE_BACKEND_AUTH].")
@click.option("--max-body", default=16, show_default=True, type=click.IntRange(1, 1024), metavar="MB",
              help="Largest request body accepted, in MiB (larger ones get HTTP 413).")
@click.option("--max-text", default=200_000, show_default=True, type=click.IntRange(1), metavar="CHARS",
              help="Longest task text pre-annotated; longer ones get an empty prediction.")
@click.option("--time-budget", default=60.0, show_default=True, type=click.FloatRange(min=1), metavar="SECONDS",
              help="Converter time per /predict request; tasks left over are asked again later.")
@click.option("--model", "model_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="A learned quote model from `annotate train`: predictions are made with it and "
                   "their model_version names it.")
@click.option("--train-every", type=click.IntRange(min=1), metavar="N",
              help="With --model: retrain in the background on the projects' gold after every N new or "
                   "updated annotations and on Label Studio's \"Start training\"; new versions go to "
                   "DIR/versions, DIR/latest names the one served.")
@click.option("--train-iterations", type=click.IntRange(min=1), metavar="N",
              help="Cap on the training iterations of each retraining [default: as `annotate train`].")
@studio_options
def backend(host, port, workers, basic_auth, max_body, max_text, time_budget, model_dir, train_every,
            train_iterations, url, api_key):
    """Serve the converter as a Label Studio ML backend (live pre-annotation).

    Tasks imported through Label Studio's UI or cloud storage get Speaker/Quote/Stance
    predictions from the same converter as `convert`, and empty data.targets are filled
    with the entities it finds (through the API: --url/--api-key, or else the token Label
    Studio sends the backend). Label Studio must run with ML_BLOCK_LOCAL_IP=false and
    SSRF_PROTECTION_ENABLED=false to use a backend on localhost. With --model the learned
    quote model makes the predictions; with --train-every too, the backend learns from the
    annotations (only gold that `annotate pull` accepts trains).

    Example:

    \b
        annotate backend --port 9090 &
        annotate backend --model model/ --train-every 20 &
        annotate connect --project "Quotes" --backend http://localhost:9090
    """
    from .backend import parse_basic_auth, serve
    from .errors import UsageError

    if train_every is not None and not model_dir:
        raise UsageError("--train-every needs --model DIR (train a first model with `annotate train`)")
    auth = parse_basic_auth(basic_auth)
    serve(host=host, port=port, workers=workers, say=lambda m: click.echo(m, err=True),
          basic_auth=auth, max_body=max_body * 1024 * 1024, max_text=max_text, budget=time_budget,
          url=url if api_key else None, api_key=api_key, model_dir=model_dir, train_every=train_every,
          train_iterations=train_iterations)


@cli.command("connect")
@click.option("--project", required=True, metavar="NAME|ID",
              help="Label Studio project title or id; a new title is created with the annotate labeling config.")
@click.option("--backend", "backend_url", required=True, metavar="URL",
              help="The backend's URL as Label Studio reaches it, e.g. http://localhost:9090.")
@click.option("--title", default="annotate-rules", show_default=True, help="Name of the backend in the project.")
@click.option("--basic-auth", metavar="USER:PASSWORD", envvar="ANNOTATE_BACKEND_AUTH",
              help="Credentials Label Studio sends to the backend [env: ANNOTATE_BACKEND_AUTH].")
@studio_options
def connect_cmd(project, backend_url, title, basic_auth, url, api_key):
    """Register a running `annotate backend` with a project (idempotent).

    Re-running finds the existing registration instead of adding a second one. A project
    title that does not exist yet is created (as `push` does); credentials written into the
    URL (http://USER:PASSWORD@host) are registered as basic auth and never printed.

    Example:

    \b
        annotate connect --project "Quotes" --backend http://localhost:9090
    """
    from .backend import connect, parse_basic_auth

    c = connect(url, api_key, project, backend_url, title=title, basic_auth=parse_basic_auth(basic_auth))
    if c.project_created:
        click.echo(f"Created project {c.project_id} ({c.project_title!r}) with the annotate labeling config")
    for old in c.replaced:
        click.echo(f"Removed the earlier registration of {title!r} at {old}")
    verb = "Connected" if c.created else "Already connected:"
    click.echo(f"{verb} ML backend {c.url} (id {c.backend_id}) to project {c.project_id} ({c.project_title!r})")
    if not c.webhook:
        warn("Label Studio added no webhook for the backend: tasks get predictions when opened, "
             "but their empty targets are not filled")


@cli.group("users")
def users_group():
    """Label Studio accounts for annotators: add accounts that can log in, list them.

    Example:

    \b
        annotate users add ann@example.org bob@example.org
        annotate users list
    """


@users_group.command("add")
@click.argument("emails", nargs=-1, required=True, metavar="EMAIL...")
@click.option("--password-file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Give every new account the password on the first line of FILE "
                   "(8 to 128 characters) instead of a generated one each.")
@studio_options
def users_add(emails, password_file, url, api_key):
    """Create Label Studio accounts that can log in to the web UI (idempotent).

    Each account is made through your organisation's invite link (the signup link on the
    People page), so it can log in and sees the organisation's projects. A new account gets
    a generated password, printed here once (annotate keeps no copy: pass it on); with
    --password-file every new account gets the password held in FILE. An e-mail that already
    has an account is said so and left unchanged (its password too): an account made without
    a password (POST /api/users/, the SDK's users.create) still cannot log in; on the server's
    machine `label-studio reset_password --username EMAIL` gives it one.

    Example:

    \b
        annotate users add ann@example.org bob@example.org
        annotate users add carl@example.org --password-file team-password.txt
    """
    from .redact import printable
    from .users import ensure_accounts, read_password_file

    password = read_password_file(password_file) if password_file else None

    def show(account) -> None:
        who = f"{printable(account.email)} (id {account.id})"
        if not account.created:
            click.echo(f"Exists:  {who}, unchanged")
        elif password is None:
            click.echo(f"Created: {who}, password: {account.password}")
        else:
            click.echo(f"Created: {who}, password from {printable(password_file)}")

    accounts = ensure_accounts(url, api_key, list(emails), password, report=show)
    made = sum(a.created for a in accounts)
    if made and password is None:
        click.echo("The passwords above are shown only this once.", err=True)


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the accounts as JSON.")
@studio_options
def users_list(as_json, url, api_key):
    """List the accounts of your Label Studio organisation: id, e-mail, name, last activity.

    Label Studio's API does not say whether an account has a password: one made by
    `annotate users add` can log in, one made by `POST /api/users/` cannot.

    Example:

    \b
        annotate users list
        annotate users list --json
    """
    from .redact import printable
    from .users import list_accounts

    accounts = list_accounts(url, api_key)
    if as_json:
        click.echo(terminal_json(accounts))
        return
    rows = [("ID", "EMAIL", "NAME", "LAST ACTIVE")]
    rows += [(str(a["id"]), "(removed from the organisation)" if a["removed"] else printable(a["email"]),
              "" if a["removed"] else printable(a["name"] or a["username"]),
              (a["last_activity"] or "")[:16].replace("T", " ")) for a in accounts]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        click.echo("  ".join([cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)] + [row[3]]).rstrip())


def main() -> None:
    """Console-script entry point.

    Expected failures are one line on stderr with their exit code; Ctrl-C is one line saying
    what was done, exit 130. An unexpected exception is a bug: the user gets one line naming
    it and a file holding the traceback; under tests (or with ANNOTATE_DEBUG=1) it is
    re-raised whole. Every line and the crash file pass through `redact` (no token, no
    `user:password@`).
    """
    try:
        code = cli.main(prog_name="annotate", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort) as exc:
        _interrupted(exc)
    except click.exceptions.Exit as exc:  # ctx.exit() inside a callback
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.message = redact(exc.message)
        exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        _quiet_stdout()
        click.echo("Error: the output pipe was closed before everything was written", err=True)
        sys.exit(2)
    except OSError as exc:
        if _debugging():
            raise
        where = f" ({redact(exc.filename)})" if exc.filename else ""
        click.secho(f"Error: {redact(exc.strerror or exc)}{where}", fg="red", err=True)
        sys.exit(2)
    except Exception as exc:
        if _debugging():
            raise
        import tempfile
        import traceback

        fd, path = tempfile.mkstemp(prefix="annotate-crash-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(redact(traceback.format_exc()))
        click.secho(f"Error: unexpected {type(exc).__name__}: {redact(exc)}", fg="red", err=True)
        click.echo(f"This is a bug in annotate; the traceback is in {path} "
                   "(ANNOTATE_DEBUG=1 prints it here).", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _debugging() -> bool:
    """Under tests or ANNOTATE_DEBUG=1 an unexpected error is re-raised whole."""
    return bool(os.environ.get("PYTEST_CURRENT_TEST") or os.environ.get("ANNOTATE_DEBUG"))


def _interrupted(exc: BaseException) -> None:
    """Ctrl-C: one line (what the command says it did, or that re-running is safe), exit 130."""
    from .errors import Interrupted

    cause = exc if isinstance(exc, Interrupted) else exc.__context__
    if isinstance(cause, Interrupted) and str(cause):
        message = str(cause)
    else:
        message = "stopped before finishing; nothing half-written was kept, re-running the command resumes"
    click.echo(f"Interrupted: {message}", err=True)
    sys.exit(130)


def _quiet_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the interpreter's final flush does not fail."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
