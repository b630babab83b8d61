"""The command line. Thin: parse, call, print, exit code.

Exit codes: 0 all documents cleaned; 1 finished but some documents failed (or a check
failed); 2 usage or config error, nothing done.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from . import __version__
from .config import Config, load_config
from .errors import CleanerError, ConfigError, InputError, RunStopped
from .pool import Engine
from .review.review_list import REVIEW_OVER

if TYPE_CHECKING:
    from .progress import Log

app = typer.Typer(
    help="Clean scraped news and web text of boilerplate and ad noise, with an audit log.",
    no_args_is_help=True,
    add_completion=False,
)
rules_app = typer.Typer(help="List and test the phrase rules.", no_args_is_help=True)
audit_app = typer.Typer(help="Check and read audit logs.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(audit_app, name="audit")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="Pipeline file replacing the bundled rules/pipeline.yaml.")
]
RulesOpt = Annotated[
    list[Path] | None, typer.Option("--rules", help="Phrase pack added on top of the bundled ones (repeatable).")
]
AllowOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--allow", help="Allow list (exceptions, rules switched off) on top of rules/allow.yaml (repeatable)."
    ),
]
AuditArg = Annotated[Path, typer.Argument(help="A run's audit log (OUT/.cleaner/audit.jsonl).")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(Text("error: ", style="bold red") + Text(message))
    return typer.Exit(code)


def _config(config: Path | None, rules: list[Path] | None, allow: list[Path] | None = None) -> Config:
    try:
        return load_config(config, tuple(rules or ()), tuple(allow or ()))
    except ConfigError as exc:
        raise _fail(f"bad config: {exc}") from None


def _version(value: bool) -> None:
    if value:
        out.print(f"cleaner {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Clean scraped news and web text of boilerplate and ad noise, with an audit log."""


