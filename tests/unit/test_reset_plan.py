"""Reset decisions: target selection, maintenance window, idempotence and redundancy guard."""

import datetime

import pytest

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnConfigError
from ansible_collections.vpnops.tunnels.plugins.module_utils.reset_plan import (
    plan_resets, select_tunnels, window_state)
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health, redundancy

UTC = datetime.timezone.utc


def tunnel(name, state="ESTABLISHED", peer="192.0.2.1", sa_id=None, network="10.9.0.0/24",
           idle=1):
    """An IKEv2 tunnel from the model constructors: healthy, DEGRADED (idle) or DOWN."""
    found = model.new_tunnel(name, "ipsec", state, state)
    found["configured"] = True
    found["ike"].update(version=2, native_state=state, sa_id=sa_id,
                        algorithms=model.new_algorithms("AES_GCM_16", 256, None,
                                                        "PRF_HMAC_SHA2_256", "CURVE_25519"),
                        established_seconds=600, rekey_interval_seconds=14400,
                        rekey_seconds=13000,
                        dpd={"delay": 30, "timeout": 150, "action": "restart"})
    found["ike"]["remote"]["address"] = peer
    child = model.new_child(name + "-0", "INSTALLED" if state != "DOWN" else "DOWN",
                            "INSTALLED")
    child.update(configured=True, bytes_in=1000, bytes_out=2000, last_in_seconds=idle,
                 last_out_seconds=1, rekey_seconds=2000, lifetime_seconds=3000,
                 installed_seconds=600, rekey_interval_seconds=3600,
                 algorithms=model.new_algorithms("AES_GCM_16", 256),
                 local_ts=["10.0.0.0/24"], remote_ts=[network])
    found["children"].append(child)
    return found


def device(*tunnels, host="gw1"):
    facts = model.new_device("strongswan", hostname=host, collected_at="2024-01-01T00:00:00Z")
    facts["tunnels"].extend(tunnels)
    return facts


def fleet_plan(fleet, host="gw1", target=None, **options):
    """plan_resets for host with verdicts and redundant sets from the real health and
    redundancy code (sets found by remote network across the fleet)."""
    entries, verdicts = [], {}
    for name, facts in fleet.items():
        found = health.device_verdicts(facts, host=name)
        entries.extend(redundancy.entries_of(name, facts["tunnels"], found))
        if name == host:
            verdicts = {v["name"]: v for v in found}
    sets = redundancy.build_sets(entries)
    return plan_resets(host, fleet[host], target or {"all": True}, verdicts, sets, **options)


def test_verdict_helpers_give_what_the_tests_expect():
    verdicts = health.device_verdicts(device(tunnel("a"), tunnel("b", idle=3000),
                                             tunnel("c", "DOWN")))
    assert [v["verdict"] for v in verdicts] == ["OPERATIONAL", "DEGRADED", "DOWN"]


# --- selection -----------------------------------------------------------------------------

FACTS = device(tunnel("to-a", peer="192.0.2.1", sa_id=7),
               tunnel("to-b", peer="2001:db8::1", sa_id="12"),
               tunnel("to-c", peer="192.0.2.1", sa_id=9))


@pytest.mark.parametrize("target, names", [
    ({"name": "to-b"}, ["to-b"]),
    ({"peer": "192.0.2.1"}, ["to-a", "to-c"]),
    ({"peer": "2001:0db8:0::1"}, ["to-b"]),  # normalized before comparing
    ({"sa_id": 12}, ["to-b"]),
    ({"sa_id": "9"}, ["to-c"]),
    ({"all": True}, ["to-a", "to-b", "to-c"]),
    ({"name": "to-a", "scope": "child", "child": "to-a-0"}, ["to-a"]),
])
def test_selection(target, names):
    assert [t["name"] for t in select_tunnels(FACTS, target)] == names


@pytest.mark.parametrize("target, what", [
    ({"name": "nope"}, "name 'nope'"),
    ({"peer": "198.51.100.9"}, "remote peer address '198.51.100.9'"),
    ({"sa_id": 99}, "IKE SA id '99'"),
])
def test_unknown_target_lists_the_device_tunnels(target, what):
    with pytest.raises(VpnConfigError) as caught:
        select_tunnels(FACTS, target)
    message = str(caught.value)
    assert what in message and "to-a, to-b, to-c" in message


