"""vpn_compliance: every rule found and not found, the policy's schema, defaults, severity
overrides, disabled rules and waivers, and the filter's argument errors."""

import copy

import jsonschema
import pytest
import yaml
from ansible.errors import AnsibleFilterError

import filter_examples as ex
from ansible_collections.vpnops.tunnels.plugins.filter import vpn_compliance as filter_module
from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import compliance, crypto, fleet_result
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.policy import (
    DEFAULT_POLICY,
    POLICY_SCHEMA,
    RULES,
    Policy,
    PolicyError,
    effective,
)

vpn_compliance = filter_module.FilterModule().filters()["vpn_compliance"]
FINDING_KEYS = {"rule", "severity", "host", "tunnel", "child", "redundancy_set", "expected",
                "actual", "message", "waived"}
QUIET = {"rules": {rule: {"enabled": False} for rule in RULES}}


def only(rule, **policy):
    """A policy with every rule off but this one (policy keys merged in)."""
    merged = copy.deepcopy(QUIET)
    merged["rules"].pop(rule)
    merged.update(policy)
    return merged


def findings(data, rule, **policy):
    return [f for f in vpn_compliance(data, only(rule, **policy)) if f["rule"] == rule]


def one_host(*tunnels, platform="strongswan", host="gw1"):
    return {host: ex.device(platform, host=host, tunnels=list(tunnels))}


def test_every_finding_has_every_key_and_a_known_rule_and_severity():
    found = vpn_compliance(ex.fleet(), errors={"ghost": "timed out"})
    assert found
    for finding in found:
        assert set(finding) == FINDING_KEYS
        assert finding["rule"] in RULES
        assert finding["severity"] in ("info", "low", "medium", "high", "critical")
        assert finding["message"] and isinstance(finding["expected"], str)
    assert {f["rule"] for f in found} >= {
        "VPN-COMM-ERROR", "VPN-HEALTH-DOWN", "VPN-HEALTH-DEGRADED", "VPN-IKE-VERSION",
        "VPN-CRYPTO-BANNED", "VPN-LIFETIME-CHILD", "VPN-DPD-MISSING", "VPN-DPD-NOT-REPORTED",
        "VPN-REDUNDANCY-AT-RISK", "VPN-REDUNDANCY-DOWN"}


def test_a_healthy_modern_tunnel_has_no_finding():
    assert vpn_compliance(one_host(ex.established())) == []


# --- communication errors and facts errors ---------------------------------------------------

def test_unreachable_hosts_and_hosts_without_facts_are_findings():
    hostvars = ex.hostvars({"gw1": ex.device("vyos", 0), "gw2": None})
    found = findings(hostvars, "VPN-COMM-ERROR")
    assert [(f["host"], f["severity"], f["actual"]) for f in found] == [
        ("gw2", "high", "communication status Error")]
    assert "gathering failed or the host was unreachable" in found[0]["message"]
    found = findings(hostvars, "VPN-COMM-ERROR") + vpn_compliance(
        hostvars, only("VPN-COMM-ERROR"), errors={"gw3": "ssh: connection refused"},
        hosts=["gw1", "gw2", "gw3"])
    assert [f["host"] for f in found] == ["gw2", "gw2", "gw3"]
    assert found[-1]["message"] == "communication status Error: ssh: connection refused"


def test_an_error_for_a_host_with_facts_is_reported_once_and_its_facts_still_checked():
    fleet = one_host(ex.established(children=0))
    found = vpn_compliance(fleet, errors={"gw1": "task failed"})
    assert [f["rule"] for f in found] == ["VPN-COMM-ERROR", "VPN-HEALTH-DOWN"]


def test_command_errors_in_the_facts():
    fleet = one_host(ex.established())
    fleet["gw1"]["errors"] = [{"command": "swanctl --list-conns", "message": "permission denied"}]
    [found] = findings(fleet, "VPN-FACTS-ERROR")
    assert found["message"] == "swanctl --list-conns failed: permission denied"
    assert findings(one_host(ex.established()), "VPN-FACTS-ERROR") == []


