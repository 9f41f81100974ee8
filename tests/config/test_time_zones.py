"""Time zone names: the same answer as zoneinfo.available_timezones(), mostly without walking the tz database."""

from __future__ import annotations

import zoneinfo

import pytest

from gpulab.rules import time_zones

EDGE_CASES = ["Pacific Standard Time", "posixrules", "right/UTC", "posix/Europe/Berlin", "../etc/passwd", "", "utc"]


@pytest.fixture
def fresh_caches():
    time_zones._tzdata_zone_list.cache_clear()
    time_zones._available_time_zones.cache_clear()
    yield
    time_zones._tzdata_zone_list.cache_clear()
    time_zones._available_time_zones.cache_clear()


def test_every_name_gets_zoneinfos_answer(fresh_caches):
    available = zoneinfo.available_timezones()
    for name in sorted(available) + EDGE_CASES:
        assert time_zones.is_iana_time_zone(name) == (name in available), name


def test_a_listed_zone_needs_no_walk_of_the_tz_database(fresh_caches):
    assert time_zones.is_iana_time_zone("Europe/Berlin")
    assert time_zones.is_iana_time_zone("UTC")
    assert time_zones._available_time_zones.cache_info().currsize == 0
    assert not time_zones.is_iana_time_zone("Pacific Standard Time")
    assert time_zones._available_time_zones.cache_info().currsize == 1  # an unknown name is checked against the walk
