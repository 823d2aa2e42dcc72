# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet mode: gather many devices concurrently in one process, each with the result its own
vpn_facts task would have given (facts, or the same failure message). Transport and parsers
keep no per-process state, so threads share nothing but the pool."""

from __future__ import annotations

import collections
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.vpnops.tunnels.plugins.module_utils import gather
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import (
    VpnError,
    VpnTransportError,
)

DEFAULT_POOL_SIZE = 50
STRATEGY = "vpnops.tunnels.fleet"
# the key of a once-for-the-play result that the fleet strategy hands out host by host
RESULT_KEY = "vpn_fleet"

# One device to gather: its inventory name, transport spec, platform and vpn_facts options.
Job = collections.namedtuple("Job", "host spec platform options")


def gather_one(job):
    """The vpn_facts result of one device. Never raises: a device that fails is a result."""
    try:
        device, outputs = gather.gather_device(job.spec, job.platform, job.options,
                                               hostname=job.host)
    except VpnTransportError as error:
        # Ansible cannot mark another host unreachable from this task: the flag says it
        return {"failed": True, "vpn_unreachable": True, "msg": "%s: %s" % (job.host, error)}
    except VpnError as error:
        return {"failed": True, "msg": "%s: %s" % (job.host, error)}
    except Exception as error:  # pylint: disable=broad-exception-caught
        # one device that breaks in an unforeseen way must not stop the fleet
        return {"failed": True, "msg": "%s: unexpected %s: %s" % (
            job.host, type(error).__name__, error)}
    result = {"changed": False, "ansible_facts": {"vpn": device}}
    if job.options.get("include_raw"):
        result["raw_outputs"] = [{"command": c, "output": o} for c, o in outputs]
    return result


def gather_all(jobs, pool_size=DEFAULT_POOL_SIZE):
    """host -> gather_one() result, for every job, at most pool_size at a time."""
    jobs = list(jobs)
    if not jobs:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(pool_size, len(jobs)))) as pool:
        return dict(zip((job.host for job in jobs), pool.map(gather_one, jobs)))


def fleet_result(outcomes):
    """A once-for-the-play result from {host: gather_one() result}: RESULT_KEY holds the
    facts, failures and unreachable hosts for the fleet strategy to hand out."""
    facts, failed, unreachable = {}, {}, {}
    for host, outcome in outcomes.items():
        if not outcome.get("failed"):
            facts[host] = outcome["ansible_facts"]["vpn"]
        elif outcome.get("vpn_unreachable"):
            unreachable[host] = outcome["msg"]
        else:
            failed[host] = outcome["msg"]
    return {"changed": False,
            RESULT_KEY: {"facts": facts, "failed": failed, "unreachable": unreachable},
            "msg": "gathered %d of %d hosts; %d failed, %d unreachable" % (
                len(facts), len(outcomes), len(failed), len(unreachable))}