# --- health ---------------------------------------------------------------------------------

def test_health_findings_carry_the_reasons():
    found = {(f["host"], f["tunnel"]): f for f in vpn_compliance(
        ex.fleet((0,)), only("VPN-HEALTH-DOWN"))}
    finding = found[("juniper_srx-0", "vpn-dr-0")]
    assert (finding["severity"], finding["expected"], finding["actual"]) == (
        "high", "OPERATIONAL", "DOWN")
    assert finding["message"] == "phase 1 not established: No response from peer. Negotiation" \
        " failed (17 times)"
    assert ("juniper_srx-0", "vpn-hq-0") not in found


def test_degraded_and_unknown():
    degraded = findings({"f": ex.device("fortinet", 0)}, "VPN-HEALTH-DEGRADED")
    assert [(f["tunnel"], f["severity"]) for f in degraded] == [("to-dc", "medium")]
    unknown = ex.established()
    unknown["state"] = "UNDEFINED"
    [found] = findings(one_host(unknown), "VPN-HEALTH-UNKNOWN")
    assert found["severity"] == "low" and found["actual"] == "UNKNOWN"


def test_health_thresholds_from_the_policy():
    tunnel = ex.established()
    tunnel["children"][0]["last_in_seconds"] = 400
    assert findings(one_host(tunnel), "VPN-HEALTH-DEGRADED")
    assert not findings(one_host(tunnel), "VPN-HEALTH-DEGRADED", health={"idle_seconds": 500})


# --- expected tunnels -----------------------------------------------------------------------

def test_expected_tunnels_per_host_group_all_and_host_variable():
    fleet = {"gw1": ex.device("vyos", 0), "gw2": ex.device("vyos", 1)}
    hostvars = ex.hostvars(fleet, gw1={"group_names": ["branches"]},
                           gw2={"vpn_expected_tunnels": ["wan-backup"]})
    policy = {"expected_tunnels": {"hosts": {"gw1": ["hq-0", "lab-0"]},
                                   "groups": {"branches": ["dc-0", "dr-9"], "all": ["vtun*"],
                                              "core": ["core-1"]}}}
    found = findings(hostvars, "VPN-TUNNEL-MISSING", **policy)
    assert [(f["host"], f["tunnel"]) for f in found] == [
        ("gw1", "lab-0"), ("gw1", "vtun*"), ("gw1", "dr-9"), ("gw2", "wan-backup")]
    assert found[0]["severity"] == "high" and found[0]["actual"] == "absent"
    # groups given with host_groups when the input is not hostvars
    found = vpn_compliance(fleet, only("VPN-TUNNEL-MISSING", **policy),
                           host_groups={"gw2": ["core"]})
    assert ("gw2", "core-1") in [(f["host"], f["tunnel"]) for f in found]


# --- crypto ---------------------------------------------------------------------------------