@app.command()
def run(
    inputs: Annotated[
        list[Path], typer.Argument(help="Files or folders: .txt, .html/.htm, .jsonl, .jsonl.gz, .jsonl.zst.")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder; mirrors the input layout.")],
    config: ConfigOpt = None,
    rules: RulesOpt = None,
    allow: AllowOpt = None,
    audit: Annotated[
        Path | None, typer.Option("--audit", help="Audit log path \\[default: OUT/.cleaner/audit.jsonl].")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes \\[default: all cores]; with --engine ray, a new local Ray's CPUs.",
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option("--engine", help="local: processes of this machine; ray: tasks on a Ray cluster (extra \\[ray])."),
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(
            "--address",
            help="--engine ray: the cluster to use (host:port, or auto) "
            "\\[default: $RAY_ADDRESS, else a new local Ray].",
        ),
    ] = None,
    incremental: Annotated[
        bool, typer.Option("--incremental", help="Clean only new or changed inputs (all when the config changed).")
    ] = False,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="State folder: lock and per-input audit parts \\[default: OUT/.cleaner]."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be cleaned and why; write nothing.")
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Stop after N documents (the input cut short is redone later).")
    ] = None,
    log_file: Annotated[
        Path | None, typer.Option("--log-file", help="Also append progress, errors and the summary to this file.")
    ] = None,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Only errors.")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Also the per-rule counts.")] = False,
    review_over: Annotated[
        float,
        typer.Option(
            "--review-over", min=0.0, max=1.0, help="Documents with more than this share removed go to review.jsonl."
        ),
    ] = REVIEW_OVER,
) -> None:
    """Clean INPUTS into --out and write the audit log.

    Exit codes: 0 all cleaned; 1 some documents failed (named, the rest written); 2 usage or
    config error, nothing done; 3 another run holds the state folder's lock, nothing done;
    4 stopped part-way (--engine ray: a task failed for good), the next --incremental run finishes.
    """
    from .progress import Log, Progress
    from .review import review_list
    from .run import default_workers
    from .run import run as run_all
    from .state import LOCKED_EXIT, Locked
    from .summary import run_summary

    cfg = _config(config, rules, allow)
    log = Log(err, log_file, quiet=quiet)
    n_workers = workers or default_workers()
    if engine not in ("local", "ray"):
        raise _fail(f"--engine {engine}: expected local or ray")
    if address and engine != "ray":
        raise _fail("--address is for --engine ray")
    progress = Progress(log, enabled=not quiet and not dry_run)
    runner = None
    try:
        runner = _engine(engine, address, n_workers, dry_run)
        with progress:
            result = run_all(
                list(inputs),
                out_dir,
                cfg,
                audit,
                argv=sys.argv[1:],
                on_failure=lambda source, error: log.error(f"{source}: {error}"),
                incremental=incremental,
                state=state,
                dry_run=dry_run,
                limit=limit,
                on_progress=progress.advance,
                on_start=progress.start,
                engine=runner,
                review_over=review_over,
            )
    except Locked as exc:
        log.error(f"error: {exc}")
        raise typer.Exit(LOCKED_EXIT) from None
    except RunStopped as exc:
        log.error(f"error: {exc}; what was written stays, and the next --incremental run finishes the rest")
        raise typer.Exit(exc.exit_code) from None
    except (InputError, CleanerError) as exc:
        log.error(f"error: {exc}")
        raise typer.Exit(2) from None
    finally:
        if runner is not None:
            runner.close()
    if dry_run:
        for job, why in result.todo:
            out.print(Text(f"would clean {job.source} -> {job.out}  ({why})"))
        out.print(f"{len(result.todo)} input(s) to clean, {result.skipped} unchanged (skipped)")
        raise typer.Exit(0)
    s = result.stats
    n_workers = runner.workers  # with Ray: the cluster's CPUs
    summary = run_summary(result, n_workers, runner.name)
    if result.audit_written:
        summary_path = result.audit_path.with_name("summary.json")
        summary_path.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        review_path, review_n = review_list.write(result.audit_path, review_over, result.parts)
    else:
        review_n = 0
    if not result.todo:
        log.info(f"nothing to do: {result.skipped} input(s) unchanged since their last clean; nothing rewritten")
    else:
        removed = s.chars_in - s.chars_out
        log.info(
            f"cleaned {s.docs - s.failed} of {s.docs} documents from {len(result.todo)} input(s) into {out_dir}/ "
            f"in {result.seconds:.1f}s ({summary['mb_per_s']:.2f} MB/s, {n_workers} worker(s), {runner.name} engine); "
            f"{removed:,} characters removed; {s.failed} failed; {result.skipped} input(s) unchanged; "
            f"audit: {result.audit_path}"
        )
        if result.limited:
            log.info(f"stopped at --limit {limit}: the input cut short is cleaned again by the next run")
        if review_n:
            log.info(f"{review_n} document(s) had more than {review_over:.0%} removed: listed in {review_path}")
        _log_learned(log, cfg, state or out_dir / ".cleaner")
    if verbose:
        for rule, row in s.as_dict()["rules"].items():
            counts = f"docs {row['docs']:6}  edits {row['edits']:6}  chars {row['chars']:8}  flagged {row['flagged']}"
            log.info(f"  {rule:40} {counts}")
    log.close()
    raise typer.Exit(1 if s.failed else 0)


def _engine(name: str, address: str | None, workers: int, dry_run: bool) -> Engine:
    """The engine a run uses; a dry run starts no cluster."""
    if name == "ray" and not dry_run:
        from .ray_engine import RayEngine

        return RayEngine(address, workers)
    return Engine(workers)


def _log_learned(log: Log, cfg: Config, state: Path) -> None:
    """One line on what repeated-line learning knows after the run (cron logs show it grow)."""
    from .learn import state_path
    from .repeated_store import Store

    spec = cfg.stage("repeated")
    if spec is None or not cfg.learns():
        return
    path = state_path(cfg, state)
    try:
        store = Store.load(path, spec.params.max_lines, counted_only=True)
    except CleanerError as exc:
        log.error(f"error: {exc}")
        return
    counts = store.counts().values()
    removed = sum(n >= spec.params.min_docs for n in counts)
    flagged = sum(spec.params.flag_docs <= n < spec.params.min_docs for n in counts)
    log.info(
        f"repeated lines: {path} has counted {store.docs:,} documents; {removed} line(s) printed by "
        f"{spec.params.min_docs}+ unrelated documents (removed), {flagged} by {spec.params.flag_docs}+ (flagged)"
    )