def test_unknown_child_lists_children_and_empty_device_all_selects_nothing():
    with pytest.raises(VpnConfigError, match="to-a-0"):
        select_tunnels(FACTS, {"name": "to-a", "scope": "child", "child": "x"})
    assert select_tunnels(device(), {"all": True}) == []
    with pytest.raises(VpnConfigError, match=r"\(none\)"):
        select_tunnels(device(), {"name": "a"})


def test_invalid_target_is_refused_before_selection():
    with pytest.raises(VpnConfigError, match="name"):
        select_tunnels(FACTS, {"name": "a; reboot"})


# --- maintenance window --------------------------------------------------------------------

BERLIN = {"start": "22:00", "end": "02:00", "timezone": "Europe/Berlin"}  # crosses midnight


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("now, state", [
    ("2024-01-15T21:30:00", {"open": True, "opens_at": None}),   # 22:30 in Berlin (CET)
    ("2024-01-15T00:30:00", {"open": True, "opens_at": None}),   # 01:30, after midnight
    ("2024-01-15T01:00:00", {"open": False, "opens_at": "2024-01-15T21:00:00Z"}),  # end
    ("2024-01-15T12:00:00", {"open": False, "opens_at": "2024-01-15T21:00:00Z"}),
    ("2024-07-15T12:00:00", {"open": False, "opens_at": "2024-07-15T20:00:00Z"}),  # CEST
])
def test_window_crossing_midnight(now, state):
    assert window_state(BERLIN, at(now)) == state


def test_window_same_day_and_next_opening():
    window = {"start": "09:00", "end": "17:00", "timezone": "UTC"}
    assert window_state(window, at("2024-01-15T09:00:00"))["open"] is True
    assert window_state(window, at("2024-01-15T08:59:00")) == {
        "open": False, "opens_at": "2024-01-15T09:00:00Z"}
    assert window_state(window, at("2024-01-15T17:00:00")) == {
        "open": False, "opens_at": "2024-01-16T09:00:00Z"}
    naive = datetime.datetime(2024, 1, 15, 10, 0)  # naive means UTC
    assert window_state(window, naive)["open"] is True


@pytest.mark.parametrize("window, field", [
    ({"start": "22:00", "end": "02:00", "timezone": "Mars/Olympus"}, "timezone"),
    ({"start": "22:00", "end": "02:00", "timezone": "../etc/passwd"}, "timezone"),
    ({"start": "22:00", "end": "02:00", "timezone": 5}, "timezone"),
    ({"start": "24:00", "end": "02:00", "timezone": "UTC"}, "start"),
    ({"start": "22:00", "end": "2:00", "timezone": "UTC"}, "end"),
    ({"start": "22:00", "end": "22:00", "timezone": "UTC"}, "end"),
    ({"start": "22:00", "timezone": "UTC"}, "end"),
    ({"start": "22:00", "end": "02:00", "timezone": "UTC", "days": 1}, "days"),
    ("22:00-02:00", "maintenance_window"),
])
def test_bad_window_names_the_field(window, field):
    with pytest.raises(VpnConfigError, match=field):
        window_state(window, at("2024-01-15T12:00:00"))


# --- the plan ------------------------------------------------------------------------------

def test_healthy_untouched_and_unhealthy_reset_without_sets():
    facts = device(tunnel("ok", network="10.1.0.0/24"), tunnel("idle", idle=3000,
                                                               network="10.2.0.0/24"),
                   tunnel("dead", "DOWN", network="10.3.0.0/24"))
    plan = fleet_plan({"gw1": facts})
    assert plan == {"reset": ["idle", "dead"], "healthy_untouched": ["ok"], "refused": [],
                    "outside_window": None, "changed": True, "warnings": []}


def test_all_healthy_is_not_changed():
    plan = fleet_plan({"gw1": device(tunnel("ok"))}, target={"name": "ok"})
    assert plan["changed"] is False and plan["reset"] == []
    assert plan["healthy_untouched"] == ["ok"]


def test_force_resets_a_healthy_tunnel_with_a_warning():
    plan = fleet_plan({"gw1": device(tunnel("ok"))}, force=True)
    assert plan["reset"] == ["ok"] and plan["changed"] is True
    assert plan["healthy_untouched"] == []
    assert any("ok is OPERATIONAL" in w and "force" in w for w in plan["warnings"])


def test_reset_allowed_when_partner_is_operational():
    fleet = {"gw1": device(tunnel("to-dc-a", "DOWN")), "gw2": device(tunnel("to-dc-b"),
                                                                     host="gw2")}
    assert fleet_plan(fleet)["reset"] == ["to-dc-a"]