@pytest.mark.parametrize("field, spellings, canonical", [
    ("encryption", ["3DES_CBC", "des3", "esp-3des", "3des-cbc", "3DES", "TripleDES"], "3des"),
    ("encryption", ["DES_CBC", "esp-des", "des", "DES"], "des"),
    ("encryption", ["AES_GCM_16", "esp-gcm", "aes-gcm", "aes256gcm", "AES-GCM-256"], "aes-gcm"),
    ("encryption", ["AES_CBC", "aes-cbc", "esp-aes", "aes256", "AES-CBC", "aes"], "aes-cbc"),
    ("encryption", ["CHACHA20_POLY1305", "chacha20poly1305"], "chacha20-poly1305"),
    ("encryption", ["NULL", "esp-null"], "null"),
    ("integrity", ["HMAC_SHA1_96", "sha", "sha1", "SHA", "esp-sha-hmac", "hmac-sha1-96",
                   "PRF_HMAC_SHA1"], "sha1"),
    ("integrity", ["HMAC_MD5_96", "md5", "esp-md5-hmac"], "md5"),
    ("integrity", ["HMAC_SHA2_256_128", "sha256", "sha-256-hmac", "esp-sha256-hmac",
                   "hmac-sha256-128", "SHA256", "PRF_HMAC_SHA2_256"], "sha256"),
    ("integrity", ["HMAC_SHA2_512_256", "sha512", "hmac-sha512"], "sha512"),
    ("dh_group", ["MODP_1024", "modp1024", "group2", "Group 2", "DH2", "2", 2, "dh-group2"],
     "modp1024"),
    ("dh_group", ["MODP_768", "group1", "1"], "modp768"),
    ("dh_group", ["MODP_2048", "MODP2048", "group14", "14", "DH14"], "modp2048"),
    ("dh_group", ["ECP_256", "group19", "DH19", "19", "ecp256"], "ecp256"),
    ("dh_group", ["CURVE_25519", "x25519", "curve25519", "31"], "curve25519"),
])
def test_vendor_spellings_are_normalized(field, spellings, canonical):
    for spelling in spellings:
        assert crypto.normalize(field, spelling) == canonical, spelling


def test_key_sizes_reported_or_implied():
    assert crypto.key_size({"encryption": "aes256", "key_size": None}) == 256
    assert crypto.key_size({"encryption": "AES_CBC", "key_size": 128}) == 128
    assert crypto.key_size({"encryption": "3des", "key_size": None}) == 168
    assert crypto.key_size({"encryption": "AES_CBC", "key_size": None}) is None


def test_banned_crypto_in_a_real_swanctl_output(corpus):
    facts = ex.corpus_device(corpus, "strongswan", "strongswan_swanctl/swanctl_--list-sas/8.txt",
                             "swanctl --list-sas --raw", host="hub")
    found = findings({"hub": facts}, "VPN-CRYPTO-BANNED")
    first = [(f["child"], f["actual"]) for f in found if f["tunnel"] == "dmvpn-NHRPVPN-tun100"]
    assert first == [(None, "HMAC_SHA1_96 (sha1)"), (None, "MODP_1024 (modp1024)"),
                     ("dmvpn", "HMAC_SHA1_96 (sha1)"), ("dmvpn", "MODP_1024 (modp1024)")]
    assert found[0]["message"] == "IKE SA integrity HMAC_SHA1_96 (sha1) is banned"
    assert found[2]["message"] == "child SA dmvpn: integrity HMAC_SHA1_96 (sha1) is banned"
    assert found[0]["expected"] == "integrity not one of: md5, sha1"
    assert found[0]["severity"] == "high"


@pytest.mark.parametrize("platform, name, actual", [
    ("cisco_ios", "203.0.113.12", "sha (sha1)"),          # IKEv1 main mode with sha
    ("cisco_asa", "203.0.113.2", "SHA (sha1)"),
])
def test_banned_crypto_in_vendor_examples(platform, name, actual):
    found = [f for f in findings({"d": ex.device(platform)}, "VPN-CRYPTO-BANNED")
             if f["tunnel"] == name]
    assert [f["actual"] for f in found] == [actual]


def test_banned_lists_take_any_spelling_and_replace_the_default():
    tunnel = ex.established()
    tunnel["children"][0]["algorithms"] = model.new_algorithms("esp-3des", None, "esp-md5-hmac",
                                                               None, "group2")
    found = findings(one_host(tunnel), "VPN-CRYPTO-BANNED")
    assert [f["actual"] for f in found] == [
        "esp-3des (3des)", "esp-md5-hmac (md5)", "group2 (modp1024)"]
    found = findings(one_host(tunnel), "VPN-CRYPTO-BANNED",
                     crypto={"banned": {"encryption": ["TripleDES"], "integrity": [],
                                        "dh_group": []}})
    assert [f["actual"] for f in found] == ["esp-3des (3des)"]