STAGE_STYLE = {
    "html": "magenta",
    "encoding": "cyan",
    "header": "blue",
    "phrases": "red",
    "coherence": "yellow",
    "whitespace": "dim",
}


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="One .txt, .html or .jsonl\\[.gz|.zst] file.")],
    line: Annotated[
        int | None, typer.Option("--line", min=1, help="JSONL: the record on this line \\[default: first].")
    ] = None,
    config: ConfigOpt = None,
    rules: RulesOpt = None,
    allow: AllowOpt = None,
) -> None:
    """Clean one document and show the result, then every edit with its rule, reason and score."""
    from .audit import edit_records
    from .io import kind_of, read_items
    from .pipeline import Pipeline

    cfg = _config(config, rules, allow)
    if not file.is_file():
        raise _fail(f"{file}: no such file")
    if not kind_of(file):
        raise _fail(f"{file}: unsupported file type")
    item = None
    for candidate in read_items(file, str(file), file.name.split(".")[0], cfg.fields):
        if line is None or candidate.source.endswith(f":{line}"):
            item = candidate
            break
    if item is None:
        raise _fail(f"{file}: no record on line {line}" if line else f"{file}: no document", 1)
    if item.doc is None:
        raise _fail(f"{item.source}: {item.error}", 1)
    cleaned = Pipeline(cfg).clean(item.doc)
    out.rule(f"{item.source}: cleaned text")
    out.print(Text(cleaned.text))
    out.rule(f"{sum(len(s.edits) for s in cleaned.steps)} edits")
    for rec in edit_records(cleaned):
        style = STAGE_STYLE.get(rec["stage"], "")
        row = Text(f"{rec['action']:7} ", style="bold" if rec["action"] != "flag" else "italic")
        row += Text(f"{rec['rule']:32}", style=style)
        if rec["score"] is not None:
            row += Text(f" score={rec['score']}")
        row += Text(f"  {rec['reason']}", style="dim")
        if rec["text"] is not None:
            snippet = rec["text"] if len(rec["text"]) <= 90 else rec["text"][:87] + "..."
            change = f"{snippet!r} -> {rec['replacement']!r}" if rec["replacement"] else repr(snippet)
            row += Text(f"\n        {change}")
        out.print(row)
    if cleaned.meta:
        out.print(Text(f"metadata: {cleaned.meta}"))


def _phrase_rules(config: Path | None, rules: list[Path] | None) -> tuple:
    spec = _config(config, rules).stage("phrases")
    if spec is None:
        raise _fail("the config has no phrases stage")
    return spec.params.rules


@rules_app.command("list")
def rules_list(config: ConfigOpt = None, rules: RulesOpt = None) -> None:
    """Every phrase rule: id, where it matches, what it matches, why."""
    phrase_rules = _phrase_rules(config, rules)
    for r in phrase_rules:
        kind = "regex" if r.regex else "text"
        out.print(
            Text(f"{r.id:36}", style="bold")
            + Text(f" {r.where + ('+glued' if r.glued else ''):10} {kind:5} ")
            + Text(r.match)
            + Text(f"  — {r.reason}", style="dim")
        )
    out.print(f"{len(phrase_rules)} rules")


@rules_app.command("test")
def rules_test(config: ConfigOpt = None, rules: RulesOpt = None) -> None:
    """Run every rule's examples; exit 1 if any fails."""
    from .ruletest import check_rules

    phrase_rules = _phrase_rules(config, rules)
    failures, total = check_rules(phrase_rules)
    for rule, ex, got in failures:
        err.print(Text(f"FAIL {rule.id} ({rule.origin})", style="red"))
        err.print(Text(f"  in:       {ex.input!r}\n  expected: {ex.output!r}\n  got:      {got!r}"))
    out.print(f"{total - len(failures)} of {total} examples pass ({len(phrase_rules)} rules)")
    raise typer.Exit(1 if failures else 0)


