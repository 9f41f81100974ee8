"""An AWS environment's machines: found by the tags gpulab puts on them, listed, started and stopped.

Every instance gpulab builds carries `Project`, `Environment` and
`ManagedBy=gpulab` (the provider's default tags) and a `Name` of
`<project>-<env>-<machine>-<n>`, so a machine group is the instances whose
name starts with `<project>-<env>-<machine>-`. Starting and stopping wait
until every instance has got there, so the command's exit means it is done.
"""

from __future__ import annotations

from gpulab.config.machines import machine_names
from gpulab.config.model import Environment
from gpulab.ops.aws_clients import call, client
from gpulab.ops.errors import OpsError
from gpulab.ops.fleet import Machine, check_group


def find(env: Environment, machine: str | None = None) -> list[Machine]:
    """The environment's instances (not terminated), of machine group `machine` when given, sorted by name."""
    check_group(env, machine)
    ec2 = client("ec2", env.region)
    filters = [
        {"Name": "tag:Project", "Values": [env.project]},
        {"Name": "tag:Environment", "Values": [env.name]},
        {"Name": "tag:ManagedBy", "Values": ["gpulab"]},
        {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]},
    ]
    names = machine_names(env, machine)
    found = []
    paginator = ec2.get_paginator("describe_instances")
    pages = call("listing the machines", lambda **kw: list(paginator.paginate(**kw)), Filters=filters)
    for page in pages:
        for reservation in page["Reservations"]:
            for item in reservation["Instances"]:
                name = next((t["Value"] for t in item.get("Tags", []) if t["Key"] == "Name"), item["InstanceId"])
                if names.fullmatch(name):
                    found.append(Machine(name, item["InstanceId"], item["InstanceType"], item["State"]["Name"]))
    if not found:
        raise OpsError(f"{env.name}: no machines found in {env.region} (is it deployed? npx cdktf deploy {env.name})")
    return sorted(found, key=lambda i: i.name)


def start(env: Environment, machine: str | None = None) -> list[Machine]:
    """Start the stopped instances and wait until every one runs; the instances as they are then."""
    return _change(env, machine, "start_instances", "instance_running", "starting")


def stop(env: Environment, machine: str | None = None) -> list[Machine]:
    """Stop the running instances and wait until every one has stopped; the instances as they are then."""
    return _change(env, machine, "stop_instances", "instance_stopped", "stopping")


def _change(env: Environment, machine: str | None, action: str, waiter: str, doing: str) -> list[Machine]:
    instances = find(env, machine)
    ids = [i.id for i in instances]
    ec2 = client("ec2", env.region)
    call(f"{doing} {', '.join(i.name for i in instances)}", getattr(ec2, action), InstanceIds=ids)
    call(
        f"waiting for {', '.join(i.name for i in instances)}",
        ec2.get_waiter(waiter).wait,
        InstanceIds=ids,
        WaiterConfig={"Delay": 5, "MaxAttempts": 120},
    )
    return find(env, machine)
