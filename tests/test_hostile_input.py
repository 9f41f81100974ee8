"""The command line driven as a careless or hostile user would, in a real process each time.

Every case must give exit code 2 and exactly one line naming the file and
the field (or the option), no traceback, within bounded time and memory,
and leave every byte outside gpulab's own output folder as it was.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ENV_DIR, REPO
from tests.trees import fingerprint

MAIN = REPO / "main.py"
SECONDS = 30
# The most memory one run may take (its largest resident set, Node.js's kernel included).
MAX_RESIDENT_MB = 600
VALID = (ENV_DIR / "dev.yaml").read_text()
HEAD = "cloud: aws\nregion: us-east-1\nproject: ml\nowner: me\n"


def alias_bomb(levels: int, into: str = "setup_script") -> str:
    """The billion-laughs file: each anchor a list of nine of the one before, the last one used as `into`."""
    anchors = ['  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    anchors += [f"  l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return (
        HEAD
        + "tags:\n"
        + "\n".join(anchors)
        + f"\nmachines:\n  - name: box\n    gpu: {{type: t4}}\n    {into}: *l{levels - 1}\n"
    )


@dataclass
class Case:
    files: dict[str, str | bytes]
    expected: str  # the one line, after `<env dir>/`
    args: tuple[str, ...] = ("synth",)
    links: dict[str, str] = field(default_factory=dict)  # name in the environment folder → link target


CASES = {
    "alias bomb, 8 levels": Case(
        {"dev.yaml": alias_bomb(8)},
        "dev.yaml: stands for more than 20,000 values once its aliases are expanded "
        "(an alias bomb, or far more settings than an environment needs)",
    ),
    "alias bomb, 6 levels": Case(
        {"dev.yaml": alias_bomb(6)},
        "dev.yaml: stands for more than 20,000 values once its aliases are expanded "
        "(an alias bomb, or far more settings than an environment needs)",
    ),
    "alias that holds itself": Case(
        {"dev.yaml": HEAD + "tags: &t {a: *t}\n"}, "dev.yaml: line 5: alias *t is used inside its own value (remove it)"
    ),
    "nesting 100,000 deep": Case(
        {"dev.yaml": HEAD + "tags: " + "[" * 100_000 + "]" * 100_000 + "\n"},
        "dev.yaml: line 5: nests deeper than 32 levels (flatten it)",
    ),
    "a 3 MiB file": Case(
        {"dev.yaml": HEAD + "owner: " + "x" * (3 * 1024 * 1024) + "\n"},
        "dev.yaml: is 3,145,787 bytes; an environment file may hold at most 1,048,576 "
        "(keep long scripts in their own files and fetch them from setup_script)",
    ),
    "a 900 kB setup script": Case(
        {"dev.yaml": HEAD + "machines:\n  - name: box\n    gpu: {type: t4}\n    setup_script: " + "e" * 900_000},
        "dev.yaml: machines[0].setup_script: is 900,000 bytes; with gpulab's own boot lines it must fit in "
        "EC2 user data (at most 4,096 bytes here; keep the script in a bucket and fetch it)",
    ),
    "a huge value quoted short": Case(
        {"dev.yaml": HEAD + "network: {nat: " + "n" * 200_000 + "}\n"},
        "dev.yaml: network.nat: '"
        + "n" * 59
        + "… (200,000 characters) is not allowed (use 'none', 'single' or 'per_az')",
    ),
    "not UTF-8": Case(
        {"dev.yaml": b"cloud: aws\nowner: \xff\xfe\n"},
        "dev.yaml: cannot be read: 'utf-8' codec can't decode byte 0xff in position 18: invalid start byte",
    ),
    "a python tag": Case(
        {"dev.yaml": HEAD + "tags: !!python/object/apply:os.system [echo owned]\n"},
        "dev.yaml: line 5, column 7: invalid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system' (fix the syntax at that spot)",
    ),
    "a list, not a mapping": Case(
        {"dev.yaml": "- cloud: aws\n"}, "dev.yaml: must be a YAML mapping of settings (see docs/environments.md)"
    ),
    "a thousand machine entries": Case(
        {
            "dev.yaml": HEAD
            + "machines:\n"
            + "".join(f"  - {{name: m{i:04d}, gpu: {{type: t4}}}}\n" for i in range(1000))
        },
        "dev.yaml: machines: has 1,000 entries (give at most 50)",
    ),
    "machine counts past the cap": Case(
        {
            "dev.yaml": HEAD
            + "machines:\n"
            + "".join(f"  - {{name: m{i}, gpu: {{type: t4}}, count: 60}}\n" for i in range(2))
        },
        "dev.yaml: machines: 120 machines in all (counts added up); one environment holds at most 100 "
        "(split it into several environments)",
    ),
    "a number past every range": Case(
        {"dev.yaml": HEAD + "machines:\n  - name: box\n    gpu: {type: t4}\n    data_disk_gb: " + "9" * 400 + "\n"},
        "dev.yaml: machines[0].data_disk_gb: " + "9" * 60 + "… (400 characters written out) is out of range "
        "(use a value at most 16384)",
    ),
    "extends an absolute path": Case(
        {"dev.yaml": "extends: /etc/passwd\n"},
        "dev.yaml: extends: '/etc/passwd' is not a file of the environment folder "
        "(give the name of a file next to this one, e.g. _fleet.yaml)",
    ),
    "extends out of the folder": Case(
        {"dev.yaml": "extends: ../../../etc/hostname\n"},
        "dev.yaml: extends: '../../../etc/hostname' is not a file of the environment folder "
        "(give the name of a file next to this one, e.g. _fleet.yaml)",
    ),
    "a broken link": Case(
        {"dev.yaml": VALID},
        "prod.yaml: is a broken symbolic link to nowhere.yaml (fix it or remove it)",
        links={"prod.yaml": "nowhere.yaml"},
    ),
    "--out the checkout": Case(
        {"dev.yaml": VALID},
        "--out .: is the project folder, which synth must not replace (pick a folder of its own, such as cdktf.out)",
        args=("synth", "--out", "."),
    ),
    "--out the environment folder": Case(
        {"dev.yaml": VALID},
        "--out environments: is the environment folder, which synth must not replace "
        "(pick a folder of its own, such as cdktf.out)",
        args=("synth", "--out", "environments"),
    ),
    "--out a file": Case(
        {"dev.yaml": VALID},
        "--out cdktf.json: is a file, not an output folder (pick a folder of its own, such as cdktf.out)",
        args=("synth", "--out", "cdktf.json"),
    ),
}


@dataclass
class Finished:
    code: int
    stderr: str
    seconds: float
    resident_mb: float


def run_main(args: tuple[str, ...], cwd: Path) -> Finished:
    """`python main.py ARGS` in `cwd`: its exit code, stderr, wall time and largest resident set."""
    started = time.monotonic()
    with open(cwd.parent / "stderr", "w+") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(MAIN), *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=stderr
        )
        try:
            _, status, usage = _wait(process)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail(f"still running after {SECONDS} s")
        stderr.seek(0)
        text = stderr.read()
    return Finished(os.waitstatus_to_exitcode(status), text, time.monotonic() - started, usage.ru_maxrss / 1024)


def _wait(process: subprocess.Popen) -> tuple[int, int, resource.struct_rusage]:
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return pid, status, usage
        time.sleep(0.02)
    raise subprocess.TimeoutExpired(process.args, SECONDS)


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A user's project: cdktf.json, a .git folder, notes and an environment folder."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "cdktf.json").write_text('{"app": "python main.py"}')
    (root / "notes.txt").write_text("mine")
    (root / "environments").mkdir()
    return root


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_exits_2_with_one_line_and_touches_nothing(name, checkout):
    case = CASES[name]
    env_dir = checkout / "environments"
    for file, content in case.files.items():
        (env_dir / file).write_bytes(content if isinstance(content, bytes) else content.encode())
    for link, target in case.links.items():
        (env_dir / link).symlink_to(target)
    before = fingerprint(checkout.parent, skip=("stderr",))

    finished = run_main(case.args, checkout)

    assert finished.code == 2, finished.stderr
    assert "Traceback" not in finished.stderr
    prefix = "" if case.expected.startswith("--") else "environments/"
    assert finished.stderr.splitlines() == [prefix + case.expected]
    assert finished.seconds < SECONDS and finished.resident_mb < MAX_RESIDENT_MB, finished
    assert fingerprint(checkout.parent, skip=("stderr",)) == before