def test_allowed_lists():
    tunnel = ex.established()  # AES_GCM_16 both, PRF sha256, CURVE_25519
    policy = {"crypto": {"allowed": {"encryption": ["aes-cbc"], "dh_group": [19, 31]}}}
    found = findings(one_host(tunnel), "VPN-CRYPTO-NOT-ALLOWED", **policy)
    assert [(f["child"], f["actual"]) for f in found] == [
        (None, "AES_GCM_16 (aes-gcm)"), ("gw-0", "AES_GCM_16 (aes-gcm)")]
    assert found[0]["expected"] == "encryption one of: aes-cbc"
    policy["crypto"]["allowed"]["encryption"] = ["AES_GCM_16"]
    assert findings(one_host(tunnel), "VPN-CRYPTO-NOT-ALLOWED", **policy) == []


def test_minimum_key_size():
    tunnel = ex.tunnel("strongswan_legacy", "hq")  # IKE AES_CBC 128
    assert findings(one_host(tunnel), "VPN-CRYPTO-KEY-SIZE") == []
    [found] = findings(one_host(tunnel), "VPN-CRYPTO-KEY-SIZE", crypto={"min_key_size": 256})
    assert (found["expected"], found["actual"]) == ("key size >= 256 bits", "128 bits")
    assert findings(one_host(tunnel), "VPN-CRYPTO-KEY-SIZE", crypto={"min_key_size": None}) == []


def test_ike_version():
    found = findings({"j": ex.device("juniper_srx")}, "VPN-IKE-VERSION")
    assert [(f["tunnel"], f["actual"], f["expected"], f["severity"]) for f in found] == [
        ("vpn-branch-0", "IKEv1", "IKEv2", "medium")]
    assert findings({"j": ex.device("juniper_srx")}, "VPN-IKE-VERSION",
                    ike={"versions_allowed": [1, 2]}) == []


# --- lifetimes ------------------------------------------------------------------------------

def test_ike_lifetime_bounds():
    tunnel = ex.established()
    assert findings(one_host(tunnel), "VPN-LIFETIME-IKE") == []
    tunnel["ike"].update(rekey_interval_seconds=600, reauth_interval_seconds=100000)
    [found] = findings(one_host(tunnel), "VPN-LIFETIME-IKE")
    assert found["actual"] == ("rekey interval 600 s below 3600 s; reauthentication interval"
                               " 100000 s above 86400 s")
    assert found["expected"] == "IKE SA lifetime between 3600 and 86400 s"
    tunnel["ike"].update(rekey_interval_seconds=None, reauth_interval_seconds=None,
                         rekey_seconds=None, established_seconds=90000)
    assert findings(one_host(tunnel), "VPN-LIFETIME-IKE")[0]["actual"] == \
        "established 90000 s ago, beyond 86400 s"


def test_child_lifetime_bounds_on_fortinet_defaults():
    found = findings({"f": ex.device("fortinet")}, "VPN-LIFETIME-CHILD")
    assert found[0]["child"] == "lan" and found[0]["severity"] == "low"
    assert found[0]["actual"] == "expires in 42845 s, beyond 28800 s; next rekey in 42545 s," \
        " beyond 28800 s"
    assert findings({"f": ex.device("fortinet")}, "VPN-LIFETIME-CHILD",
                    lifetimes={"child": {"max_seconds": 43200}}) == []


def test_child_rekey_interval_below_minimum():
    tunnel = ex.established()
    tunnel["children"][0]["rekey_interval_seconds"] = 300
    [found] = findings(one_host(tunnel), "VPN-LIFETIME-CHILD")
    assert found["actual"] == "rekey interval 300 s below 900 s"


# --- DPD ------------------------------------------------------------------------------------