@rules_app.command("suggest")
def rules_suggest(
    inputs: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to learn from (on top of --state, if given).")
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="A run's repeated-line store: the file, its state folder, or the run's OUT."),
    ] = None,
    min_docs: Annotated[
        int | None,
        typer.Option("--min-docs", min=2, help="Unrelated documents a line needs \\[default: the config's]."),
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the proposed pack here \\[default: stdout].")
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Propose phrase rules (pack YAML) for lines repeated across unrelated documents."""
    from .learn import learn_paths, suggest_pack
    from .repeated_store import Store

    if not inputs and state is None:
        raise _fail("give INPUT files or folders, or --state FILE")
    cfg = _config(config, None)
    spec = cfg.stage("repeated")
    params = spec.params if spec is not None else None
    max_lines = params.max_lines if params is not None else 500_000
    try:
        if state is not None:
            state = _state_file(state)
        store = Store.load(state, max_lines) if state is not None else Store(max_lines)
        for given in inputs or ():
            if not given.exists():
                raise InputError(f"{given}: no such file or folder")
        learn_paths(inputs or (), cfg, store)
    except CleanerError as exc:
        raise _fail(str(exc)) from None
    text = suggest_pack(store, min_docs or (params.min_docs if params is not None else 5))
    if out_file is None:
        sys.stdout.write(text)
    else:
        out_file.write_text(text, encoding="utf-8")
        err.print(f"wrote {out_file}")


def _state_file(given: Path) -> Path:
    """The repeated-line store a --state names: the file itself, a state folder, or a run's OUT."""
    from .learn import STATE_NAME

    for path in (given, given / STATE_NAME, given / ".cleaner" / STATE_NAME):
        if path.is_file():
            return path
    raise InputError(f"{given}: no repeated-line state there (looked for {STATE_NAME} in it and in its .cleaner/)")


@audit_app.command("verify")
def audit_verify(
    audit: Annotated[Path, typer.Argument(help="The run's audit log.")],
    input: Annotated[Path, typer.Argument(help="The INPUT given to the run (same spelling).")],
    output: Annotated[Path, typer.Argument(help="The --out folder of the run.")],
    config: ConfigOpt = None,
) -> None:
    """Replay every document's recorded edits over its input and check it gives its output."""
    from .audit import verify

    cfg = _config(config, None)
    try:
        res = verify(audit, [input], output, cfg.fields.text, cfg.fields.id)
    except (CleanerError, InputError) as exc:
        raise _fail(str(exc)) from None
    for p in res.problems:
        err.print(Text(p, style="red"))
    out.print(f"{res.replayed} of {res.checked} documents replay exactly; {len(res.problems)} problem(s)")
    raise typer.Exit(1 if res.problems else 0)


def _run_of(audit: Path):  # type: ignore[no-untyped-def]
    from .review import load_run

    try:
        return load_run(audit)
    except CleanerError as exc:
        raise _fail(str(exc)) from None


@audit_app.command("summary")
def audit_summary(
    audit: AuditArg,
    over: Annotated[float, typer.Option("--over", help="Over-cleaning threshold: share of a document removed.")] = 0.3,
    top: Annotated[int, typer.Option("--top", min=0, help="How many over-cleaned documents to list.")] = 10,
    flags: Annotated[int, typer.Option("--flags", min=0, help="How many flagged edits to print.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Everything as one JSON object (all flagged edits).")] = False,
) -> None:
    """Per stage and rule: documents, edits, characters removed, frequent strings; flags; over-cleaning."""
    import json

    from .review.summary import summarize
    from .review.terminal import print_summary

    s = summarize(_run_of(audit), over=over, top=top)
    if as_json:
        out.print(json.dumps(s, ensure_ascii=False), markup=False, highlight=False)
    else:
        print_summary(s, out, flags_shown=flags)


@audit_app.command("report")
def audit_report(
    audit: AuditArg,
    report: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
    max_docs: Annotated[
        int, typer.Option("--max-docs", min=1, help="Documents carried in full; past that, a stated sample.")
    ] = 2000,
    context: Annotated[
        int, typer.Option("--context", min=0, help="Characters of kept text shown around removals (0: all).")
    ] = 300,
    over: Annotated[float, typer.Option("--over", help="Over-cleaning threshold: share of a document removed.")] = 0.3,
) -> None:
    """Write one self-contained HTML page to review the run: filters, search, flagged edits."""
    from .review import report as html_report

    run = _run_of(audit)
    path = html_report.write(run, report, max_docs=max_docs, context=context, over=over, title=f"cleaner: {audit}")
    size = path.stat().st_size
    err.print(f"wrote {path} ({size / 1e6:.1f} MB, {len(run.docs):,} documents in the run)")


@audit_app.command("show")
def audit_show(
    audit: AuditArg,
    doc: Annotated[str, typer.Argument(help="Document id or source, as in the audit log.")],
) -> None:
    """One document's text with its removals struck through, coloured by stage, rule ids inline."""
    from .review import read_inputs
    from .review.terminal import render_doc

    run = _run_of(audit)
    entry = run.find(doc)
    if entry is None:
        raise _fail(f"{doc}: no such document in {audit}", 1)
    out.print(render_doc(entry, read_inputs([entry]).get(entry.source)))


@audit_app.command("recheck")
def audit_recheck(
    audit: AuditArg,
    allow: AllowOpt = None,
    config: ConfigOpt = None,
    rules: RulesOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="The changes as JSON lines.")] = False,
) -> None:
    """What a changed allow list or config would undo in the last run, without cleaning again."""
    import json

    from .review.recheck import recheck

    cfg = _config(config, rules, allow)
    res = recheck(_run_of(audit), cfg)
    for c in res.changes:
        if as_json:
            out.print(json.dumps(c.__dict__, ensure_ascii=False), markup=False, highlight=False)
            continue
        verb = "kept (flag)" if c.now == "kept" else "not removed"
        row = Text(f"{c.doc}  ", style="bold") + Text(f"{c.rule}  ", style=STAGE_STYLE.get(c.stage, ""))
        row += Text(f"{verb}: {c.text!r}  ") + Text(f"({c.why})", style="dim")
        out.print(row)
    for source in res.unreadable:
        err.print(Text(f"{source}: input not readable; only switched-off rules are checked", style="yellow"))
    docs = len({c.doc for c in res.changes})
    summary = f"{len(res.changes)} edit(s) in {docs} of {res.docs_checked} changed documents would be undone"
    err.print(f"{summary}; {res.chars_restored:,} characters restored. Re-run `cleaner run` to apply.")


