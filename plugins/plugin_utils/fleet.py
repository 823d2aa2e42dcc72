# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet mode: gather many devices concurrently, each with the result its own vpn_facts task
would have given (facts, or the same failure message). Transport and parsers keep no
per-process state, so threads share nothing but the pool, and a forked process needs
nothing but its share of the hosts."""

from __future__ import annotations

import collections
import json
import os
from concurrent.futures import Future, ThreadPoolExecutor

from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc, gather
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import (
    VpnError,
    VpnTransportError,
)

DEFAULT_POOL_SIZE = 50
# A process of its own pays off from this many devices on (forking costs milliseconds).
DEVICES_PER_PROCESS = 50
STRATEGY = "vpnops.tunnels.fleet"

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


def gather_all(hosts, job_of, pool_size=DEFAULT_POOL_SIZE, processes=1):
    """host -> gather_one() result for every host, in the hosts' order; at most pool_size
    devices at a time in all.

    job_of(host) gives the host's Job, or raises VpnError (the host fails with that message).
    It is called in the process that gathers the host, one host after the other in the
    process's main thread, just before the host is queued: reading the next hosts' options
    overlaps the gathering of the first ones.

    SSH and parsing are Python work that one interpreter runs on one CPU at a time, so the
    hosts can be split over `processes` forked processes, each with its share of the pool.
    0 chooses: one per CPU, but none for fewer than DEVICES_PER_PROCESS devices.
    """
    hosts = list(hosts)
    if not hosts:
        return {}
    if not processes:
        processes = min(usable_cpus(), len(hosts) // DEVICES_PER_PROCESS)
    processes = max(1, min(processes, len(hosts), pool_size))
    shares = [hosts[index::processes] for index in range(processes)]
    threads = [pool_size // processes + (index < pool_size % processes)
               for index in range(processes)]
    # forked before this process starts a thread: a child inherits no lock held by one
    children = [_fork_gather(share, job_of, size) for share, size in zip(shares[1:], threads[1:])]
    outcomes = _gather_threads(shares[0], job_of, threads[0])
    for child, share in zip(children, shares[1:]):
        outcomes.update(_collect(child, share))
    return {host: outcomes[host] for host in hosts}


def usable_cpus():
    """The CPUs this process may run on (a container's or taskset's limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _gather_threads(hosts, job_of, pool_size):
    with ThreadPoolExecutor(max_workers=max(1, min(pool_size, len(hosts)))) as pool:
        queued = [_queue(pool, host, job_of) for host in hosts]
        return {host: found.result() if isinstance(found, Future) else found
                for host, found in zip(hosts, queued)}


def _queue(pool, host, job_of):
    """The host's gathering, queued in the pool; a host whose job cannot be made is failed."""
    try:
        job = job_of(host)
    except VpnError as error:
        return {"failed": True, "msg": "%s: %s" % (host, error)}
    return pool.submit(gather_one, job)


def _fork_gather(hosts, job_of, pool_size):
    """Gather hosts in a forked child that writes their results as JSON to a pipe."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's lines run in another process
        status = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "w", encoding="utf-8") as stream:
                json.dump(_gather_threads(hosts, job_of, pool_size), stream)
            status = 0
        finally:
            # never return into the parent's code (Ansible's worker) nor run its exit handlers
            os._exit(status)  # pylint: disable=protected-access
    os.close(write_end)
    return pid, read_end


def _collect(child, hosts):
    """A child's results; a child that died fails its devices instead of the fleet."""
    pid, read_end = child
    with os.fdopen(read_end, encoding="utf-8") as stream:
        text = stream.read()
    _pid, status = os.waitpid(pid, 0)
    try:
        with cyclic_gc.paused():  # decoding makes many containers and no cycles
            outcomes = json.loads(text) if status == 0 else {}
    except ValueError:
        outcomes = {}
    reason = "the process gathering it ended unexpectedly (exit status %d)" % (
        os.waitstatus_to_exitcode(status))
    return {host: outcomes.get(host) or {"failed": True, "msg": "%s: %s" % (host, reason)}
            for host in hosts}
