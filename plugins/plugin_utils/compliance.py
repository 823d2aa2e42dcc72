# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compliance: a fleet's VPN facts checked against a policy -> findings.

Every finding has the same keys, so the audit can write JSON and JUnit from it directly:
  rule            rule id (policy.RULES), e.g. VPN-CRYPTO-BANNED
  severity        info, low, medium, high or critical (the rule's, or the policy's override;
                  info when a waiver matched)
  host            inventory host; None for a redundant set that spans hosts
  tunnel          tunnel name; None for host-wide findings (communication errors)
  child           child SA name when the finding is about one child SA, else None
  redundancy_set  the redundant set's name for VPN-REDUNDANCY-*, else None
  expected        what the policy wants, as text
  actual          what the device has, as text
  message         one sentence with the numbers
  waived          the waiver's reason when one matched, else None
Findings come host by host in input order, then the redundant sets; hosts that could not be
read (unreachable, gathering failed, no facts) are findings too, never skipped.
"""

from __future__ import annotations

import fnmatch

from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import (
    crypto,
    health,
    inputs,
    redundancy,
)
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.policy import Policy

# Where each platform's facts carry DPD: "config" from the configuration the parser reads
# (so a configured tunnel without DPD has it off); "ikev2_sa" only in the detail of live IKEv2
# SAs. Other platforms never report DPD: their tunnels get VPN-DPD-NOT-REPORTED (info).
DPD_SOURCES = {
    "strongswan": "config",
    "strongswan_legacy": "config",
    "libreswan": "config",
    "fortinet": "config",
    "cisco_ios": "ikev2_sa",
    "cisco_asa": "ikev2_sa",
}

COMM_ERROR_STATUS = "communication status Error"
_HEALTH_RULES = {health.DOWN: "VPN-HEALTH-DOWN", health.DEGRADED: "VPN-HEALTH-DEGRADED",
                 health.UNKNOWN: "VPN-HEALTH-UNKNOWN"}
_FIELD_WORDS = {"encryption": "encryption", "integrity": "integrity", "prf": "PRF",
                "dh_group": "DH group"}
_GLOB = frozenset("*?[")
_MEMBERS_SHOWN = 10  # members named in a redundancy finding's message


class Evaluation:
    """Everything one compliance run worked out: findings, verdicts per host (tunnel_health's
    dicts) and redundant sets (tunnel_redundancy's; empty when both redundancy rules are off),
    so the audit reports all three from one pass."""

    __slots__ = ("findings", "verdicts", "sets", "policy", "severity", "waivers",
                 "ike_bounds", "child_bounds", "ike_bounds_text", "child_bounds_text",
                 "check_ike_lifetime", "check_child_lifetime", "idle_limit", "group_by_network")

    def __init__(self, policy):
        self.policy = policy
        self.severity = policy.severity
        self.waivers = policy.waivers
        self.findings = []
        self.verdicts = {}
        self.sets = []
        lifetimes = policy.lifetimes
        self.ike_bounds = (lifetimes["ike"]["min_seconds"], lifetimes["ike"]["max_seconds"])
        self.child_bounds = (lifetimes["child"]["min_seconds"], lifetimes["child"]["max_seconds"])
        self.ike_bounds_text = _bounds_text("IKE SA", self.ike_bounds)
        self.child_bounds_text = _bounds_text("child SA", self.child_bounds)
        self.check_ike_lifetime = policy.enabled("VPN-LIFETIME-IKE")
        self.check_child_lifetime = policy.enabled("VPN-LIFETIME-CHILD")
        self.idle_limit = policy.idle_timeout if policy.enabled("VPN-IDLE") else None
        self.group_by_network = policy.by_remote_network and (
            policy.enabled("VPN-REDUNDANCY-AT-RISK") or policy.enabled("VPN-REDUNDANCY-DOWN"))

    def add(self, rule, host, tunnel, expected, actual, message, child=None, redundancy_set=None):
        severity = self.severity.get(rule)
        if severity is None:
            return  # rule disabled
        waived = self.policy.waiver(rule, host, tunnel) if self.waivers else None
        self.findings.append({
            "rule": rule, "severity": "info" if waived else severity, "host": host,
            "tunnel": tunnel, "child": child, "redundancy_set": redundancy_set,
            "expected": expected, "actual": actual, "message": message, "waived": waived,
        })


def evaluate(data, policy=None, host_groups=None, errors=None, hosts=None):
    """Check a fleet (see inputs.devices) against a policy (dict, YAML text, Policy or None).

    host_groups: host -> [group names] (added to each host's group_names from hostvars);
    errors: host -> error message of hosts that could not be gathered (unreachable, failed);
    hosts: only these hosts, in this order (absent ones are reported as not gathered).
    """
    policy = policy if isinstance(policy, Policy) else Policy(policy)
    with cyclic_gc.paused():
        return _evaluate(Evaluation(policy), data, host_groups, errors, hosts)


def _evaluate(result, data, host_groups, errors, hosts):
    errors = dict(errors or {})
    host_groups = host_groups or {}
    for host, groups in host_groups.items():
        if isinstance(groups, str) or not isinstance(groups, (list, tuple)):
            raise inputs.InputError("host_groups: the groups of %s must be a list of group"
                                    " names, got %r" % (host, groups))
    fleet = inputs.devices(data, hosts)
    entries = []
    seen = set()
    for device in fleet:
        host = device.host
        seen.add(host)
        if host in errors:
            _comm_error(result, host, errors[host])
        if device.facts is None:
            if host not in errors:
                _comm_error(result, host, None)
            continue
        result.verdicts[host] = _device(result, device, host_groups.get(host) or (), entries)
    for host, message in errors.items():
        if host not in seen:
            _comm_error(result, host, message)
    _redundancy(result, fleet, entries)
    return result


def _comm_error(result, host, message):
    detail = message or "no VPN facts: gathering failed or the host was unreachable"
    result.add("VPN-COMM-ERROR", host, None, "facts gathered", COMM_ERROR_STATUS,
               "%s: %s" % (COMM_ERROR_STATUS, detail))


def _device(result, device, extra_groups, entries):
    """Findings of one device; its tunnels go to entries for the redundant sets."""
    policy = result.policy
    add = result.add
    host, facts = device.host, device.facts
    platform = facts.get("platform")
    for error in facts.get("errors") or ():
        add("VPN-FACTS-ERROR", host, None, "every command answered",
            "command failed: %s" % error.get("command"),
            "%s failed: %s" % (error.get("command") or "a command", error.get("message")))
    tunnels = device.tunnels
    verdicts = health.device_verdicts(facts, policy.thresholds, host)
    established = {}
    grouping = result.group_by_network
    for tunnel, verdict in zip(tunnels, verdicts):
        name = tunnel.get("name")
        # the remote key now, while the tunnel is in the CPU's cache
        entries.append((host, name, verdict, redundancy.remote_key(tunnel) if grouping else None))
        rule = _HEALTH_RULES.get(verdict["verdict"])
        if rule is not None:
            add(rule, host, name, health.OPERATIONAL, verdict["verdict"],
                "; ".join(verdict["reasons"]))
        kind = tunnel.get("type")
        if kind == "ipsec":
            if tunnel.get("state") == "ESTABLISHED":
                established[name] = established.get(name, 0) + 1
            _ipsec(result, host, name, tunnel, platform)
        elif kind == "openvpn":
            _openvpn_connections(result, host, name, tunnel)
    limit = policy.max_connections["ike_sas_per_tunnel"]
    if limit is not None:
        for name, count in established.items():
            if count > limit:
                add("VPN-CONN-MAX", host, name, "at most %d established IKE SA%s" % (
                    limit, "" if limit == 1 else "s"), "%d established IKE SAs" % count,
                    "%d IKE SAs established for tunnel %s (at most %d allowed)"
                    % (count, name, limit))
    _expected(result, device, extra_groups, tunnels)
    return verdicts


_EMPTY = {}


def _ipsec(result, host, name, tunnel, platform):
    """Checks of one IPsec tunnel. What depends only on a few values (crypto, IKE version,
    DPD) is worked out once per distinct set of values and remembered in the policy: a
    fleet repeats a handful of configurations many times."""
    policy = result.policy
    add = result.add
    ike = tunnel.get("ike") or _EMPTY
    for rule, expected, actual, message in _ike_problems(policy, tunnel, ike, platform):
        add(rule, host, name, expected, actual, message)
    if result.check_ike_lifetime and ike:
        problems = _ike_lifetime(result.ike_bounds, ike)
        if problems:
            add("VPN-LIFETIME-IKE", host, name, result.ike_bounds_text, "; ".join(problems),
                "IKE SA lifetime out of bounds: %s" % "; ".join(problems))
    check_lifetime, idle_limit = result.check_child_lifetime, result.idle_limit
    for child in tunnel.get("children") or ():
        child_name = child.get("name")
        algorithms = child.get("algorithms")
        if algorithms:
            for rule, expected, actual, what in _algorithm_problems(policy, "child", algorithms):
                add(rule, host, name, expected, actual,
                    "child SA %s: %s" % (child_name, what), child=child_name)
        if check_lifetime:
            problems = _child_lifetime(result.child_bounds, child)
            if problems:
                add("VPN-LIFETIME-CHILD", host, name, result.child_bounds_text,
                    "; ".join(problems), "child SA %s lifetime out of bounds: %s"
                    % (child_name, "; ".join(problems)), child=child_name)
        if idle_limit is not None and child.get("state") in health.CHILD_UP:
            actual = _idle(child, idle_limit)
            if actual is not None:
                add("VPN-IDLE", host, name, "traffic within %d s" % idle_limit, actual,
                    "child SA %s idle in both directions longer than the idle timeout %d s: %s"
                    % (child_name, idle_limit, actual), child=child_name)


def _ike_problems(policy, tunnel, ike, platform):
    """IKE version, IKE crypto and DPD problems of a tunnel, memoized by their inputs."""
    algorithms = ike.get("algorithms") or _EMPTY
    dpd = ike.get("dpd")
    state = tunnel.get("state")
    key = ("ike", platform, tunnel.get("configured"), state, ike.get("version"),
           tuple(algorithms.items()), tuple(dpd.items()) if dpd else dpd)
    found = policy.memo.get(key)
    if found is None:
        found = []
        version = ike.get("version")
        allowed = policy.ike_versions
        if version is not None and version not in allowed:
            wanted = " or ".join("IKEv%d" % v for v in sorted(allowed)) or "no IKE version"
            found.append(("VPN-IKE-VERSION", wanted, "IKEv%d" % version,
                          "tunnel uses IKEv%d; the policy allows %s" % (version, wanted)))
        if algorithms:
            found.extend((rule, expected, actual, "IKE SA %s" % what)
                         for rule, expected, actual, what
                         in _algorithm_problems(policy, "IKE", algorithms))
        if ike and state != "PASSIVE":
            found.extend(_dpd_problems(policy, tunnel, ike, platform))
        policy.memo[key] = found
    return found


# --- crypto ---------------------------------------------------------------------------------

def _algorithm_problems(policy, scope, algorithms):
    """(rule, expected, actual, message) for one algorithms dict, memoized in the policy."""
    key = (scope, tuple(algorithms.items()))
    found = policy.memo.get(key)
    if found is not None:
        return found
    problems = []
    banned_cipher = False
    for field in crypto.FIELDS:
        raw = algorithms.get(field)
        canonical = None if raw is None else crypto.normalize(field, raw)
        if canonical is None:
            continue
        word = _FIELD_WORDS[field]
        shown = raw if str(raw).lower() == canonical else "%s (%s)" % (raw, canonical)
        if canonical in policy.banned[field]:
            banned_cipher = banned_cipher or field == "encryption"
            problems.append(("VPN-CRYPTO-BANNED", "%s not one of: %s" % (
                word, ", ".join(sorted(policy.banned[field]))), shown,
                "%s %s is banned" % (word, shown)))
        elif policy.allowed[field] and canonical not in policy.allowed[field]:
            problems.append(("VPN-CRYPTO-NOT-ALLOWED", "%s one of: %s" % (
                word, ", ".join(sorted(policy.allowed[field]))), shown,
                "%s %s is not in the allowed list" % (word, shown)))
    minimum = policy.min_key_size
    if minimum and not banned_cipher and algorithms.get("encryption") is not None:
        size = crypto.key_size(algorithms)
        if size is not None and size < minimum:
            problems.append(("VPN-CRYPTO-KEY-SIZE", "key size >= %d bits" % minimum,
                             "%d bits" % size, "encryption %s key size %d bits is below %d"
                             % (algorithms.get("encryption"), size, minimum)))
    policy.memo[key] = problems
    return problems


# --- lifetimes ------------------------------------------------------------------------------

def _bounds_text(what, bounds):
    low, high = bounds
    if low is not None and high is not None:
        return "%s lifetime between %d and %d s" % (what, low, high)
    if low is None and high is None:
        return "%s lifetime unbounded" % what
    return "%s lifetime %s" % (what, "at least %d s" % low if low is not None
                               else "at most %d s" % high)


def _interval(label, value, low, high, problems):
    """A configured interval (0 or None: not configured) outside [low, high]."""
    if value:
        if low is not None and value < low:
            problems.append("%s %d s below %d s" % (label, value, low))
        elif high is not None and value > high:
            problems.append("%s %d s above %d s" % (label, value, high))


def _ike_lifetime(bounds, ike):
    """Problems of the IKE SA's configured intervals and observed countdowns, or None."""
    low, high = bounds
    rekey_interval = ike.get("rekey_interval_seconds")
    reauth_interval = ike.get("reauth_interval_seconds")
    rekey, reauth = ike.get("rekey_seconds"), ike.get("reauth_seconds")
    established = ike.get("established_seconds")
    if high is None:
        high = float("inf")
    if low is None:
        low = 0
    # the common case, everything in bounds, decided without building anything
    if (not rekey_interval or low <= rekey_interval <= high) \
            and (not reauth_interval or low <= reauth_interval <= high) \
            and (rekey is None or rekey <= high) and (reauth is None or reauth <= high) \
            and (established is None or established <= high or rekey is not None
                 or reauth is not None):
        return None
    low, high = bounds
    problems = []
    _interval("rekey interval", rekey_interval, low, high, problems)
    _interval("reauthentication interval", reauth_interval, low, high, problems)
    if high is not None:
        for left, label in ((rekey, "next rekey"), (reauth, "next reauthentication")):
            if left is not None and left > high:
                problems.append("%s in %d s, beyond %d s" % (label, left, high))
        # without a countdown the age tells; some devices report a session's age, which
        # spans rekeys, so a countdown wins
        if rekey is None and reauth is None and established is not None and established > high:
            problems.append("established %d s ago, beyond %d s" % (established, high))
    return problems


def _child_lifetime(bounds, child):
    """Problems of a child SA's configured rekey interval and observed lifetimes, or None."""
    low, high = bounds
    interval = child.get("rekey_interval_seconds")
    lifetime, rekey = child.get("lifetime_seconds"), child.get("rekey_seconds")
    installed = child.get("installed_seconds")
    top = float("inf") if high is None else high
    if (not interval or (low or 0) <= interval <= top) \
            and (lifetime is None or lifetime <= top) and (rekey is None or rekey <= top) \
            and (installed is None or installed <= top or lifetime is not None
                 or rekey is not None):
        return None
    problems = []
    _interval("rekey interval", interval, low, high, problems)
    if high is not None:
        for value, label in ((lifetime, "expires in %d s"), (rekey, "next rekey in %d s")):
            if value is not None and value > high:
                problems.append("%s, beyond %d s" % (label % value, high))
        if rekey is None and lifetime is None and installed is not None and installed > high:
            problems.append("installed %d s ago, beyond %d s" % (installed, high))
    return problems


# --- DPD and idle ---------------------------------------------------------------------------

def _dpd_problems(policy, tunnel, ike, platform):
    dpd = ike.get("dpd")
    expected = _dpd_expected(policy)
    if dpd and dpd.get("delay") != 0:
        delay, timeout = dpd.get("delay"), dpd.get("timeout")
        limit_delay = policy.dpd["max_delay_seconds"]
        limit_timeout = policy.dpd["max_timeout_seconds"]
        problems = []
        if delay is not None and limit_delay is not None and delay > limit_delay:
            problems.append("delay %d s above %d s" % (delay, limit_delay))
        if timeout is not None and limit_timeout is not None and timeout > limit_timeout:
            problems.append("timeout %d s above %d s" % (timeout, limit_timeout))
        if not problems:
            return []
        return [("VPN-DPD-SETTINGS", expected, "; ".join(problems),
                 "DPD too slow to notice a dead peer: %s" % "; ".join(problems))]
    source = DPD_SOURCES.get(platform)
    reported = (source == "config" and tunnel.get("configured")) or (
        source == "ikev2_sa" and ike.get("version") == 2
        and tunnel.get("state") in health.IKE_UP)
    if reported or dpd:
        return [("VPN-DPD-MISSING", expected, "DPD off", "dead peer detection is off: a dead"
                 " peer is only noticed at the next rekey")]
    if source == "config":
        why = "%s reports DPD only for configured tunnels" % platform
    elif source:
        why = "%s reports DPD only for established IKEv2 SAs" % platform
    else:
        why = "%s does not report DPD" % (platform or "this platform")
    return [("VPN-DPD-NOT-REPORTED", expected, "not reported",
             "DPD not reported: %s; check the configuration by hand" % why)]


def _dpd_expected(policy):
    parts = ["DPD on"]
    if policy.dpd["max_delay_seconds"] is not None:
        parts.append("delay <= %d s" % policy.dpd["max_delay_seconds"])
    if policy.dpd["max_timeout_seconds"] is not None:
        parts.append("timeout <= %d s" % policy.dpd["max_timeout_seconds"])
    return ", ".join(parts)


def _idle(child, limit):
    """What shows a child SA idle in both directions for longer than limit, or None."""
    last_in, last_out = child.get("last_in_seconds"), child.get("last_out_seconds")
    if last_in is not None and last_out is not None:
        if last_in > limit and last_out > limit:
            return "idle %d s inbound, %d s outbound" % (last_in, last_out)
        return None
    if last_in is None and last_out is None and child.get("bytes_in") == 0 \
            and child.get("bytes_out") == 0 and (child.get("installed_seconds") or 0) > limit:
        return "no traffic since installed %d s ago" % child["installed_seconds"]
    return None


# --- connections, expected tunnels, redundancy ----------------------------------------------

def _openvpn_connections(result, host, name, tunnel):
    detail = tunnel.get("openvpn") or {}
    if detail.get("role") != "server":
        return
    limits = result.policy.max_connections
    connected = [c for c in detail.get("clients") or () if c.get("state") == "CONNECTED"]
    per_server = limits["openvpn_clients_per_server"]
    if per_server is not None and len(connected) > per_server:
        result.add("VPN-CONN-MAX", host, name, "at most %d connected clients" % per_server,
                   "%d connected clients" % len(connected),
                   "%d clients connected to OpenVPN server %s (at most %d allowed)"
                   % (len(connected), name, per_server))
    per_client = limits["openvpn_sessions_per_client"]
    if per_client is not None:
        sessions = {}
        for client in connected:
            common_name = client.get("common_name")
            sessions[common_name] = sessions.get(common_name, 0) + 1
        for common_name, count in sessions.items():
            if count > per_client:
                result.add("VPN-CONN-MAX", host, name,
                           "at most %d session%s per client" % (
                               per_client, "" if per_client == 1 else "s"),
                           "%d sessions of %s" % (count, common_name),
                           "client %s is connected %d times to OpenVPN server %s (at most %d)"
                           % (common_name, count, name, per_client))


def _expected(result, device, extra_groups, tunnels):
    policy = result.policy
    if "VPN-TUNNEL-MISSING" not in policy.severity:
        return
    wanted = list(policy.expected_hosts.get(device.host) or ())
    for group in ["all"] + list(device.group_names) + list(extra_groups):
        wanted.extend(policy.expected_groups.get(group) or ())
    wanted.extend(device.expected_tunnels)
    if not wanted:
        return
    names = {tunnel.get("name") for tunnel in tunnels}
    for pattern in dict.fromkeys(str(name) for name in wanted):
        if _GLOB.intersection(pattern):
            present = any(fnmatch.fnmatchcase(name or "", pattern) for name in names)
        else:
            present = pattern in names
        if not present:
            result.add("VPN-TUNNEL-MISSING", device.host, pattern, "present", "absent",
                       "expected tunnel %s is not on %s" % (pattern, device.host))


def _redundancy(result, fleet, entries):
    policy = result.policy
    if not (policy.enabled("VPN-REDUNDANCY-AT-RISK") or policy.enabled("VPN-REDUNDANCY-DOWN")):
        return
    declared = redundancy.declared_sets(policy.redundancy_groups, fleet)
    result.sets = redundancy.build_sets(
        entries, declared, by_remote_network=policy.by_remote_network,
        hosts_with_facts=[device.host for device in fleet if device.facts is not None])
    for found in result.sets:
        if found["status"] == redundancy.REDUNDANT:
            continue
        shown = found["members"][:_MEMBERS_SHOWN]
        members = ", ".join("%s/%s %s" % (m["host"], m["tunnel"], m["verdict"]) for m in shown)
        if found["total"] > len(shown):
            members += " and %d more" % (found["total"] - len(shown))
        hosts = sorted({m["host"] for m in found["members"]})
        host = hosts[0] if len(hosts) == 1 else None
        actual = "%d of %d members OPERATIONAL, %d up" % (
            found["operational"], found["total"], found["up"])
        if found["status"] == redundancy.AT_RISK:
            result.add("VPN-REDUNDANCY-AT-RISK", host, None, "at least 2 members OPERATIONAL",
                       actual, "redundant set %s is one failure from an outage: %s"
                       % (found["name"], members), redundancy_set=found["name"])
        else:
            result.add("VPN-REDUNDANCY-DOWN", host, None, "at least 2 members OPERATIONAL",
                       actual, "redundant set %s has no member up: %s"
                       % (found["name"], members), redundancy_set=found["name"])