@app.command("eval")
def eval_(
    dataset: Annotated[
        Path,
        typer.Argument(help="A labelled set: input/ + gold/ (+ noisy.jsonl), or pages + ground-truth.json."),
    ],
    config: ConfigOpt = None,
    rules: RulesOpt = None,
    floors: Annotated[
        Path | None, typer.Option("--floors", help="YAML of pinned floors; exit 1 naming each figure below.")
    ] = None,
    keep: Annotated[
        Path | None, typer.Option("--out", help="Keep the cleaned outputs and audit log in this new or empty folder.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as one JSON object.")] = False,
) -> None:
    """Clean a labelled set as `cleaner run` does and print its quality figures (see README, Measuring quality)."""
    import json

    from .evaluate import check_floors, evaluate, load_floors, load_set

    cfg = _config(config, rules)
    try:
        labelled = load_set(dataset)
        pinned = load_floors(floors, labelled.name) if floors else []
        result = evaluate(labelled, cfg, keep)
    except ConfigError as exc:
        raise _fail(f"bad floors file: {exc}") from None
    except CleanerError as exc:
        raise _fail(str(exc)) from None
    for source, error in result.failures:
        err.print(Text(f"{source}: ", style="yellow") + Text(error))
    if labelled.unscored:
        err.print(f"note: {len(labelled.unscored)} page(s) have no gold entry and were not scored")
    fig = result.figures
    if as_json:
        out.print(json.dumps({"set": labelled.name, **fig}), markup=False)
    else:
        out.print(Text(_figures_line(labelled.name, fig)))
    problems = check_floors(fig, pinned)
    for p in problems:
        err.print(Text("below floor: ", style="bold red") + Text(f"{labelled.name}: {p}"))
    if pinned and not problems and not as_json:
        out.print(f"all {len(pinned)} floors met ({floors})")
    raise typer.Exit(1 if problems or result.failures else 0)


def _figures_line(name: str, fig: dict) -> str:
    def f(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.4f}"

    head = f"{name}: {fig['docs']} documents  F1 {f(fig['F1'])}  P {f(fig['P'])}  R {f(fig['R'])}"
    if fig["kind"] == "html":
        return head
    line = f"{head}  par_kept {f(fig['par_kept'])}  clean_exact {f(fig['clean_exact'])}  exact {f(fig['exact'])}"
    if "noise_rm" not in fig:
        return line + "\n  noise_rm n/a (no noisy.jsonl with noise labels)"
    families = "  ".join(f"{k} {f(v)}" for k, v in fig["noise_rm_by_family"].items())
    return f"{line}  noise_rm {f(fig['noise_rm'])}\n  noise_rm by family: {families}"