def test_guard_refuses_last_working_path_naming_partner():
    fleet = {"gw1": device(tunnel("to-dc-a", idle=3000)),
             "gw2": device(tunnel("to-dc-b", "DOWN"), host="gw2")}
    plan = fleet_plan(fleet)
    assert plan["reset"] == [] and plan["changed"] is False
    [refusal] = plan["refused"]
    assert (refusal["tunnel"], refusal["partner_host"], refusal["partner_tunnel"],
            refusal["partner_verdict"]) == ("to-dc-a", "gw2", "to-dc-b", "DOWN")
    reason = refusal["reason"]
    assert "to-dc-b on gw2 is DOWN" in reason and "10.9.0.0/24" in reason
    assert "last working path" in reason and reason.endswith(".")


def test_force_overrides_the_guard_and_says_so():
    fleet = {"gw1": device(tunnel("to-dc-a", idle=3000)),
             "gw2": device(tunnel("to-dc-b", "DOWN"), host="gw2")}
    plan = fleet_plan(fleet, force=True)
    assert plan["reset"] == ["to-dc-a"] and plan["refused"] == []
    assert any(w.startswith("force: true overrides") and "to-dc-b on gw2" in w
               for w in plan["warnings"])


def test_two_members_of_one_set_only_one_reset():
    fleet = {"gw1": device(tunnel("a", idle=3000), tunnel("b", "DOWN")),
             "gw2": device(tunnel("c"), host="gw2")}
    plan = fleet_plan(fleet)
    assert plan["reset"] == ["a"]
    [refusal] = plan["refused"]
    assert (refusal["tunnel"], refusal["partner_host"], refusal["partner_tunnel"]) == (
        "b", "gw1", "a")
    assert "already being reset" in refusal["reason"] and "a on gw1" in refusal["reason"]
    forced = fleet_plan(fleet, force=True)
    assert forced["reset"] == ["a", "b"] and forced["refused"] == []
    assert any("already being reset" in w for w in forced["warnings"])


def test_declared_set_member_missing_counts_as_down():
    facts = device(tunnel("a", "DOWN"))
    verdicts = health.device_verdicts(facts, host="gw1")
    sets = redundancy.build_sets(redundancy.entries_of("gw1", facts["tunnels"], verdicts),
                                 {"pair": [("gw1", "a"), ("gw9", "z")]})
    plan = plan_resets("gw1", facts, {"name": "a"}, verdicts, sets)
    [refusal] = plan["refused"]
    assert refusal["partner_verdict"] == "UNKNOWN" and "set pair" in refusal["reason"]
    assert "no VPN facts for this host" in refusal["reason"]


def test_missing_verdict_is_unknown_with_a_warning():
    plan = plan_resets("gw1", device(tunnel("a")), {"name": "a"}, {}, [])
    assert plan["reset"] == ["a"]
    assert plan["warnings"] == ["Tunnel a has no health verdict; it is treated as UNKNOWN."]


def test_outside_window_resets_nothing_and_says_when():
    fleet = {"gw1": device(tunnel("dead", "DOWN"), tunnel("ok", network="10.8.0.0/24"))}
    plan = fleet_plan(fleet, window=BERLIN, now=at("2024-01-15T12:00:00"))
    assert plan["reset"] == [] and plan["changed"] is False
    assert plan["outside_window"] == {"opens_at": "2024-01-15T21:00:00Z", "tunnels": ["dead"]}
    assert plan["healthy_untouched"] == ["ok"]
    inside = fleet_plan(fleet, window=BERLIN, now=at("2024-01-15T22:00:00"))
    assert inside["reset"] == ["dead"] and inside["outside_window"] is None


def test_bad_window_fails_the_plan():
    with pytest.raises(VpnConfigError, match="timezone"):
        fleet_plan({"gw1": device(tunnel("a"))}, window=dict(BERLIN, timezone="Nowhere/X"))


def test_order_is_deterministic_facts_order_and_duplicates_once():
    facts = device(tunnel("z", "DOWN", network="10.1.0.0/24"),
                   tunnel("a", "DOWN", network="10.2.0.0/24"),
                   tunnel("z", "DOWN", network="10.1.0.0/24"))
    verdict_list = health.device_verdicts(facts, host="gw1")
    plan = plan_resets("gw1", facts, {"all": True}, verdict_list, [])
    assert plan["reset"] == ["z", "a"]
