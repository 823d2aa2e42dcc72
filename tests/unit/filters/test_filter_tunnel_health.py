"""tunnel_health: every verdict and every reason, on the emulator vendors' example tunnels
(changed where a case needs it), on hand-built model tunnels and on real parsed outputs."""

import copy

import pytest
import yaml
from ansible.errors import AnsibleFilterError

import filter_examples as ex
from ansible_collections.vpnops.tunnels.plugins.filter import tunnel_health as filter_module
from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health

tunnel_health = filter_module.FilterModule().filters()["tunnel_health"]


def verdict_of(tunnel, **options):
    return tunnel_health(tunnel, **options)


# --- every vendor's examples: healthy, degraded, down ----------------------------------------

EXPECTED_EXAMPLES = {
    # (platform, index, tunnel name): (verdict, text in the first reason)
    ("cisco_asa", 0, "hub-0"): ("OPERATIONAL", "IKE SA ESTABLISHED, 2 of 2 child SAs installed"),
    ("cisco_asa", 0, "203.0.113.3"): ("DOWN", "phase 1 up, phase 2 failed: MM_ACTIVE without IPsec SA"),
    ("cisco_asa", 0, "203.0.113.4"): ("DOWN", "phase 1 not established: stopped at MM_WAIT_MSG2"),
    ("cisco_ios", 0, "198.18.0.1"): ("DEGRADED", "1 of 2 configured child SAs not installed"),
    ("cisco_ios", 0, "203.0.113.12"): ("DOWN", "phase 1 not established: stopped at MM_KEY_EXCH"),
    ("cisco_ios", 1, "203.0.113.32"): ("DOWN", "no IKE SA (native state DOWN)"),
    ("cisco_ios", 1, "203.0.113.33"): ("DEGRADED", "installed without an IKE SA (native state UP-NO-IKE)"),
    ("fortinet", 0, "to-dc"): ("DEGRADED", "not installed: voice DOWN"),
    ("fortinet", 1, "to-branch-c"): ("DOWN", "phase 1 not established: state 3 (IKE SA CONNECTING)"),
    ("fortinet", 1, "dialup"): ("OPERATIONAL", "passive: waits for peers"),
    ("juniper_srx", 0, "vpn-partner-0"): ("DOWN", "phase 2 failed: Negotiation failed with error code TS_UNACCEPTABLE"),
    ("juniper_srx", 0, "vpn-dr-0"): ("DOWN", "phase 1 not established: No response from peer"),
    ("juniper_srx", 1, "vpn-lab-1"): ("DOWN", "Peer's IKE-ID validation failed"),
    ("libreswan", 0, "dc0-hq"): ("OPERATIONAL", "1 of 1 child SA installed"),
    ("libreswan", 0, "dc0-backup"): ("DOWN", "phase 2 failed: IPsec SA not established; 0 of 1 child SA"),
    ("libreswan", 0, "dc0-dr"): ("DOWN", "stopped at STATE_V2_PARENT_I1"),
    ("mikrotik_routeros", 0, "dc"): ("DOWN", "phase 2 failed: no installed SA for this peer; no child SA"),
    ("mikrotik_routeros", 1, "old-site"): ("DOWN", "administratively disabled"),
    ("mikrotik_routeros", 1, "roadwarriors"): ("OPERATIONAL", "passive"),
    ("paloalto_panos", 0, "partner-0"): ("DOWN", "phase 1 up, phase 2 not established; 0 of 1 child SA"),
    ("paloalto_panos", 0, "dc-0"): ("DEGRADED", "dc-0:db DOWN"),
    ("strongswan_legacy", 0, "backup"): ("DOWN", "phase 1 not established: active: IKE_VENDOR"),
    ("strongswan_legacy", 0, "partner"): ("DEGRADED", "partner-lab DOWN"),
    ("vyos", 0, "dr-0"): ("DOWN", "no IKE SA (native state down)"),
    ("vyos", 1, "vtun10"): ("OPERATIONAL", "server up, 2 clients connected"),
}