def test_dpd_missing_where_the_platform_reports_it():
    found = findings({"l": ex.device("libreswan")}, "VPN-DPD-MISSING")
    assert "dc0-hq" in [f["tunnel"] for f in found]
    assert found[0]["actual"] == "DPD off" and found[0]["severity"] == "medium"
    assert found[0]["expected"] == "DPD on, delay <= 30 s, timeout <= 150 s"
    tunnel = ex.established()
    tunnel["ike"]["dpd"] = {"delay": 0, "timeout": 0, "action": "clear"}  # configured off
    assert findings(one_host(tunnel), "VPN-DPD-MISSING")
    assert findings(one_host(ex.established()), "VPN-DPD-MISSING") == []


def test_dpd_not_reported_is_info():
    found = findings({"p": ex.device("paloalto_panos")}, "VPN-DPD-NOT-REPORTED")
    assert found and {f["severity"] for f in found} == {"info"}
    assert found[0]["message"] == "DPD not reported: paloalto_panos does not report DPD; check" \
        " the configuration by hand"
    ios = findings({"i": ex.device("cisco_ios")}, "VPN-DPD-NOT-REPORTED")
    assert [f["tunnel"] for f in ios] == ["203.0.113.12"]   # the IKEv1 one
    sa_only = ex.established()
    sa_only.update(configured=False)
    sa_only["ike"]["dpd"] = None
    assert "only for configured tunnels" in findings(
        one_host(sa_only), "VPN-DPD-NOT-REPORTED")[0]["message"]


def test_dpd_settings():
    tunnel = ex.established()
    tunnel["ike"]["dpd"] = {"delay": 60, "timeout": 300, "action": "restart"}
    [found] = findings(one_host(tunnel), "VPN-DPD-SETTINGS")
    assert found["actual"] == "delay 60 s above 30 s; timeout 300 s above 150 s"
    assert findings(one_host(tunnel), "VPN-DPD-SETTINGS",
                    dpd={"max_delay_seconds": 60, "max_timeout_seconds": None}) == []


# --- idle -----------------------------------------------------------------------------------

def test_idle_in_both_directions():
    tunnel = ex.established()
    tunnel["children"][0].update(last_in_seconds=1500, last_out_seconds=1300)
    [found] = findings(one_host(tunnel), "VPN-IDLE")
    assert (found["child"], found["actual"]) == ("gw-0", "idle 1500 s inbound, 1300 s outbound")
    assert found["expected"] == "traffic within 1200 s"
    tunnel["children"][0]["last_out_seconds"] = 10
    assert findings(one_host(tunnel), "VPN-IDLE") == []


def test_idle_without_timestamps_uses_counters():
    tunnel = ex.established()
    tunnel["children"][0].update(last_in_seconds=None, last_out_seconds=None, bytes_in=0,
                                 bytes_out=0, installed_seconds=2000)
    [found] = findings(one_host(tunnel), "VPN-IDLE")
    assert found["actual"] == "no traffic since installed 2000 s ago"


@pytest.mark.parametrize("configured, effective_timeout", [
    (100, 300), (1200, 1200), (99999, 3600)])
def test_idle_timeout_is_clamped(configured, effective_timeout):
    assert Policy({"idle_timeout_seconds": configured}).idle_timeout == effective_timeout
    tunnel = ex.established()
    tunnel["children"][0].update(last_in_seconds=effective_timeout + 1,
                                 last_out_seconds=effective_timeout + 1)
    assert findings(one_host(tunnel), "VPN-IDLE", idle_timeout_seconds=configured)
    tunnel["children"][0].update(last_in_seconds=effective_timeout,
                                 last_out_seconds=effective_timeout)
    assert not findings(one_host(tunnel), "VPN-IDLE", idle_timeout_seconds=configured)


# --- redundancy and connections -------------------------------------------------------------

