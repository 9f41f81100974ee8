"""The workflows' own shell steps, run here with the repository's tools, and the comment they end in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from gpulab.review.pr_comment import BOT_LOGIN, GITHUB_LIMIT, MARKER, build_body
from tests.background import CHECKOV
from tests.conftest import REPO
from tests.review.test_plan_report import APPLIED, CHANGED, _configure, _terraform


def _step(workflow: str, job: str, name: str) -> dict:
    jobs = yaml.safe_load((REPO / ".github" / "workflows" / workflow).read_text())["jobs"]
    return next(step for step in jobs[job]["steps"] if step["name"] == name)


def _run_step(step: dict, cwd: Path, **env: str) -> None:
    where = cwd / step.get("working-directory", ".")
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=where, env={**os.environ, **env}, check=True)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A clone of this repository, as actions/checkout leaves it (origin/main fetched), with the suite's .venv."""
    root = tmp_path_factory.mktemp("checkout") / "repo"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(root)], check=True)
    (root / ".venv").symlink_to(REPO / ".venv")
    return root


def test_the_compare_step_writes_the_offline_diff_with_findings(tmp_path):
    """The step as written, checkov included; the base branch holds dev alone, to keep the scan short."""
    root = tmp_path / "repo"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(root)], check=True)
    (root / ".venv").symlink_to(REPO / ".venv")
    for env_file in (root / "environments").glob("*.yaml"):
        if env_file.name != "dev.yaml":
            env_file.unlink()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "commit", "--quiet", "-am", "dev only"], cwd=root, check=True)
    subprocess.run(["git", "update-ref", "refs/remotes/origin/base", "HEAD"], cwd=root, check=True)
    dev = root / "environments" / "dev.yaml"
    dev.write_text(dev.read_text().replace("data_disk_gb: 118", "data_disk_gb: 150"))
    step = _step("plan.yml", "review", "Compare with the base branch")
    _run_step(step, root, BASE_REF="base", GPULAB_CHECKOV=str(CHECKOV))
    diff = (root / "review" / "diff.md").read_text()
    assert "| dev | 0 | 1 | 0 | 0 | 0 |" in diff and "size: 118 → 150" in diff
    assert "checkov: 0 new finding(s), 0 fixed" in diff


def test_the_cost_step_writes_every_environments_estimate_in_markdown(checkout):
    _run_step(_step("plan.yml", "review", "Estimate the monthly cost"), checkout)
    estimate = (checkout / "review" / "cost.md").read_text()
    assert estimate.startswith("## Monthly estimate")
    assert "### dev (aws, us-east-1): ≈ $" in estimate and "| **total** |" in estimate


def test_the_report_step_renders_a_plan_or_the_log_of_a_failed_one(checkout):
    stack = checkout / "cdktf.out" / "stacks" / "dev"
    stack.mkdir(parents=True, exist_ok=True)
    scratch = checkout.parent / "tf"
    scratch.mkdir(exist_ok=True)
    _configure(scratch, APPLIED)
    for args in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
        assert _terraform(scratch, *args).returncode == 0
    _configure(scratch, CHANGED)
    assert _terraform(scratch, "plan", "-input=false", "-out=plan.bin").returncode == 0
    (stack / "plan.json").write_text(_terraform(scratch, "show", "-json", "plan.bin").stdout)
    step = _step("plan.yml", "plan", "Report the plan")
    _run_step(step, checkout, ENVIRONMENT="dev")
    assert (
        "dev: 1 to create, 1 to update, 1 to replace, 1 to delete" in (checkout / "review" / "plan-dev.md").read_text()
    )
    (stack / "plan.json").unlink()
    _configure(scratch, {"keep": {"input": "${var.missing}"}})
    (stack / "plan.log.json").write_text(_terraform(scratch, "plan", "-input=false", "-json").stdout)
    _run_step(step, checkout, ENVIRONMENT="dev")
    assert "Reference to undeclared input variable" in (checkout / "review" / "plan-dev.md").read_text()


