"""One pull-request comment holding every environment's review, posted once and then updated in place.

Run by comment.yml with the base branch's code, after plan.yml: it reads the
reports plan.yml uploaded (`diff.md`, `cost.md`, `plan-<env>.md`) as text, joins them
under a hidden marker, and either edits the comment of this workflow's bot
that carries the marker or posts a new one, so a pull request has one
comment however many times it is pushed. The pull request is found from the
run's head commit and branch, never from the uploaded files. The body stays
within GitHub's 65,536-character limit: each plan is folded, and a report
too long for what is left is cut with a note saying where the whole one is.

Standard library only, so that a checkout runs it with the runner's Python:
`python3 -m gpulab.review.pr_comment --repository OWNER/NAME --head-sha SHA
--head-repository OWNER/NAME --head-branch BRANCH REPORTS_DIR`, with
GITHUB_TOKEN (and GITHUB_API_URL, which Actions sets) in the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

MARKER = "<!-- gpulab-plan-review -->"
GITHUB_LIMIT = 65_536  # characters in an issue comment's body
BOT_LOGIN = "github-actions[bot]"
CUT_NOTE = "\n\n… cut here: {n:,} more characters (the workflow run's `review-*` artifacts hold the whole report)\n"


def build_body(reports: Path, limit: int = GITHUB_LIMIT) -> str:
    """The comment: the offline diff, the monthly estimate and each environment's plan folded, within `limit`."""
    header = f"{MARKER}\n## Plan review\n\n"
    sections = []
    diff = reports / "diff.md"
    if diff.is_file():
        sections.append(diff.read_text(encoding="utf-8", errors="replace").strip())
    else:
        sections.append("The offline diff did not finish: see the `plan` workflow run.")
    cost = reports / "cost.md"
    if cost.is_file():
        text = cost.read_text(encoding="utf-8", errors="replace").strip().removeprefix("## Monthly estimate").strip()
        sections.append(f"<details><summary>monthly estimate (gpulab cost)</summary>\n\n{text}\n\n</details>")
    for plan in sorted(reports.glob("plan-*.md")):
        environment = plan.stem.removeprefix("plan-")
        text = plan.read_text(encoding="utf-8", errors="replace").strip()
        sections.append(f"<details><summary>terraform plan: {environment}</summary>\n\n{text}\n\n</details>")
    if not list(reports.glob("plan-*.md")):
        sections.append(
            "No real plan ran: pull requests from forks, and repositories without cloud sign-in, "
            "get the offline diff only."
        )
    body, left = header, limit - len(header)
    for section in sections:
        piece = section + "\n\n"
        if len(piece) > left:
            keep = max(0, left - len(CUT_NOTE.format(n=len(piece))) - 20)
            cut = piece[:keep]
            if cut.count("```") % 2:
                cut += "\n```"
            if "<details>" in cut and "</details>" not in cut:
                cut += "\n</details>"
            body += cut + CUT_NOTE.format(n=len(piece) - keep)
            break
        body, left = body + piece, left - len(piece)
    return body[:limit]


class GitHub:
    """The few REST calls this needs, with the workflow's token."""

    def __init__(self, api: str, token: str, repository: str) -> None:
        self.api, self.token, self.repository = api.rstrip("/"), token, repository

    def call(self, method: str, path: str, payload: dict | None = None) -> object:
        request = urllib.request.Request(
            f"{self.api}{path}",
            method=method,
            data=None if payload is None else json.dumps(payload).encode(),
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the GitHub API URL
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:500]
            raise SystemExit(f"GitHub {method} {path}: {error.code} {detail}") from None

    def pull_request(self, head_repository: str, head_branch: str, head_sha: str) -> int | None:
        """The open pull request whose head is that commit of that branch, or None."""
        owner = head_repository.split("/", 1)[0]
        pulls = self.call("GET", f"/repos/{self.repository}/pulls?state=open&head={owner}:{head_branch}&per_page=100")
        for pull in pulls or []:
            head = pull.get("head") or {}
            if head.get("sha") == head_sha and (head.get("repo") or {}).get("full_name") == head_repository:
                return int(pull["number"])
        return None

    def own_comment(self, number: int) -> int | None:
        """The id of this bot's comment carrying the marker on pull request `number`, or None."""
        page = 1
        while True:
            comments = self.call("GET", f"/repos/{self.repository}/issues/{number}/comments?per_page=100&page={page}")
            for comment in comments or []:
                if (comment.get("user") or {}).get("login") == BOT_LOGIN and MARKER in (comment.get("body") or ""):
                    return int(comment["id"])
            if not comments or len(comments) < 100:
                return None
            page += 1

    def upsert(self, number: int, body: str) -> str:
        existing = self.own_comment(number)
        if existing is None:
            self.call("POST", f"/repos/{self.repository}/issues/{number}/comments", {"body": body})
            return f"posted the review on #{number}"
        self.call("PATCH", f"/repos/{self.repository}/issues/comments/{existing}", {"body": body})
        return f"updated the review on #{number}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Post or update the plan-review comment of a pull request.")
    parser.add_argument("--repository", required=True)
    parser.add_argument("--head-sha", required=True)
    parser.add_argument("--head-repository", required=True)
    parser.add_argument("--head-branch", required=True)
    parser.add_argument("reports", type=Path)
    options = parser.parse_args(argv)
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        print("GITHUB_TOKEN is not set", file=sys.stderr)
        return 2
    github = GitHub(os.environ.get("GITHUB_API_URL", "https://api.github.com"), token, options.repository)
    number = github.pull_request(options.head_repository, options.head_branch, options.head_sha)
    if number is None:
        print(f"no open pull request has {options.head_repository}@{options.head_sha} as its head; nothing posted")
        return 0
    print(github.upsert(number, build_body(options.reports)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