@pytest.mark.parametrize("platform, index, name", sorted(EXPECTED_EXAMPLES))
def test_vendor_example_verdicts(platform, index, name):
    verdict, reason = EXPECTED_EXAMPLES[(platform, index, name)]
    found = [v for v in tunnel_health(ex.device(platform, index)) if v["name"] == name]
    assert len(found) == 1
    assert found[0]["verdict"] == verdict, found[0]
    assert reason in found[0]["reasons"][0], found[0]["reasons"]
    assert found[0]["host"] == "%s-%d" % (platform, index)


@pytest.mark.parametrize("platform", ex.VENDORS)
def test_every_example_device_gets_one_verdict_per_tunnel(platform):
    for index in (0, 1):
        facts = ex.device(platform, index)
        verdicts = tunnel_health(facts)
        assert [v["name"] for v in verdicts] == [t["name"] for t in facts["tunnels"]]
        for verdict in verdicts:
            assert set(verdict) == {"host", "name", "type", "state", "verdict", "reasons"}
            assert verdict["verdict"] in health.VERDICTS
            assert verdict["reasons"] and all(isinstance(r, str) and r for r in verdict["reasons"])


def test_wireguard_peers_up_and_down_with_handshake_ages():
    verdicts = {v["name"].split(":")[0] + ":" + v["reasons"][0]: v["verdict"]
                for v in tunnel_health(ex.device("wireguard"))}
    assert verdicts["wg0:peer up, latest handshake 35 s ago"] == "OPERATIONAL"
    assert verdicts["wg0:peer down: latest handshake 900 s ago"] == "DOWN"
    assert verdicts["wg0:peer down: no handshake ever completed"] == "DOWN"


# --- OPERATIONAL ----------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["ESTABLISHED", "REKEYING", "REKEYED"])
def test_ike_up_and_rekey_transients_with_an_installed_child_are_operational(state):
    tunnel = ex.established()
    tunnel["state"] = state
    assert verdict_of(tunnel)["verdict"] == "OPERATIONAL"


@pytest.mark.parametrize("child_state", ["REKEYING", "REKEYED", "UPDATING"])
def test_child_rekey_transients_count_as_installed(child_state):
    tunnel = ex.established()
    tunnel["children"][0]["state"] = child_state
    assert verdict_of(tunnel)["verdict"] == "OPERATIONAL"


def test_single_tunnel_gives_one_dict_with_the_host_given():
    result = verdict_of(ex.established(), host="gw7")
    assert result == {"host": "gw7", "name": "gw", "type": "ipsec", "state": "ESTABLISHED",
                      "verdict": "OPERATIONAL",
                      "reasons": ["IKE SA ESTABLISHED, 1 of 1 child SA installed"]}


def test_list_of_tunnels_and_hostvars_entry_are_accepted():
    tunnels = [ex.established("a"), ex.established("b", children=0)]
    assert [v["verdict"] for v in tunnel_health(tunnels)] == ["OPERATIONAL", "DOWN"]
    facts = ex.device("vyos", 0)
    from_hostvars = tunnel_health({"ansible_facts": {"vpn": facts}, "group_names": []})
    assert from_hostvars == tunnel_health(facts)


def test_old_sa_superseded_by_a_live_sa_of_the_same_tunnel_is_not_down():
    live = ex.established("net")
    old = ex.established("net", children=0)
    old["state"] = "DELETING"
    facts = ex.device("strongswan_legacy", tunnels=[old, live])
    verdicts = tunnel_health(facts)
    assert [v["verdict"] for v in verdicts] == ["OPERATIONAL", "OPERATIONAL"]
    assert "superseded" in verdicts[0]["reasons"][0]
    alone = tunnel_health(ex.device("strongswan_legacy", tunnels=[copy.deepcopy(old)]))
    assert alone[0]["verdict"] == "DOWN"


def test_rekeyed_ike_sa_without_children_is_transient():
    tunnel = ex.established(children=0)
    tunnel["state"] = "REKEYED"
    result = verdict_of(tunnel)
    assert result["verdict"] == "OPERATIONAL" and "REKEYED" in result["reasons"][0]


# --- DEGRADED -------------------------------------------------------------------------------

