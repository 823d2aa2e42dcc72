# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Health verdicts: one tunnel of the model -> OPERATIONAL, DEGRADED, DOWN or UNKNOWN, with
short reasons that carry the numbers.

IPsec
  OPERATIONAL  IKE SA up (ESTABLISHED; REKEYING and REKEYED are transient and count as up)
               and at least one child SA installed; also PASSIVE (a responder or dial-up
               template, or a standby copy, that waits for peers).
  DEGRADED     up, but: configured child SAs not installed; one direction idle (inbound silent
               while outbound flows, or the reverse); rekey overdue; a child SA close to its
               hard lifetime; child SAs installed while the IKE SA is half-open, being deleted
               or gone (Cisco UP-NO-IKE).
  DOWN         phase 1 not established (where it stopped: the negotiation step or the native
               state); or phase 1 up and phase 2 failed (no child SA installed).
  UNKNOWN      the state was not reported (UNDEFINED).
OpenVPN        server UP with every listed client CONNECTED: OPERATIONAL, with clients not
               connected: DEGRADED; client CONNECTED: OPERATIONAL, else DOWN; DOWN: DOWN.
WireGuard      UP (recent handshake): OPERATIONAL; DOWN: DOWN.

OPERATIONAL verdicts carry one reason saying why (e.g. "IKE SA ESTABLISHED, 2 of 2 child SAs
installed"); the other verdicts carry the problems.
"""

from __future__ import annotations

OPERATIONAL = "OPERATIONAL"
DEGRADED = "DEGRADED"
DOWN = "DOWN"
UNKNOWN = "UNKNOWN"
VERDICTS = (OPERATIONAL, DEGRADED, DOWN, UNKNOWN)
# how bad a verdict is, for sorting and "worst of"
VERDICT_RANK = {OPERATIONAL: 0, UNKNOWN: 1, DEGRADED: 2, DOWN: 3}

DEFAULT_THRESHOLDS = {
    # one direction silent this long while the other carried traffic more recently
    "idle_seconds": 300,
    # an installed child SA with less hard lifetime left than this is about to expire
    "lifetime_min_seconds": 60,
    # an SA older than its configured rekey interval by more than this is overdue
    "rekey_grace_seconds": 300,
}

IKE_UP = frozenset(("ESTABLISHED", "REKEYING", "REKEYED"))
IKE_NEGOTIATING = frozenset(("CREATED", "CONNECTING", "HALF_OPEN", "INIT"))
IKE_CLOSING = frozenset(("DELETING", "DESTROYING"))
CHILD_UP = frozenset(("INSTALLED", "REKEYING", "REKEYED", "UPDATING"))
# an entry in one of these states is superseded when another SA of the same tunnel is up
_TRANSIENT = frozenset(("REKEYED", "DELETING", "DESTROYING"))


def thresholds(options=None):
    """DEFAULT_THRESHOLDS with the given values (None keeps the default)."""
    merged = dict(DEFAULT_THRESHOLDS)
    for key, value in (options or {}).items():
        if key not in DEFAULT_THRESHOLDS:
            raise ValueError("unknown health threshold %r (known: %s)"
                             % (key, ", ".join(sorted(DEFAULT_THRESHOLDS))))
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("health threshold %s must be a whole number of seconds >= 0, got %r"
                             % (key, value))
        merged[key] = value
    return merged


def _plural(count, word):
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


def _are(count):
    return "1 child SA is" if count == 1 else "%d child SAs are" % count


def tunnel_verdict(tunnel, limits=None, host=None):
    """The verdict dict of one tunnel: host, name, type, state, verdict, reasons."""
    limits = limits or DEFAULT_THRESHOLDS
    kind = tunnel.get("type")
    if kind == "ipsec":
        verdict, reasons = _ipsec(tunnel, limits)
    elif kind == "openvpn":
        verdict, reasons = _openvpn(tunnel)
    elif kind == "wireguard":
        verdict, reasons = _wireguard(tunnel)
    else:
        verdict, reasons = UNKNOWN, ["unknown tunnel type %r" % (kind,)]
    return {"host": host, "name": tunnel.get("name"), "type": kind,
            "state": tunnel.get("state"), "verdict": verdict, "reasons": reasons}


def device_verdicts(facts, limits=None, host=None):
    """Verdicts of every tunnel of one device, in order. An old SA that is being replaced
    or deleted (REKEYED, DELETING) is not DOWN while another SA of the same tunnel is up."""
    host = host if host is not None else facts.get("hostname")
    limits = limits or DEFAULT_THRESHOLDS
    verdicts = [tunnel_verdict(tunnel, limits, host) for tunnel in facts.get("tunnels") or ()]
    superseded = [v for v in verdicts if v["verdict"] == DOWN and v["state"] in _TRANSIENT]
    if superseded:
        live = {v["name"] for v in verdicts if v["verdict"] in (OPERATIONAL, DEGRADED)}
        for verdict in superseded:
            if verdict["name"] in live:
                verdict["verdict"] = OPERATIONAL
                verdict["reasons"] = ["old IKE SA (%s) superseded by another SA of this tunnel"
                                      " that is up" % verdict["state"]]
    return verdicts


# --- IPsec ---------------------------------------------------------------------------------

_EMPTY = {}  # a missing sub-dict, read only


def _ipsec(tunnel, limits):
    state = tunnel.get("state")
    ike = tunnel.get("ike") or _EMPTY
    children = tunnel.get("children") or ()
    up = [child for child in children if child.get("state") in CHILD_UP]
    if state == "UNDEFINED" or state is None:
        reason = "IKE SA state not reported%s" % _native(tunnel, ike)
        if children:
            reason += "; %d of %s installed" % (len(up), _plural(len(children), "child SA"))
        return UNKNOWN, [reason]
    if state in IKE_UP:
        if up:
            return _established(tunnel, ike, children, up, limits)
        if state == "REKEYED":
            return OPERATIONAL, ["old IKE SA replaced by a new one (REKEYED); its child SAs"
                                 " moved to the new SA"]
        return DOWN, [_phase2_failed(ike, children)]
    if state == "PASSIVE" and not up:
        return OPERATIONAL, ["passive: waits for peers to connect (responder, dial-up or"
                             " standby)%s" % _native(tunnel, ike)]
    if up:
        # data plane without a working IKE SA
        if state == "UP":
            first = ("%s installed without an IKE SA%s: traffic flows, rekeying and DPD need a"
                     " new phase 1" % (_plural(len(up), "child SA"), _native(tunnel, ike)))
        elif state in IKE_NEGOTIATING:
            first = "IKE SA half-open (%s%s) while %s still installed" % (
                state, _where(ike), _are(len(up)))
        elif state in IKE_CLOSING:
            first = "IKE SA %s while %s still installed" % (state, _are(len(up)))
        else:
            first = "%s installed while the IKE SA is %s%s" % (
                _plural(len(up), "child SA"), state, _native(tunnel, ike))
        verdict, reasons = _established(tunnel, ike, children, up, limits)
        return DEGRADED, [first] + (reasons if verdict == DEGRADED else [])
    # nothing installed: down, say where it stopped
    reasons = [_phase1_failed(tunnel, ike, state)]
    if tunnel.get("enabled") is False:
        reasons.insert(0, "administratively disabled")
    routed = [child["name"] for child in children if child.get("state") == "ROUTED"]
    if routed:
        reasons.append("trap policy installed for %s: negotiates on the first packet"
                       % ", ".join(routed))
    return DOWN, reasons


def _native(tunnel, ike):
    native = ike.get("native_state") or tunnel.get("native_state")
    return " (native state %s)" % native if native else ""


def _where(ike):
    negotiation = ike.get("negotiation") or _EMPTY
    step = negotiation.get("step")
    if not step:
        return ""
    phase = negotiation.get("phase")
    return ", phase %s at %s" % (phase, step) if phase else ", %s" % step


def _phase1_failed(tunnel, ike, state):
    negotiation = ike.get("negotiation") or _EMPTY
    step, phase = negotiation.get("step"), negotiation.get("phase")
    if step and phase == 1 and " " not in step:
        return "phase 1 not established: stopped at %s%s" % (step, _state_note(state))
    if step and phase == 2:
        return "no IKE SA; %s%s" % (step, _state_note(state))
    if step:
        return "phase 1 not established: %s%s" % (step, _state_note(state))
    if state in IKE_NEGOTIATING:
        return "phase 1 not established: IKE SA %s%s" % (state, _native(tunnel, ike))
    if state in IKE_CLOSING:
        return "IKE SA %s and no child SA installed%s" % (state, _native(tunnel, ike))
    if state == "UP":
        return "no IKE SA and no child SA installed%s" % _native(tunnel, ike)
    return "phase 1 not established: no IKE SA%s" % _native(tunnel, ike)


def _state_note(state):
    return " (IKE SA %s)" % state if state not in (None, "DOWN") else ""


def _phase2_failed(ike, children):
    """Phase 2 failed when the device said so (negotiation phase 2), else not established."""
    negotiation = ike.get("negotiation") or _EMPTY
    if negotiation.get("phase") == 2 and negotiation.get("step"):
        head = "phase 1 up, phase 2 failed: %s" % negotiation["step"]
    else:
        head = "phase 1 up, phase 2 not established"
    if not children:
        return "%s; no child SA" % head
    states = ", ".join("%s %s" % (child.get("name"), child.get("state")) for child in children)
    return "%s; 0 of %s installed (%s)" % (head, _plural(len(children), "child SA"), states)


def _established(tunnel, ike, children, up, limits):
    reasons = []
    missing = [child for child in children if child.get("state") not in CHILD_UP
               and (child.get("configured") or child.get("state") == "DOWN")] \
        if len(up) < len(children) else ()
    if missing:
        reasons.append("%d of %s not installed: %s" % (
            len(missing), _plural(len(missing) + len(up), "configured child SA"),
            ", ".join("%s %s" % (child.get("name"), child.get("state")) for child in missing)))
    if tunnel.get("state") == "ESTABLISHED":
        _ike_rekey(ike, limits, reasons)
    for child in up:
        _child_checks(child, limits, reasons)
    if reasons:
        return DEGRADED, reasons
    key = (tunnel.get("state"), len(up), len(missing))
    reason = _UP_REASONS.get(key)
    if reason is None:  # a fleet has a handful of these sentences: make each once
        reason = _UP_REASONS[key] = "IKE SA %s, %d of %s installed" % (
            key[0], key[1], _plural(key[1] + key[2], "child SA"))
    return OPERATIONAL, [reason]


_UP_REASONS = {}


def _ike_rekey(ike, limits, reasons):
    """A countdown at 0 is overdue. Without a countdown, the SA's age against the configured
    interval decides (some devices report a session's age, which spans rekeys, so a countdown
    always wins)."""
    for countdown, interval, word in (("rekey_seconds", "rekey_interval_seconds", "rekey"),
                                      ("reauth_seconds", "reauth_interval_seconds", "reauth")):
        left = ike.get(countdown)
        if left == 0:
            reasons.append("IKE %s overdue: countdown at 0 s and not %sing" % (word, word))
            return
        if left is not None:
            continue
        period, age = ike.get(interval), ike.get("established_seconds")
        if period and age is not None and age > period + limits["rekey_grace_seconds"]:
            reasons.append("IKE %s overdue: SA established %d s ago, %s interval %d s"
                           % (word, age, word, period))
            return


def _child_checks(child, limits, reasons):
    name = child.get("name")
    idle = limits["idle_seconds"]
    last_in, last_out = child.get("last_in_seconds"), child.get("last_out_seconds")
    bytes_in, bytes_out = child.get("bytes_in"), child.get("bytes_out")
    if last_in is not None and last_out is not None:
        if last_in >= idle and last_out < idle:
            reasons.append("child %s: inbound silent for %d s while outbound flows (last %d s"
                           " ago)" % (name, last_in, last_out))
        elif last_out >= idle and last_in < idle:
            reasons.append("child %s: outbound silent for %d s while inbound flows (last %d s"
                           " ago)" % (name, last_out, last_in))
    elif bytes_in is not None and bytes_out is not None:
        installed = child.get("installed_seconds")
        if installed is None or installed >= idle:
            if bytes_in == 0 and bytes_out > 0:
                reasons.append("child %s: no inbound bytes while %d bytes went out"
                               % (name, bytes_out))
            elif bytes_out == 0 and bytes_in > 0:
                reasons.append("child %s: no outbound bytes while %d bytes came in"
                               % (name, bytes_in))
    if child.get("state") != "INSTALLED":
        return  # rekeying or replaced: countdowns belong to the new SA
    rekey = child.get("rekey_seconds")
    interval, installed = child.get("rekey_interval_seconds"), child.get("installed_seconds")
    if rekey == 0:
        reasons.append("child %s: rekey overdue (countdown at 0 s)" % name)
    elif rekey is None and interval and installed is not None \
            and installed > interval + limits["rekey_grace_seconds"]:
        reasons.append("child %s: rekey overdue: installed %d s ago, rekey interval %d s"
                       % (name, installed, interval))
    lifetime = child.get("lifetime_seconds")
    if lifetime is not None and lifetime < limits["lifetime_min_seconds"]:
        reasons.append("child %s: expires in %d s (under %d s) and is not rekeyed"
                       % (name, lifetime, limits["lifetime_min_seconds"]))


# --- OpenVPN and WireGuard -----------------------------------------------------------------

def _openvpn(tunnel):
    state = tunnel.get("state")
    detail = tunnel.get("openvpn") or {}
    role = detail.get("role")
    if state == "UNDEFINED" or state is None:
        return UNKNOWN, ["state not reported%s" % (
            ": %s" % tunnel["status_message"] if tunnel.get("status_message") else "")]
    if role == "client":
        client_state = detail.get("client_state") or {}
        native = client_state.get("native_state") or tunnel.get("native_state")
        if state == "UP" and client_state.get("state", "CONNECTED") == "CONNECTED":
            return OPERATIONAL, ["client connected%s" % (
                " to %s" % client_state["remote_address"]
                if client_state.get("remote_address") else "")]
        extra = client_state.get("detail")
        return DOWN, ["client not connected: state %s%s" % (
            native or state, " (%s)" % extra if extra else "")]
    if state != "UP":
        return DOWN, ["server %s%s" % (state, _native(tunnel, {}))]
    clients = detail.get("clients") or []
    connected = [c for c in clients if c.get("state") == "CONNECTED"]
    others = [c for c in clients if c.get("state") != "CONNECTED"]
    if others:
        return DEGRADED, ["%d of %d clients not connected: %s" % (
            len(others), len(clients),
            ", ".join("%s %s" % (c.get("common_name"), c.get("state")) for c in others))]
    return OPERATIONAL, ["server up, %s connected" % _plural(len(connected), "client")]


def _wireguard(tunnel):
    state = tunnel.get("state")
    children = tunnel.get("children") or [{}]
    handshake = children[0].get("last_in_seconds")
    if state == "UP":
        return OPERATIONAL, ["peer up%s" % (
            ", latest handshake %d s ago" % handshake if handshake is not None else "")]
    if state == "DOWN":
        if handshake is None:
            return DOWN, ["peer down: no handshake ever completed"]
        return DOWN, ["peer down: latest handshake %d s ago" % handshake]
    return UNKNOWN, ["state not reported"]