def test_redundancy_at_risk_and_down_across_the_emulated_fleet():
    found = vpn_compliance(ex.fleet(), only("VPN-REDUNDANCY-AT-RISK"))
    at_risk = {f["redundancy_set"]: f for f in found}
    assert at_risk["203.0.113.48/28"]["severity"] == "medium"
    assert at_risk["203.0.113.48/28"]["actual"] == "0 of 2 members OPERATIONAL, 2 up"
    assert at_risk["203.0.113.48/28"]["host"] is None and at_risk["203.0.113.48/28"]["tunnel"] is None
    [down] = vpn_compliance(ex.fleet(), only("VPN-REDUNDANCY-DOWN"))
    assert (down["redundancy_set"], down["severity"]) == ("203.0.113.64/28", "critical")
    assert down["message"] == ("redundant set 203.0.113.64/28 has no member up: fortinet-0/"
                               "to-backup DOWN, fortinet-1/to-backup DOWN")


def test_declared_redundancy_in_the_policy_and_redundant_sets_are_quiet():
    fleet = {"f0": ex.device("fortinet", 0, host="f0"), "f1": ex.device("fortinet", 1, host="f1")}
    policy = {"redundancy": {"by_remote_network": False,
                             "groups": {"branch-a": [["f0", "to-branch-a"], ["f1", "to-branch-a"]],
                                        "backup": [{"host": "f0", "tunnel": "to-backup"},
                                                   {"host": "f1", "tunnel": "to-branch-c"}]}}}
    found = vpn_compliance(fleet, only("VPN-REDUNDANCY-DOWN", **policy))
    assert [(f["redundancy_set"], f["host"]) for f in found] == [("backup", None)]
    single_host = {"redundancy": {"by_remote_network": False, "groups": {
        "pair": [["f0", "to-dc"], ["f0", "to-backup"]]}}}
    [found] = vpn_compliance(fleet, only("VPN-REDUNDANCY-AT-RISK", **single_host))
    assert found["host"] == "f0"


def test_duplicate_ike_sas_of_one_tunnel():
    fleet = one_host(ex.established("net"), ex.established("net"))
    [found] = findings(fleet, "VPN-CONN-MAX")
    assert (found["tunnel"], found["actual"], found["expected"]) == (
        "net", "2 established IKE SAs", "at most 1 established IKE SA")
    assert findings(fleet, "VPN-CONN-MAX", max_connections={"ike_sas_per_tunnel": 2}) == []


def test_openvpn_sessions_per_client_and_clients_per_server(corpus):
    facts = ex.corpus_device(corpus, "openvpn", "openvpn/mgmt_status_3/1.txt", "status 3")
    [found] = findings({"ovpn": facts}, "VPN-CONN-MAX")
    assert found["message"] == ("client furlongm is connected 3 times to OpenVPN server server"
                                " (at most 1)")
    found = findings({"ovpn": facts}, "VPN-CONN-MAX", max_connections={
        "openvpn_sessions_per_client": None, "openvpn_clients_per_server": 2})
    assert [f["actual"] for f in found] == ["3 connected clients"]


# --- severities, disabled rules, waivers ----------------------------------------------------

def test_severity_override_and_disabled_rule():
    fleet = {"j": ex.device("juniper_srx")}
    found = vpn_compliance(fleet, {"rules": {"VPN-IKE-VERSION": {"severity": "critical"},
                                             "VPN-DPD-NOT-REPORTED": {"enabled": False}}})
    assert {f["severity"] for f in found if f["rule"] == "VPN-IKE-VERSION"} == {"critical"}
    assert not [f for f in found if f["rule"] == "VPN-DPD-NOT-REPORTED"]
    assert [f for f in vpn_compliance(fleet) if f["rule"] == "VPN-DPD-NOT-REPORTED"]


def test_waivers_keep_the_finding_as_info_with_the_reason():
    fleet = {"j-1": ex.device("juniper_srx", host="j-1")}
    policy = {"waivers": [{"host": "j-*", "tunnel": "vpn-branch-*", "rules": ["VPN-IKE-*"],
                           "reason": "IKEv1 until the branch refresh"}]}
    found = [f for f in vpn_compliance(fleet, policy) if f["rule"] == "VPN-IKE-VERSION"]
    assert [(f["severity"], f["waived"]) for f in found] == [
        ("info", "IKEv1 until the branch refresh")]
    others = [f for f in vpn_compliance(fleet, policy) if f["rule"] != "VPN-IKE-VERSION"]
    assert {f["waived"] for f in others} == {None}