def test_configured_child_missing_is_degraded():
    tunnel = ex.established(children=2)
    tunnel["children"][1]["state"] = "DOWN"
    result = verdict_of(tunnel)
    assert result["verdict"] == "DEGRADED"
    assert result["reasons"] == ["1 of 2 configured child SAs not installed: gw-1 DOWN"]


def test_unconfigured_leftover_child_in_transition_is_not_missing():
    tunnel = ex.established(children=2)
    tunnel["children"][1].update(state="INSTALLING", configured=False)
    assert verdict_of(tunnel)["verdict"] == "OPERATIONAL"


def test_inbound_silent_while_outbound_flows():
    tunnel = ex.established()
    tunnel["children"][0].update(last_in_seconds=400, last_out_seconds=2)
    result = verdict_of(tunnel)
    assert result["verdict"] == "DEGRADED"
    assert result["reasons"] == ["child gw-0: inbound silent for 400 s while outbound flows"
                                 " (last 2 s ago)"]
    assert verdict_of(tunnel, idle_seconds=500)["verdict"] == "OPERATIONAL"


def test_outbound_silent_while_inbound_flows():
    tunnel = ex.established()
    tunnel["children"][0].update(last_in_seconds=3, last_out_seconds=900)
    assert "outbound silent for 900 s" in verdict_of(tunnel)["reasons"][0]


def test_both_directions_idle_is_not_one_side_idle():
    tunnel = ex.established()
    tunnel["children"][0].update(last_in_seconds=900, last_out_seconds=900)
    assert verdict_of(tunnel)["verdict"] == "OPERATIONAL"


def test_no_inbound_bytes_while_bytes_go_out():
    tunnel = ex.tunnel("fortinet", "to-branch-a")
    tunnel["children"][0]["bytes_in"] = 0
    result = verdict_of(tunnel)
    assert result["verdict"] == "DEGRADED"
    assert "child lan: no inbound bytes while 332400 bytes went out" in result["reasons"]


def test_a_freshly_installed_sa_without_inbound_bytes_is_left_alone():
    tunnel = ex.established()
    tunnel["children"][0].update(last_in_seconds=None, last_out_seconds=None, bytes_in=0,
                                 bytes_out=500, installed_seconds=20)
    assert verdict_of(tunnel)["verdict"] == "OPERATIONAL"
    tunnel["children"][0]["installed_seconds"] = 600
    assert verdict_of(tunnel)["verdict"] == "DEGRADED"


def test_child_rekey_overdue_by_countdown_and_by_age():
    tunnel = ex.established()
    tunnel["children"][0]["rekey_seconds"] = 0
    assert verdict_of(tunnel)["reasons"] == ["child gw-0: rekey overdue (countdown at 0 s)"]
    tunnel["children"][0].update(rekey_seconds=None, installed_seconds=4000)
    assert verdict_of(tunnel)["reasons"] == [
        "child gw-0: rekey overdue: installed 4000 s ago, rekey interval 3600 s"]
    assert verdict_of(tunnel, rekey_grace_seconds=600)["verdict"] == "OPERATIONAL"


def test_ike_rekey_overdue_by_countdown_and_by_age():
    tunnel = ex.established()
    tunnel["ike"]["rekey_seconds"] = 0
    assert verdict_of(tunnel)["reasons"] == [
        "IKE rekey overdue: countdown at 0 s and not rekeying"]
    tunnel["ike"].update(rekey_seconds=None, established_seconds=20000)
    assert verdict_of(tunnel)["reasons"] == [
        "IKE rekey overdue: SA established 20000 s ago, rekey interval 14400 s"]


def test_a_countdown_wins_over_a_session_age_that_spans_rekeys():
    """Cisco ASA reports the session's duration; its rekey countdown tells the SA is fine."""
    tunnel = ex.tunnel("cisco_asa", "hub-0")
    tunnel["ike"]["established_seconds"] = 900000
    assert verdict_of(tunnel)["verdict"] == "OPERATIONAL"


def test_reauth_overdue():
    tunnel = ex.established()
    tunnel["ike"]["reauth_seconds"] = 0
    assert "IKE reauth overdue" in verdict_of(tunnel)["reasons"][0]


