"""`extends:` — one shared base file, small overrides per environment."""

from __future__ import annotations

import textwrap

import pytest

from gpulab.config.extends import merge_settings
from gpulab.config.loader import environment_files, load_environment
from gpulab.errors import ConfigError

BASE = textwrap.dedent(
    """\
    cloud: gcp
    region: us-central1
    project: pcp
    owner: training
    gcp: {project_id: pcp-training-000000}
    network: {availability_zones: [us-central1-a]}
    machines:
      - {name: worker, gpu: {type: t4, count: 1}, count: 1, data_disk_gb: 200}
      - {name: eval, machine_type: e2-standard-4}
    buckets:
      - {name: results}
    """
)


def test_named_entries_merge_by_name_and_other_values_replace():
    base = {"machines": [{"name": "a", "count": 1, "spot": True}, {"name": "b"}], "tags": {"x": "1"}, "owner": "o"}
    override = {"machines": [{"name": "a", "count": 5}, {"name": "c"}], "tags": {"y": "2"}, "owner": "p"}
    assert merge_settings(base, override) == {
        "machines": [{"name": "a", "count": 5, "spot": True}, {"name": "b"}, {"name": "c"}],
        "tags": {"x": "1", "y": "2"},
        "owner": "p",
    }


def test_an_empty_list_clears_the_bases_entries():
    assert merge_settings({"machines": [{"name": "a"}]}, {"machines": []}) == {"machines": []}


def test_an_environment_changes_only_what_it_names(tmp_path):
    (tmp_path / "_base.yaml").write_text(BASE)
    (tmp_path / "big.yaml").write_text("extends: _base.yaml\nmachines:\n  - {name: worker, count: 7}\n")
    env = load_environment(tmp_path / "big.yaml")
    worker, evaluator = env.machines
    assert (worker.count, worker.data_disk_gb, worker.gpu.type) == (7, 200, "t4")
    assert evaluator.machine_type == "e2-standard-4"
    assert env.name == "big" and env.gcp.project_id == "pcp-training-000000"
    assert [p.name for p in environment_files(tmp_path)] == ["big.yaml"], "_base.yaml is not an environment"


def test_a_base_may_extend_another(tmp_path):
    (tmp_path / "_base.yaml").write_text(BASE)
    (tmp_path / "_spot.yaml").write_text("extends: _base.yaml\nmachines:\n  - {name: worker, spot: true}\n")
    (tmp_path / "cheap.yaml").write_text("extends: _spot.yaml\n")
    (worker, _) = load_environment(tmp_path / "cheap.yaml").machines
    assert worker.spot is True and worker.count == 1


def test_a_cycle_is_a_clear_error(tmp_path):
    (tmp_path / "_a.yaml").write_text("extends: _b.yaml\n")
    (tmp_path / "_b.yaml").write_text("extends: _a.yaml\n")
    (tmp_path / "env.yaml").write_text("extends: _a.yaml\n")
    with pytest.raises(ConfigError) as error:
        load_environment(tmp_path / "env.yaml")
    (problem,) = error.value.problems
    assert str(problem).endswith(
        "_b.yaml: extends: '_a.yaml' extends itself (env.yaml → _a.yaml → _b.yaml → _a.yaml; break the cycle)"
    )


def test_a_broken_base_is_reported_against_the_base_file(tmp_path):
    (tmp_path / "_base.yaml").write_text("cloud: [gcp\n")
    (tmp_path / "env.yaml").write_text("extends: _base.yaml\n")
    with pytest.raises(ConfigError) as error:
        load_environment(tmp_path / "env.yaml")
    (problem,) = error.value.problems
    assert str(problem).startswith(f"{tmp_path / '_base.yaml'}: line 2, column 1: invalid YAML")


def test_a_base_edited_between_loads_is_read_again(tmp_path):
    """Parsed files are cached per version (modification time and size), never across edits."""
    base = tmp_path / "_base.yaml"
    base.write_text(BASE)
    (tmp_path / "env.yaml").write_text("extends: _base.yaml\n")
    assert load_environment(tmp_path / "env.yaml").owner == "training"
    base.write_text(BASE.replace("owner: training", "owner: research-platform"))
    assert load_environment(tmp_path / "env.yaml").owner == "research-platform"


def _problems(path) -> list[str]:
    with pytest.raises(ConfigError) as error:
        load_environment(path)
    return [str(problem) for problem in error.value.problems]


def test_a_bad_value_from_a_base_names_the_base_and_the_environment_that_inherited_it(tmp_path):
    (tmp_path / "_base.yaml").write_text(BASE + "monitoring: {idle_percent: -5}\n")
    (tmp_path / "huge.yaml").write_text("extends: _base.yaml\nmachines:\n  - {name: eval, count: 500}\n")
    assert _problems(tmp_path / "huge.yaml") == [
        f"{tmp_path / 'huge.yaml'}: machines[1].count: 500 is out of range (use a value at most 100)",
        f"{tmp_path / '_base.yaml'}: monitoring.idle_percent: -5 is out of range (use a value at least 1) "
        "(inherited by huge.yaml)",
    ]


def test_a_catalog_problem_in_a_named_entry_of_a_base_is_followed_by_name(tmp_path):
    (tmp_path / "_base.yaml").write_text(BASE.replace("machine_type: e2-standard-4", "machine_type: e2-huge"))
    (tmp_path / "env.yaml").write_text("extends: _base.yaml\nmachines:\n  - {name: worker, count: 2}\n")
    (line,) = _problems(tmp_path / "env.yaml")
    assert line.startswith(f"{tmp_path / '_base.yaml'}: machines[1].machine_type: unknown GCP machine type 'e2-huge'")
    assert line.endswith("(inherited by env.yaml)")


@pytest.mark.parametrize("base", ["/etc/passwd", "../../etc/passwd", "sub/_base.yaml", "..", "escape.yaml"])
def test_extends_must_name_a_file_of_the_environment_folder(base, tmp_path):
    folder = tmp_path / "environments"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "_base.yaml").write_text(BASE)
    (tmp_path / "outside.yaml").write_text(BASE)
    (folder / "escape.yaml").symlink_to(tmp_path / "outside.yaml")
    (folder / "env.yaml").write_text(f"extends: {base}\n")
    assert _problems(folder / "env.yaml") == [
        f"{folder / 'env.yaml'}: extends: {base!r} is not a file of the environment folder "
        "(give the name of a file next to this one, e.g. _fleet.yaml)"
    ]


def test_a_broken_symbolic_link_in_the_folder_is_reported(tmp_path):
    from gpulab.config import load_environments

    (tmp_path / "dev.yaml").write_text(BASE)
    (tmp_path / "prod.yaml").symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(ConfigError) as error:
        load_environments(tmp_path)
    assert [str(p) for p in error.value.problems] == [
        f"{tmp_path / 'prod.yaml'}: is a broken symbolic link to {tmp_path / 'gone.yaml'} (fix it or remove it)"
    ]