# --- the policy: schema, defaults, validation -----------------------------------------------

def test_default_policy_is_valid_json_schema_and_matches_it():
    jsonschema.Draft202012Validator.check_schema(POLICY_SCHEMA)
    jsonschema.validate(DEFAULT_POLICY, POLICY_SCHEMA)
    assert effective(None) == DEFAULT_POLICY
    assert set(POLICY_SCHEMA["properties"]) == set(DEFAULT_POLICY)


def test_policy_as_yaml_text_and_deep_merge():
    policy = effective("crypto:\n  min_key_size: 256\nike:\n  versions_allowed: [1, 2]\n")
    assert policy["crypto"]["min_key_size"] == 256
    assert policy["crypto"]["banned"] == DEFAULT_POLICY["crypto"]["banned"]
    assert policy["ike"]["versions_allowed"] == [1, 2]
    assert DEFAULT_POLICY["ike"]["versions_allowed"] == [2]  # defaults untouched


@pytest.mark.parametrize("policy, message", [
    ({"crypto": {"bannned": {}}}, "policy.crypto: unknown key 'bannned' \\(allowed: allowed,"
                                  " banned, min_key_size\\)"),
    ({"dpd_required": True}, "policy: unknown key 'dpd_required'"),
    ({"lifetimes": {"ike": {"max": 3}}}, "policy.lifetimes.ike: unknown key 'max'"),
    ({"rules": {"VPN-NOPE": {"enabled": False}}}, "policy.rules: unknown key 'VPN-NOPE'"),
    ({"rules": {"VPN-IDLE": {"severity": "urgent"}}},
     "policy.rules.VPN-IDLE.severity: 'urgent' is not one of info, low, medium, high, critical"),
    ({"rules": {"VPN-IDLE": {"enabled": "no"}}},
     "policy.rules.VPN-IDLE.enabled: expected boolean, got string 'no'"),
    ({"idle_timeout_seconds": "20m"}, "policy.idle_timeout_seconds: expected integer, got string"),
    ({"idle_timeout_seconds": True}, "policy.idle_timeout_seconds: expected integer, got boolean"),
    ({"crypto": {"min_key_size": -1}}, "policy.crypto.min_key_size: -1 is below the minimum 0"),
    ({"crypto": {"banned": {"encryption": "des"}}},
     "policy.crypto.banned.encryption: expected array, got string"),
    ({"ike": {"versions_allowed": [3]}}, "policy.ike.versions_allowed\\[0\\]: 3 is not one of 1, 2"),
    ({"expected_tunnels": {"hosts": {"gw1": "hq"}}},
     "policy.expected_tunnels.hosts.gw1: expected array, got string"),
    ({"redundancy": {"groups": {"dc": [["gw1"]]}}},
     "policy.redundancy.groups.dc\\[0\\]: expected 2 items, got 1"),
    ({"redundancy": {"groups": {"dc": [{"host": "gw1", "tunel": "x"}]}}},
     "policy.redundancy.groups.dc\\[0\\]: unknown key 'tunel'"),
    ({"waivers": [{"host": "gw1"}]}, "policy.waivers\\[0\\]: missing required key 'reason'"),
    ({"waivers": [{"rules": ["VPN-NOPE*"], "reason": "x"}]},
     "policy.waivers\\[0\\].rules: 'VPN-NOPE\\*' matches no rule id"),
    ({"max_connections": {"ike_sas_per_tunnel": 0}},
     "policy.max_connections.ike_sas_per_tunnel: 0 is below the minimum 1"),
    ("crypto: [unclosed", "the policy is not valid YAML"),
    (["crypto"], "the policy must be a dict"),
])
def test_policy_errors_name_the_key(policy, message):
    with pytest.raises(PolicyError, match=message):
        Policy(policy)
    with pytest.raises(AnsibleFilterError, match="vpn_compliance: .*" + message):
        vpn_compliance(one_host(ex.established()), policy)