def test_the_comment_holds_the_diff_the_estimate_then_each_plan_folded(tmp_path):
    (tmp_path / "diff.md").write_text("### gpulab diff\n| dev | 0 | 1 | 0 | 0 | 0 | … |")
    (tmp_path / "cost.md").write_text("## Monthly estimate\n\n### dev (aws, us-east-1): ≈ $186.75 a month")
    (tmp_path / "plan-dev.md").write_text("#### dev: 1 to update")
    body = build_body(tmp_path)
    assert body.startswith(MARKER)
    order = ["gpulab diff", "<summary>monthly estimate (gpulab cost)</summary>", "### dev (aws, us-east-1): ≈ $186.75"]
    order.append("<summary>terraform plan: dev</summary>")
    assert [body.index(text) for text in order] == sorted(body.index(text) for text in order)
    assert "## Monthly estimate" not in body


def test_a_long_report_is_cut_within_githubs_limit_with_a_note(tmp_path):
    (tmp_path / "diff.md").write_text("short diff")
    (tmp_path / "plan-huge.md").write_text("```diff\n" + "+ resource\n" * 20_000 + "```")
    body = build_body(tmp_path)
    assert len(body) <= GITHUB_LIMIT and body.count("```") % 2 == 0 and "</details>" in body
    assert "… cut here:" in body and "review-*" in body


class _GitHub(BaseHTTPRequestHandler):
    """GitHub's REST API as far as pr_comment uses it: pull requests by head, issue comments."""

    pulls: list = []
    comments: list = []

    def _send(self, payload: object, status: int = 200) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - http.server's name
        if "/pulls?" in self.path:
            head = self.path.split("head=")[1].split("&")[0]
            self._send([p for p in self.pulls if f"{p['head']['repo']['owner']}:{p['head']['ref']}" == head])
        else:
            self._send(self.comments if "page=1" in self.path else [])

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["body"]
        self.comments.append({"id": len(self.comments) + 1, "user": {"login": BOT_LOGIN}, "body": body})
        self._send(self.comments[-1], 201)

    def do_PATCH(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["body"]
        comment = next(c for c in self.comments if self.path.endswith(f"/comments/{c['id']}"))
        comment["body"] = body
        self._send(comment)

    def log_message(self, *args) -> None:
        pass


def _post(api: str, reports: Path, head_sha: str) -> str:
    command = [sys.executable, "-m", "gpulab.review.pr_comment", "--repository", "lab/infra", "--head-sha", head_sha]
    command += ["--head-repository", "fork/infra", "--head-branch", "gpu", str(reports)]
    env = {**os.environ, "GITHUB_TOKEN": "t", "GITHUB_API_URL": api}
    return subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True, text=True).stdout.strip()


def test_one_comment_per_pull_request_updated_in_place(tmp_path):
    _GitHub.pulls = [
        {"number": 7, "head": {"sha": "abc", "ref": "gpu", "repo": {"owner": "fork", "full_name": "fork/infra"}}}
    ]
    _GitHub.comments = [{"id": 99, "user": {"login": "someone"}, "body": f"{MARKER} quoted by a person"}]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GitHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api = f"http://127.0.0.1:{server.server_port}"
    try:
        (tmp_path / "diff.md").write_text("first push")
        assert _post(api, tmp_path, "abc") == "posted the review on #7"
        (tmp_path / "diff.md").write_text("second push")
        assert _post(api, tmp_path, "abc") == "updated the review on #7"
        assert _post(api, tmp_path, "other-sha").startswith("no open pull request has fork/infra@other-sha")
    finally:
        server.shutdown()
    ours = [c for c in _GitHub.comments if c["user"]["login"] == BOT_LOGIN]
    assert len(ours) == 1 and "second push" in ours[0]["body"]
    assert _GitHub.comments[0]["body"] == f"{MARKER} quoted by a person"  # a person's comment is never edited


def test_apply_lists_the_changed_environments_that_keep_remote_state(checkout, capsys):
    from gpulab.cli import run

    fleet, dev = checkout / "environments" / "_fleet.yaml", checkout / "environments" / "dev.yaml"
    originals = {path: path.read_text() for path in (fleet, dev)}
    fleet.write_text(originals[fleet].replace("data_disk_gb: 200", "data_disk_gb: 250"))
    dev.write_text(originals[dev].replace("data_disk_gb: 118", "data_disk_gb: 150"))  # local state: never applied
    try:
        code = run(["ci", "changed", "--base", "HEAD", "--env-dir", str(checkout / "environments")])
    finally:
        for path, text in originals.items():
            path.write_text(text)
    assert code == 0
    assert json.loads(capsys.readouterr().out) == [
        {"environment": name, "cloud": "gcp", "region": "us-central1"} for name in ("huge", "large", "small", "tiny")
    ]