def test_lifetime_nearly_expired():
    tunnel = ex.tunnel("juniper_srx", "vpn-hq-0")
    tunnel["children"][0]["lifetime_seconds"] = 40
    result = verdict_of(tunnel)
    assert result["verdict"] == "DEGRADED"
    assert result["reasons"] == ["child vpn-hq-0: expires in 40 s (under 60 s) and is not rekeyed"]
    assert verdict_of(tunnel, lifetime_min_seconds=30)["verdict"] == "OPERATIONAL"


def test_an_sa_being_rekeyed_does_not_count_as_expiring():
    tunnel = ex.tunnel("juniper_srx", "vpn-hq-0")
    tunnel["children"][0].update(lifetime_seconds=40, state="REKEYING")
    assert verdict_of(tunnel)["verdict"] == "OPERATIONAL"


@pytest.mark.parametrize("state", ["CONNECTING", "HALF_OPEN"])
def test_half_open_ike_while_children_are_installed(state):
    tunnel = ex.established(children=2)
    tunnel["state"] = state
    tunnel["ike"]["negotiation"] = model.new_negotiation(1, "IKE_AUTH")
    result = verdict_of(tunnel)
    assert result["verdict"] == "DEGRADED"
    assert result["reasons"][0] == ("IKE SA half-open (%s, phase 1 at IKE_AUTH) while 2 child"
                                    " SAs are still installed" % state)


def test_ike_being_deleted_while_a_child_is_installed():
    tunnel = ex.established()
    tunnel["state"] = "DELETING"
    assert verdict_of(tunnel)["reasons"][0] == "IKE SA DELETING while 1 child SA is still installed"


def test_degraded_reasons_add_up():
    tunnel = ex.established(children=2)
    tunnel["children"][1]["state"] = "DOWN"
    tunnel["children"][0].update(last_in_seconds=1000, lifetime_seconds=10)
    reasons = verdict_of(tunnel)["reasons"]
    assert len(reasons) == 3


def test_openvpn_server_with_an_expected_client_down_is_degraded():
    tunnel = ex.tunnel("vyos", "vtun10", index=1)
    tunnel["openvpn"]["clients"].append(model.new_openvpn_client("branch9", state="DOWN"))
    result = verdict_of(tunnel)
    assert result["verdict"] == "DEGRADED"
    assert result["reasons"] == ["1 of 3 clients not connected: branch9 DOWN"]


# --- DOWN -----------------------------------------------------------------------------------

def test_phase1_down_without_negotiation_says_no_ike_sa():
    result = verdict_of(ex.tunnel("fortinet", "to-backup"))
    assert result == {"host": None, "name": "to-backup", "type": "ipsec", "state": "DOWN",
                      "verdict": "DOWN", "reasons": ["phase 1 not established: no IKE SA"]}


def test_established_without_child_sa():
    result = verdict_of(ex.established(children=0))
    assert result["verdict"] == "DOWN"
    assert result["reasons"] == ["phase 1 up, phase 2 not established; no child SA"]


def test_trap_policy_is_mentioned_on_a_down_tunnel():
    result = verdict_of(ex.tunnel("strongswan_legacy", "standby"))
    assert result["verdict"] == "DOWN"
    assert result["reasons"][-1] == "trap policy installed for standby: negotiates on the first packet"


def test_openvpn_server_down_and_client_not_connected():
    server = ex.tunnel("vyos", "vtun10", index=1)
    server["state"] = "DOWN"
    assert verdict_of(server)["verdict"] == "DOWN"
    client = model.new_tunnel("client", "openvpn", "DOWN", "RECONNECTING")
    client["openvpn"] = model.new_openvpn("client")
    client["openvpn"]["client_state"] = model.new_openvpn_client_state("RECONNECTING", "RECONNECTING")
    client["openvpn"]["client_state"]["detail"] = "ping-restart"
    result = verdict_of(client)
    assert result["verdict"] == "DOWN"
    assert result["reasons"] == ["client not connected: state RECONNECTING (ping-restart)"]


# --- UNKNOWN --------------------------------------------------------------------------------

