"""How many hours a month each machine of an environment runs, from its file and `--hours-per-day`.

- always on (no idle stop, no daily shutdown, not stopped between runs; the
  headquarters): 730 hours;
- a group with `hours_per_day` in the file: that many hours a day;
- a fleet `stopped_between_runs`: 0 hours (it costs its disks; the line
  shows what an hour of runs costs);
- a machine that stops itself (the idle stop, built on AWS, Azure and GCP;
  the daily stop, built on Azure and GCP): the `--hours-per-day` the command
  was given (8 by default), every day.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpulab.config.machines import machine_names
from gpulab.config.model import Environment, Machine
from gpulab.cost.lines import DAYS_PER_MONTH, HOURS_PER_MONTH

DEFAULT_HOURS_PER_DAY = 8.0
IDLE_STOP_CLOUDS = frozenset({"aws", "azure", "gcp"})  # where the idle watchdog is built (ops/runs.safety_nets)
DAILY_STOP_CLOUDS = frozenset({"azure", "gcp"})  # where shutdown_at is built (ops/runs.safety_nets)


@dataclass(frozen=True)
class Usage:
    """A machine's running hours a month, and why that many."""

    hours_per_month: float
    how: str

    @property
    def quantity(self) -> str:
        return f"{self.hours_per_month:,.0f} h ({self.how})"


class MachineUsage:
    """Looks up a machine by the name the stack gives it (`<prefix><project>-<env>-<group>-<n>`)."""

    def __init__(self, env: Environment, hours_per_day: float, name_prefix: str = "") -> None:
        self._groups = [(machine_names(env, machine.name, name_prefix), machine) for machine in env.machines]
        hq = env.headquarters
        self._headquarters = f"{name_prefix}{env.prefix}-{hq.name}" if hq else None
        self._hours_per_day = hours_per_day
        self._cloud = env.cloud

    def of(self, name: str) -> Usage:
        """The usage of the machine called `name`; one the file does not describe is taken as always on."""
        if name == self._headquarters:
            return Usage(HOURS_PER_MONTH, "always on")
        for pattern, machine in self._groups:
            if pattern.fullmatch(name):
                return _group_usage(machine, self._hours_per_day, self._cloud)
        return Usage(HOURS_PER_MONTH, "always on")


def _group_usage(machine: Machine, hours_per_day: float, cloud: str) -> Usage:
    if machine.hours_per_day is not None:
        return Usage(machine.hours_per_day * DAYS_PER_MONTH, f"{machine.hours_per_day:g} h/day")
    if machine.stopped_between_runs:
        return Usage(0.0, "stopped between runs")
    stops = []
    if machine.idle_stop_minutes is not None and cloud in IDLE_STOP_CLOUDS:
        stops.append(f"idle stop after {machine.idle_stop_minutes} min")
    if machine.shutdown_at is not None and cloud in DAILY_STOP_CLOUDS:
        stops.append(f"daily stop at {machine.shutdown_at}")
    if stops:
        return Usage(hours_per_day * DAYS_PER_MONTH, f"{hours_per_day:g} h/day; {', '.join(stops)}")
    return Usage(HOURS_PER_MONTH, "always on")