def test_every_problem_of_a_policy_is_listed_at_once():
    with pytest.raises(PolicyError) as error:
        Policy({"foo": 1, "dpd": {"max_delay_seconds": "x"}})
    assert "unknown key 'foo'" in str(error.value) and "max_delay_seconds" in str(error.value)


def test_jsonschema_agrees_on_bad_policies():
    for policy in ({"crypto": {"bannned": {}}}, {"idle_timeout_seconds": True},
                   {"rules": {"VPN-NOPE": {}}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(policy, POLICY_SCHEMA)


def test_documented_policy_matches_schema_and_defaults():
    documented = yaml.safe_load(filter_module.DOCUMENTATION)["options"]["policy"]["suboptions"]

    def walk(doc, schema, defaults, path):
        assert set(doc) == set(schema["properties"]), path
        for key, entry in doc.items():
            if "suboptions" in entry:
                walk(entry["suboptions"], schema["properties"][key], defaults[key], path + [key])
            else:
                assert entry.get("default") == defaults[key], path + [key]

    walk(documented, POLICY_SCHEMA, DEFAULT_POLICY, ["policy"])


def test_documented_rules_are_the_rules():
    doc = yaml.safe_load(filter_module.DOCUMENTATION)
    text = [line for line in doc["description"] if line.startswith("Rules and default")][0]
    listed = dict(pair.strip().rstrip(".").rsplit(" ", 1) for pair in
                  text.split(":", 1)[1].split(","))
    assert {rule[2:-1]: severity for rule, severity in listed.items()} == {
        rule: severity for rule, (severity, _what) in RULES.items()}


# --- arguments ------------------------------------------------------------------------------

@pytest.mark.parametrize("args, kwargs, message", [
    ((), {"polcy": {}}, "unknown argument polcy"),
    ((), {"hosts": "gw1,gw2", "errors": []}, "errors.*dict"),
    (({}, {}), {}, "at most 1 positional argument \\(policy\\), got 2"),
    (({},), {"policy": {}}, "policy given twice"),
    ((), {"host_groups": {"gw1": "branches"}}, "the groups of gw1 must be a list"),
])
def test_bad_arguments_are_filter_errors(args, kwargs, message):
    with pytest.raises(AnsibleFilterError, match=message):
        vpn_compliance(one_host(ex.established()), *args, **kwargs)


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="vpn_compliance: expected hostvars"):
        vpn_compliance(42)
    broken = ex.established()
    broken["ike"]["established_seconds"] = "long"
    broken["ike"]["rekey_seconds"] = None
    with pytest.raises(AnsibleFilterError, match="does not look like vpnops.tunnels facts"):
        vpn_compliance(one_host(broken))


def test_evaluation_keeps_verdicts_and_sets_for_the_audit():
    result = compliance.evaluate(ex.fleet())
    assert set(result.verdicts) == set(ex.fleet())
    assert result.sets and {s["status"] for s in result.sets} == {"redundant", "at_risk", "down"}


def test_a_registered_fleet_result_is_checked_like_its_facts():
    fleet = {"gw1": ex.device("vyos", host="gw1"), "ios": ex.device("cisco_ios", host="ios")}
    outcomes = {host: {"changed": False, "ansible_facts": {"vpn": facts}}
                for host, facts in fleet.items()}
    outcomes["down"] = {"failed": True, "vpn_unreachable": True, "msg": "down: cannot reach"}
    findings = vpn_compliance(fleet_result.build(outcomes))
    assert findings == vpn_compliance(dict(fleet, down=None))
    assert [f["host"] for f in findings if f["rule"] == "VPN-COMM-ERROR"] == ["down"]