def test_undefined_state_is_unknown_and_says_what_is_known():
    tunnel = ex.established(children=2)
    tunnel["state"] = "UNDEFINED"
    result = verdict_of(tunnel)
    assert result["verdict"] == "UNKNOWN"
    assert result["reasons"] == ["IKE SA state not reported (native state ESTABLISHED); 2 of 2"
                                 " child SAs installed"]
    wireguard = ex.tunnel("wireguard", ex.vendor("wireguard").example_tunnels(0)[0]["name"])
    wireguard["state"] = "UNDEFINED"
    assert verdict_of(wireguard)["verdict"] == "UNKNOWN"


# --- real outputs ---------------------------------------------------------------------------

def test_real_swanctl_sas(corpus):
    facts = ex.corpus_device(corpus, "strongswan", "strongswan_swanctl/swanctl_--list-sas/8.txt",
                             "swanctl --list-sas --raw", host="hub")
    verdicts = {v["name"]: v for v in tunnel_health(facts)}
    assert verdicts["dmvpn-NHRPVPN-tun100"]["verdict"] == "OPERATIONAL"
    assert verdicts["peer_10-0-5-2"]["verdict"] == "DOWN"
    assert verdicts["peer_10-0-5-2"]["host"] == "hub"


def test_real_openvpn_status_and_state(corpus):
    server = ex.corpus_device(corpus, "openvpn", "openvpn/mgmt_status_3/1.txt", "status 3")
    assert tunnel_health(server)[0]["reasons"] == ["server up, 3 clients connected"]
    client = ex.corpus_device(corpus, "openvpn", "openvpn/mgmt_state/1.txt", "state")
    assert tunnel_health(client)[0]["verdict"] == "OPERATIONAL"


def test_real_asa_sessions_one_way_traffic(corpus):
    facts = ex.corpus_device(corpus, "cisco_asa", "cisco_asa/show_vpn-sessiondb_detail_l2l/2.txt",
                             "show vpn-sessiondb detail l2l")
    verdicts = {v["name"]: v for v in tunnel_health(facts)}
    assert verdicts["169.254.104.1"]["verdict"] == "DEGRADED"
    assert "no inbound bytes while 102540 bytes went out" in verdicts["169.254.104.1"]["reasons"][0]


# --- arguments ------------------------------------------------------------------------------

@pytest.mark.parametrize("data, args, kwargs, message", [
    (42, (), {}, "expected a device's VPN facts, one tunnel or a list of tunnels; got int"),
    ("text", (), {}, "got str"),
    ({"tunnels": "x"}, (), {}, "have no list of tunnels"),
    ({"tunnels": [{"name": "a"}]}, (), {}, "a tunnel that is not a dict with name and type"),
    ([{"no": "tunnel"}], (), {}, "list item 0 is not a tunnel"),
    ({"ansible_facts": {}}, (), {}, "hold no VPN facts"),
    (None, (), {"idle_secs": 3}, "invalid arguments: unknown argument idle_secs. Supported"
                                 " parameters include: host, idle_seconds"),
    (None, (), {"idle_seconds": "soon"}, "idle_seconds.*int"),
    (None, (), {"idle_seconds": -1}, "must be a whole number of seconds >= 0"),
    (None, (300,), {}, "takes at most 0 positional arguments"),
])
def test_bad_input_and_arguments_are_filter_errors(data, args, kwargs, message):
    data = ex.established() if data is None else data
    with pytest.raises(AnsibleFilterError, match=message):
        tunnel_health(data, *args, **kwargs)


def test_a_tunnel_of_the_wrong_shape_is_a_filter_error():
    broken = ex.established()
    broken["children"][0]["last_in_seconds"] = "soon"
    with pytest.raises(AnsibleFilterError, match="does not look like vpnops.tunnels facts"):
        tunnel_health(broken)


def test_documented_defaults_are_the_thresholds_used():
    options = yaml.safe_load(filter_module.DOCUMENTATION)["options"]
    documented = {name: spec["default"] for name, spec in options.items() if "default" in spec}
    assert documented == health.DEFAULT_THRESHOLDS
