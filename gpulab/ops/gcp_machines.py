"""A GCP environment's machines: found by the labels gpulab puts on them, listed, started and stopped.

Every VM gpulab builds carries the labels `project`, `environment` and
`managedby=gpulab` (the provider's default labels) and a name of
`<project>-<env>-<machine>-<n>` (gpulab.config.gcp_names). Starting and
stopping wait for each VM's zone operation, so the command's exit means it
is done: a started VM is RUNNING, a stopped one TERMINATED (Compute
Engine's word for stopped; its disks are kept and still billed).
"""

from __future__ import annotations

import time

from gpulab.config import gcp_names
from gpulab.config.machines import machine_names
from gpulab.config.model import Environment
from gpulab.ops.errors import OpsError
from gpulab.ops.fleet import Machine, check_group
from gpulab.ops.gcp_clients import call, compute_client, retry

STOPPED = ("TERMINATED", "STOPPED")
UP = ("PROVISIONING", "STAGING", "RUNNING")
OPERATION_TIMEOUT_SECONDS = 600


def _label_filter(env: Environment) -> str:
    labels = {"project": env.project, "environment": env.name, "managedby": "gpulab"}
    return " AND ".join(f'(labels.{key} = "{gcp_names.label(value)}")' for key, value in labels.items())


def _listed(env: Environment, group: str | None) -> list[tuple[str, object]]:
    """(zone, instance) of the environment's VMs in group `group` (or all), sorted by name."""
    check_group(env, group)
    project = env.gcp.project_id
    instances = compute_client("InstancesClient")
    pages = call(
        "listing the machines",
        lambda: list(
            instances.aggregated_list(request={"project": project, "filter": _label_filter(env)}, retry=retry())
        ),
    )
    names = machine_names(env, group)
    found = [
        (scope.removeprefix("zones/"), vm)
        for scope, listed in pages
        for vm in listed.instances
        if names.fullmatch(vm.name)
    ]
    if not found:
        raise OpsError(f"{env.name}: no machines found in {project} (is it deployed? npx cdktf deploy {env.name})")
    return sorted(found, key=lambda pair: pair[1].name)


def _machine(vm) -> Machine:
    return Machine(vm.name, str(vm.id), vm.machine_type.rsplit("/", 1)[-1], vm.status)


def find(env: Environment, group: str | None = None) -> list[Machine]:
    """The environment's VMs, of machine group `group` when given, sorted by name."""
    return [_machine(vm) for _, vm in _listed(env, group)]


def start(env: Environment, group: str | None = None) -> list[Machine]:
    """Start the stopped VMs and wait until every one runs; the VMs as they are then."""
    return _change(env, group, "start", "starting", lambda vm: vm.status in STOPPED)


def stop(env: Environment, group: str | None = None) -> list[Machine]:
    """Stop the running VMs and wait until every one has stopped; the VMs as they are then."""
    return _change(env, group, "stop", "stopping", lambda vm: vm.status in UP)


def _change(env: Environment, group: str | None, action: str, doing: str, needs) -> list[Machine]:
    instances = compute_client("InstancesClient")
    project = env.gcp.project_id
    started = []
    for zone, vm in _listed(env, group):
        if needs(vm):
            request = {"project": project, "zone": zone, "instance": vm.name}
            operation = call(
                f"{doing} {vm.name}", getattr(instances, f"{action}_unary"), request=request, retry=retry()
            )
            started.append((zone, vm.name, operation.name))
    if started:
        operations = compute_client("ZoneOperationsClient")
        for zone, name, operation in started:
            _wait(operations, project, zone, operation, f"{doing} {name}")
    return find(env, group)


def _wait(operations, project: str, zone: str, operation: str, what: str) -> None:
    """Wait for a zone operation through zoneOperations.wait (each call waits up to two minutes on Google's side).

    Not the client library's ExtendedOperation.result(): it polls through a client of its own that ignores the
    endpoint the InstancesClient was given (google-cloud-compute 1.56, transports/base.py)."""
    deadline = time.monotonic() + OPERATION_TIMEOUT_SECONDS
    request = {"project": project, "zone": zone, "operation": operation}
    while True:
        done = call(f"waiting for {what}", operations.wait, request=request, retry=retry())
        if done.status == done.Status.DONE:
            break
        if time.monotonic() > deadline:
            raise OpsError(f"{what}: not done after {OPERATION_TIMEOUT_SECONDS} s (operation {operation} in {zone})")
    if done.error and done.error.errors:
        raise OpsError(f"{what}: " + "; ".join(f"{e.code}: {e.message}" for e in done.error.errors))
