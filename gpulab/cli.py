"""The `gpulab` command: synth, validate and list environments; review changes (diff, plan-report, scan-report)
and write the CI workflows that run them (ci).

`python main.py` with no arguments synthesizes every environment, which is what
`cdktf synth` runs. Bad input prints one line per problem and exits 2.
"""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gpulab.errors import ConfigError, MissingProvider

if TYPE_CHECKING:
    from gpulab.config.model import Environment

EXIT_BAD_INPUT = 2
DEFAULT_ENV_DIR = Path("environments")
ENGINE_PACKAGES = ("cdktf", "cdktf-cdktf-provider-aws", "cdktf-cdktf-provider-azurerm", "cdktf-cdktf-provider-google")

app = typer.Typer(add_completion=False, help=__doc__, no_args_is_help=False)

EnvDir = Annotated[Path, typer.Option("--env-dir", help="Folder of environment YAML files.")]


def _default_out() -> Path:
    """cdktf-cli tells the app where to write through CDKTF_OUTDIR."""
    return Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out"))


def _fail(error: ConfigError) -> None:
    for problem in error.problems:
        typer.echo(str(problem), err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


@contextmanager
def _one_line_on(*errors: type[Exception], prefix: str = ""):
    """Any of `errors` raised in the block is printed as one line (after `prefix`) and exits 2."""
    try:
        yield
    except errors as error:
        typer.echo(f"{prefix}{error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _require_node() -> None:
    """Synthesis runs Node.js (jsii's kernel): JSII_NODE if set, else `node` on PATH. Without it, say so and exit 2."""
    node = os.environ.get("JSII_NODE", "node")
    if shutil.which(node) is None:
        where = f"JSII_NODE={node}" if "JSII_NODE" in os.environ else "no `node` on PATH"
        typer.echo(
            f"cannot synthesize: Node.js not found ({where}); install Node.js 20 or newer, or set JSII_NODE to it",
            err=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT)


def _refuse_hcl_output() -> None:
    """`cdktf synth --hcl` (SYNTH_HCL_OUTPUT) would write stacks Terraform cannot read: say so and exit 2.

    cdktf 0.21's HCL renderer (lib/hcl/render.js) leaves the quotes inside
    string values unescaped, so every JSON document gpulab writes (IAM and
    bucket policies, dashboards) breaks the file, and it writes the
    terraform block's own settings as `0 = "required_version"`.
    """
    if os.environ.get("SYNTH_HCL_OUTPUT", "").strip().lower() in ("true", "1"):
        typer.echo(
            "cannot synthesize HCL: cdktf 0.21 writes HCL that Terraform rejects for these stacks (quotes inside "
            "policies and dashboards are not escaped); synthesize without --hcl: Terraform reads cdk.tf.json as it is",
            err=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT)


def _quiet_node_banner() -> None:
    """jsii prints a banner on every run under Node 20 (end of life); README says so once."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def _print_version(asked: bool) -> None:
    """`--version`: gpulab's version, and the cdktf and provider packages it synthesizes with."""
    if not asked:
        return
    from importlib.metadata import PackageNotFoundError, version

    from gpulab import __version__

    engines = []
    for package in ENGINE_PACKAGES:
        try:
            engines.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            engines.append(f"{package} not installed")
    typer.echo(f"gpulab {__version__} ({', '.join(engines)})")
    raise typer.Exit()


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """gpulab: YAML environments in, Terraform JSON for an ML platform out."""
    if ctx.invoked_subcommand is None:
        synth(names=None, env_dir=DEFAULT_ENV_DIR, out=None)


@app.command()
def synth(
    names: Annotated[list[str] | None, typer.Argument(help="Environments to synthesize (default: all).")] = None,
    env_dir: EnvDir = DEFAULT_ENV_DIR,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default: cdktf.out).")] = None,
) -> None:
    """Synthesize environments into <out>/stacks/<env>/cdk.tf.json."""
    from gpulab.config.project import project_root
    from gpulab.speed.kernel import KernelExited, spawn_kernel_early, start_kernel_early
    from gpulab.synth.out_dir import UnsafeOutDir, check_out_dir, synthesized_stack_path

    _refuse_hcl_output()
    out_dir = out or _default_out()
    named = "--out " if out else ("CDKTF_OUTDIR=" if "CDKTF_OUTDIR" in os.environ else "")
    project = project_root(env_dir)
    protected = {project: "the project folder", env_dir: "the environment folder"}
    try:
        check_out_dir(out_dir, protected=protected)
    except UnsafeOutDir as error:
        typer.echo(f"{named}{error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    _require_node()
    _quiet_node_banner()
    spawn_kernel_early()  # Node.js boots while Python imports the configuration models
    from gpulab.config import load_environments

    start_kernel_early()
    try:
        envs = load_environments(env_dir, names or None)
    except ConfigError as error:
        _fail(error)
    try:
        from gpulab.synth.app import synthesize  # imports cdktf, which starts the kernel

        target = synthesize(envs, out_dir, state_dir=project, protected=protected)
    except MissingProvider as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except UnsafeOutDir as error:
        typer.echo(f"{named}{error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except OSError as error:
        typer.echo(
            f"{error.filename or out_dir}: cannot write the output: {error.strerror} (pick another --out)", err=True
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except KernelExited as error:
        typer.echo(f"cannot synthesize: {error}; Node.js says why above (check NODE_OPTIONS and JSII_NODE)", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    for env in envs:
        typer.echo(f"{env.name}: {target / synthesized_stack_path(target, env.name)}")


@app.command()
def validate(env_dir: EnvDir = DEFAULT_ENV_DIR) -> None:
    """Check every environment file; print one line per problem."""
    from gpulab.config import load_environments

    try:
        envs = load_environments(env_dir)
    except ConfigError as error:
        _fail(error)
    for env in envs:
        machines = sum(m.count for m in env.machines)
        typer.echo(f"{env.name}: ok ({env.cloud} {env.region}, {machines} machine(s), {len(env.buckets)} bucket(s))")


@app.command()
def diagram(
    names: Annotated[list[str] | None, typer.Argument(help="Environments to draw (default: all).")] = None,
    env_dir: EnvDir = DEFAULT_ENV_DIR,
    markdown: Annotated[bool, typer.Option("--markdown", help="A Markdown section per environment.")] = False,
) -> None:
    """Draw each environment's synthesized stack as a Mermaid flowchart: network, subnets, machines and their
    GPUs, buckets, identities, and who may reach what."""
    from gpulab.diagram import mermaid, stack_graph

    for env, stack in _synthesized_stacks(names, env_dir):
        text = mermaid(stack_graph(stack))
        typer.echo(f"## {env.name}\n\n```mermaid\n{text}```\n" if markdown else f"%% {env.name}\n{text}")


def _synthesized_stacks(names: list[str] | None, env_dir: Path) -> list[tuple[Environment, dict]]:
    """Each named environment (all by default) with its stack, synthesized into a folder that is then removed.

    Bad files and missing provider bindings end the command with their message and exit 2.
    """
    import json
    import tempfile

    from gpulab.config import load_environments
    from gpulab.config.project import project_root

    _require_node()
    _quiet_node_banner()
    try:
        envs = load_environments(env_dir, names or None)
    except ConfigError as error:
        _fail(error)
    with tempfile.TemporaryDirectory(prefix="gpulab-stacks-") as root:
        from gpulab.synth.app import synthesize

        try:
            out = synthesize(envs, Path(root) / "cdktf.out", state_dir=project_root(env_dir))
        except MissingProvider as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        return [(env, json.loads((out / "stacks" / env.name / "cdk.tf.json").read_text())) for env in envs]


@app.command()
def cost(
    names: Annotated[list[str] | None, typer.Argument(help="Environments to price (default: all).")] = None,
    env_dir: EnvDir = DEFAULT_ENV_DIR,
    hours_per_day: Annotated[
        float,
        typer.Option(
            "--hours-per-day",
            min=0,
            max=24,
            help="Hours a day that machines which stop themselves run (a group's hours_per_day wins).",
        ),
    ] = 8.0,
    output_format: Annotated[str, typer.Option("--format", help="table, markdown or json.")] = "table",
) -> None:
    """Estimate each environment's monthly cost, line by line, from its synthesized stack and the catalog's
    prices for its region: machines, disks, NAT and addresses, buckets, keys, DNS, monitoring."""
    from gpulab.cost.estimate import estimate
    from gpulab.cost.render import RENDERERS

    if output_format not in RENDERERS:
        typer.echo(f"--format {output_format!r}: use one of {', '.join(RENDERERS)}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    estimates = [estimate(env, stack, hours_per_day) for env, stack in _synthesized_stacks(names, env_dir)]
    typer.echo(RENDERERS[output_format](estimates), nl=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of an environment file (editors: `# yaml-language-server: $schema=…`)."""
    import json

    from gpulab.config.schema import environment_schema

    typer.echo(json.dumps(environment_schema(), indent=2, sort_keys=True))


@app.command("list")
def list_environments(env_dir: EnvDir = DEFAULT_ENV_DIR) -> None:
    """List environments with their machines and approximate hourly cost."""
    from gpulab.config import load_environments
    from gpulab.config.catalog import for_cloud
    from gpulab.config.machines import machine_type_for

    try:
        envs = load_environments(env_dir)
    except ConfigError as error:
        _fail(error)
    for env in envs:
        typer.echo(f"{env.name}  {env.cloud}  {env.region}  project={env.project}  protect_data={env.protect_data}")
        catalog = for_cloud(env.cloud)
        priced = catalog.priced_in(env.region)
        entries = [
            (m.count, m.name, machine_type_for(m, env.cloud), m.spot, m.spot_max_price, m.gpu) for m in env.machines
        ]
        if env.headquarters:
            entries.insert(0, (1, env.headquarters.name, env.headquarters.machine_type, False, None, None))
        total = 0.0
        for count, name, machine_type, spot, max_price, gpu in entries:
            price = catalog.machine(machine_type, gpu.type if gpu else None, gpu.count if gpu else 0).usd_per_hour
            if spot and catalog.services:
                price = catalog.services.spot_hourly(price, max_price)
            total += price * count
            how = f"spot, {catalog.services.spot_label}" if spot and catalog.services else "on demand"
            cost = f"≈ ${price:.2f}/h {how}" if priced else "no price" if catalog.priced else "no dollar price"
            typer.echo(f"  {count} × {name}: {machine_type}{' spot' if spot else ''} ({cost})")
        if priced:
            typer.echo(f"  ≈ ${total:.2f}/h for all machines running ({catalog.prices_source}, {catalog.prices_as_of})")
        else:
            typer.echo(f"  {catalog.no_price_in(env.region)}")
        typer.echo(f"  a month, line by line: gpulab cost {env.name}")


EXIT_FINDINGS = 1


@app.command("scan-report")
def scan_report(
    reports: Annotated[list[Path], typer.Argument(help="checkov JSON reports (checkov -o json).")],
    waivers: Annotated[Path, typer.Option("--waivers", help="Waiver file.")] = Path("checkov-waivers.yaml"),
    stale: Annotated[
        bool, typer.Option("--stale/--no-stale", help="Report waivers that waive nothing in these reports.")
    ] = True,
) -> None:
    """Apply the waivers to checkov's findings; exit 1 if any finding is left."""
    from gpulab.review.waivers import WaiverFileError, judge, load_waivers, read_findings

    try:
        accepted = load_waivers(waivers)
        findings = [finding for report in reports for finding in read_findings(report)]
    except (WaiverFileError, OSError, ValueError, KeyError, TypeError) as error:
        typer.echo(f"cannot judge the scan: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    verdict = judge(findings, accepted)
    for finding in verdict.findings:
        typer.echo(f"failed: {finding}")
    for waiver in verdict.unused if stale else []:
        typer.echo(f"stale waiver: {waiver.check_id} {', '.join(waiver.resources)} waives nothing in these reports")
    typer.echo(f"{len(verdict.findings)} finding(s), {len(verdict.waived)} waived ({waivers})")
    if verdict.findings:
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def diff(
    names: Annotated[list[str] | None, typer.Argument(help="Environments to compare (default: all).")] = None,
    base: Annotated[str, typer.Option("--base", help="Git revision to compare the working tree with.")] = "HEAD",
    env_dir: EnvDir = DEFAULT_ENV_DIR,
    output_format: Annotated[str, typer.Option("--format", help="text, markdown or json.")] = "text",
    fail_on: Annotated[
        list[str] | None, typer.Option("--fail-on", help="Exit 1 on: data-loss, replace or new-findings (repeatable).")
    ] = None,
    with_scan: Annotated[bool, typer.Option("--scan", help="Compare checkov findings too (slow).")] = False,
) -> None:
    """Compare the stacks of revision --base with the working tree's, offline: no credentials, no plan."""
    from gpulab.review.diff_report import GATES, RENDERERS
    from gpulab.review.findings import ScanError
    from gpulab.review.revisions import RevisionError

    gates = fail_on or []
    for gate in gates:
        if gate not in GATES:
            typer.echo(f"--fail-on {gate}: not one of {', '.join(GATES)}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT)
    if output_format not in RENDERERS:
        typer.echo(f"--format {output_format}: not one of {', '.join(RENDERERS)}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    from gpulab.review.compare import compare_revision

    with _one_line_on(RevisionError, ScanError, prefix="cannot compare: "):
        report = compare_revision(base, env_dir, names or None, with_scan=with_scan or "new-findings" in gates)
    typer.echo(RENDERERS[output_format](report))
    tripped = report.gates(gates)
    for reason in tripped:
        typer.echo(f"failed: {reason}", err=True)
    if tripped:
        raise typer.Exit(EXIT_FINDINGS)


@app.command("plan-report")
def plan_report(
    plans: Annotated[list[Path], typer.Argument(help="`terraform show -json` plans or `terraform plan -json` logs.")],
    output_format: Annotated[str, typer.Option("--format", help="text or markdown.")] = "text",
    fail_on: Annotated[
        list[str] | None, typer.Option("--fail-on", help="Exit 1 on: data-loss, replace or error (repeatable).")
    ] = None,
) -> None:
    """Summarize real plans per stack: counts, data loss and replacements first, drift, errors."""
    from gpulab.review.plan_report import PlanFileError, read_plan, render_plans

    gates = fail_on or []
    unknown = [g for g in gates if g not in ("data-loss", "replace", "error")] + (
        [] if output_format in ("text", "markdown") else [f"--format {output_format}"]
    )
    if unknown:
        typer.echo(f"{unknown[0]}: not a known gate or format (data-loss, replace, error; text, markdown)", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        read = [read_plan(path) for path in plans]
    except PlanFileError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    typer.echo(render_plans(read, output_format))
    tripped = [
        gate
        for gate, hit in (
            ("data-loss", any(c.data_loss for p in read for c in p.changes)),
            ("replace", any(c.action == "replace" for p in read for c in p.changes)),
            ("error", any(p.errors for p in read)),
        )
        if gate in gates and hit
    ]
    for gate in tripped:
        typer.echo(f"failed: {gate}", err=True)
    if tripped:
        raise typer.Exit(EXIT_FINDINGS)


ci_app = typer.Typer(help="GitHub Actions workflows for plan review and apply (docs/ci.md).")
app.add_typer(ci_app, name="ci")


@ci_app.command("init")
def ci_init(
    env_dir: EnvDir = DEFAULT_ENV_DIR,
    out: Annotated[Path, typer.Option("--out", help="Where the workflows go.")] = Path(".github/workflows"),
    repository: Annotated[
        bool, typer.Option("--repository", help="gpulab's own repository: make install and main.py.")
    ] = False,
) -> None:
    """Write plan.yml, comment.yml and apply.yml for the environments in --env-dir."""
    from gpulab import __version__
    from gpulab.ci.setup import WorkflowConflict, targets, write_workflows
    from gpulab.ci.workflows import Project

    try:
        environments = targets(env_dir)
    except ConfigError as error:
        _fail(error)
    project = Project(environments, env_dir=env_dir.as_posix(), package_version=None if repository else __version__)
    try:
        written = write_workflows(project, out)
    except (WorkflowConflict, OSError) as error:
        typer.echo(f"cannot write the workflows: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    for path in written:
        typer.echo(f"wrote {path}")
    protect = [e.name for e in environments if e.protected]
    if protect:
        typer.echo(f"protect these GitHub environments with required reviewers: {', '.join(protect)} (docs/ci.md)")


@ci_app.command("changed")
def ci_changed(
    base: Annotated[str, typer.Option("--base", help="The revision before the push.")],
    env_dir: EnvDir = DEFAULT_ENV_DIR,
) -> None:
    """Print, as a JSON matrix, the environments whose stacks differ from --base (apply.yml applies them)."""
    from gpulab.ci.setup import changed_targets, matrix_json
    from gpulab.review.revisions import RevisionError

    try:
        with _one_line_on(RevisionError, prefix="cannot compare: "):
            typer.echo(matrix_json(changed_targets(base, env_dir)))
    except ConfigError as error:
        _fail(error)


@ci_app.command("check")
def ci_check(
    env_dir: EnvDir = DEFAULT_ENV_DIR,
    workflows_dir: Annotated[Path, typer.Option("--workflows", help="The shipped workflows.")] = Path(
        ".github/workflows"
    ),
) -> None:
    """Check the shipped and the generated workflows with zizmor and GitHub's workflow schema (make lint)."""
    from gpulab import __version__
    from gpulab.ci.check import CheckError, run_checks
    from gpulab.ci.setup import targets
    from gpulab.ci.workflows import Project

    try:
        environments = targets(env_dir)
    except ConfigError as error:
        _fail(error)
    repository = Project(environments, env_dir=env_dir.as_posix())
    package = Project(environments, env_dir=env_dir.as_posix(), package_version=__version__)
    try:
        problems = run_checks(workflows_dir, repository, package)
    except CheckError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(EXIT_FINDINGS)
    typer.echo(f"workflows ok: {workflows_dir} and the generated set pass zizmor and the workflow schema")


machines_app = typer.Typer(help="Start, stop (Azure: deallocate) and list an environment's machines.")
app.add_typer(machines_app, name="machines")
state_app = typer.Typer(help="The Terraform state an environment keeps remotely (AWS).")
app.add_typer(state_app, name="state")
MachineName = Annotated[str | None, typer.Argument(help="One machine group (default: all).")]


def _environment(name: str, env_dir: Path, clouds: tuple[str, ...]):
    """Environment `name` from `env_dir`, which must be on one of `clouds`; bad input exits 2."""
    from gpulab.config import load_environments

    try:
        (env,) = load_environments(env_dir, [name])
    except ConfigError as error:
        _fail(error)
    if env.cloud not in clouds:
        typer.echo(
            f"{name}: is on {env.cloud}; this command works on {', '.join(clouds)} environments so far", err=True
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    return env


def _aws_environment(name: str, env_dir: Path):
    return _environment(name, env_dir, ("aws",))


def _machines(verb: str, name: str, machine: str | None, env_dir: Path) -> None:
    from gpulab.ops import fleet
    from gpulab.ops.errors import OpsError

    env = _environment(name, env_dir, fleet.CLOUDS)
    with _one_line_on(OpsError):
        found = getattr(fleet.machines(env), verb)(env, machine)
    for each in found:
        typer.echo(f"{each.name}  {each.id}  {each.machine_type}  {each.state}")


@machines_app.command("status")
def machines_status(env: str, machine: MachineName = None, env_dir: EnvDir = DEFAULT_ENV_DIR) -> None:
    """List the environment's machines and their states."""
    _machines("find", env, machine, env_dir)


@machines_app.command("start")
def machines_start(env: str, machine: MachineName = None, env_dir: EnvDir = DEFAULT_ENV_DIR) -> None:
    """Start the machines and wait until they run."""
    _machines("start", env, machine, env_dir)


@machines_app.command("stop")
def machines_stop(env: str, machine: MachineName = None, env_dir: EnvDir = DEFAULT_ENV_DIR) -> None:
    """Stop the machines and wait until they have stopped."""
    _machines("stop", env, machine, env_dir)


@app.command()
def preflight(env: str, env_dir: EnvDir = DEFAULT_ENV_DIR) -> None:
    """Before a deploy, check the AWS account for what a plan cannot see: account, zones, quotas, image, state."""
    from gpulab.ops.aws_preflight import preflight as run_checks
    from gpulab.ops.errors import OpsError

    environment = _aws_environment(env, env_dir)
    with _one_line_on(OpsError):
        checks = run_checks(environment)
    for check in checks:
        typer.echo(str(check))
    blocking = [c for c in checks if c.verdict == "block"]
    typer.echo(f"{len(blocking)} blocking, {sum(c.verdict == 'warn' for c in checks)} unchecked, of {len(checks)}")
    if blocking:
        raise typer.Exit(EXIT_FINDINGS)


@app.command("run")
def run_job(
    env: str,
    command: Annotated[
        list[str] | None, typer.Argument(help="The command, after --: gpulab run dev -- python train.py")
    ] = None,
    machines: Annotated[str | None, typer.Option("--machines", help="One machine group (default: all).")] = None,
    script: Annotated[Path | None, typer.Option("--script", help="A shell script to run instead of a command.")] = None,
    keep_alive: Annotated[bool, typer.Option("--keep-alive", help="Leave the machines running afterwards.")] = False,
    out: Annotated[Path, typer.Option("--out", help="Where the run's logs and results are copied.")] = Path("runs"),
    timeout_minutes: Annotated[int, typer.Option("--timeout-minutes", min=1)] = 24 * 60,
    poll_seconds: Annotated[float, typer.Option("--poll-seconds", min=0.1)] = 15,
    env_dir: EnvDir = DEFAULT_ENV_DIR,
) -> None:
    """Start the machines, run a job on each, collect logs and results, stop them (Azure: deallocate)."""
    from gpulab.ops.errors import OpsError
    from gpulab.ops.fleet import CLOUDS
    from gpulab.ops.runs import start_run

    if not command and not script:
        typer.echo("give a command after -- or --script FILE (its arguments after --)", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    job: dict = {"command": list(command or [])}
    if script:
        try:
            job = {"script": script.read_text(encoding="utf-8"), "arguments": list(command or [])}
        except OSError as error:
            typer.echo(f"{script}: cannot read the script ({error.strerror})", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
    environment = _environment(env, env_dir, CLOUDS)
    with _one_line_on(OpsError):
        outcome = start_run(
            environment,
            job,
            machine=machines,
            keep_alive=keep_alive,
            local_root=out,
            poll_seconds=poll_seconds,
            timeout_seconds=timeout_minutes * 60,
            say=typer.echo,
        )
    typer.echo(f"run {outcome.run_id}: logs and results in {outcome.local}")
    if outcome.failed:
        typer.echo(f"run {outcome.run_id}: failed on {', '.join(outcome.failed)}", err=True)
        raise typer.Exit(EXIT_FINDINGS)


@state_app.command("bootstrap")
def state_bootstrap(env: str, env_dir: EnvDir = DEFAULT_ENV_DIR) -> None:
    """Make the S3 state bucket the environment names: versioned, encrypted, private, TLS only (idempotent)."""
    from gpulab.ops.aws_state import bootstrap
    from gpulab.ops.errors import OpsError

    environment = _aws_environment(env, env_dir)
    with _one_line_on(OpsError):
        for line in bootstrap(environment):
            typer.echo(line)


def run(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]) in this process; returns the exit code."""
    try:
        app(args=argv if argv is not None else sys.argv[1:], prog_name="gpulab", standalone_mode=True)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def _boot_kernel_for(argv: list[str]) -> None:
    """When `argv` runs `synth` (main.py without arguments does, as `cdktf synth` runs it), spawn the kernel now.

    Node.js then boots, and loads cdktf, while Python imports the command's
    own modules (kernel.py: the early kernel); `synth` adopts it.
    """
    from gpulab.speed.kernel import spawn_kernel_early

    commands = [word for word in argv if not word.startswith("-")]
    asks_only_help = any(word in ("--help", "--version") for word in argv)
    if commands[:1] in ([], ["synth"]) and not asks_only_help and shutil.which(os.environ.get("JSII_NODE", "node")):
        _quiet_node_banner()
        spawn_kernel_early()


def entry_point() -> int:
    """main.py's and the console script's entry: the speed layer on, `run()`, then the process only exits
    (fast_exit.py)."""
    from gpulab.fast_exit import skip_collections_at_exit
    from gpulab.speed.fast_import import enable_cli_speedups

    enable_cli_speedups()
    _boot_kernel_for(sys.argv[1:])
    code = run()
    skip_collections_at_exit()
    return code
