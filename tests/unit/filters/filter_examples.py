"""Realistic inputs for the health filters: the emulator vendors' example tunnels (healthy,
degraded and down tunnels of each platform) and real corpus outputs parsed by our parsers.

The tests change copies of these to reach every verdict and rule, so what they judge always
has the shape the parsers produce.
"""

import copy
import importlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tests" / "lab"))

from ansible_collections.vpnops.tunnels.plugins.module_utils import model  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import (  # noqa: E402
    parse_output,
)

VENDORS = ("cisco_asa", "cisco_ios", "fortinet", "juniper_srx", "libreswan",
           "mikrotik_routeros", "paloalto_panos", "strongswan_legacy", "vyos", "wireguard")


def vendor(platform):
    return importlib.import_module("emulator.vendors." + platform)


def device(platform, index=0, host=None, tunnels=None):
    """A device's facts as vpn_facts returns them, with the vendor's example tunnels."""
    facts = model.new_device(platform, hostname=host or "%s-%d" % (platform, index),
                             collected_at="2026-01-01T00:00:00Z")
    facts["tunnels"] = vendor(platform).example_tunnels(index) if tunnels is None else tunnels
    return facts


def tunnel(platform, name, index=0):
    """A copy of one example tunnel, by name."""
    for found in vendor(platform).example_tunnels(index):
        if found["name"] == name:
            return copy.deepcopy(found)
    raise KeyError("%s example %d has no tunnel %r" % (platform, index, name))


def fleet(indexes=(0, 1)):
    """host -> facts for every vendor with an example module, devices 0 and 1."""
    found = {}
    for platform in VENDORS:
        for index in indexes:
            facts = device(platform, index)
            found[facts["hostname"]] = facts
    return found


def hostvars(facts_by_host, **extra_by_host):
    """What hostvars looks like to a filter: ansible_facts.vpn plus other host variables."""
    found = {}
    for host, facts in facts_by_host.items():
        found[host] = {"inventory_hostname": host, "group_names": [],
                       "ansible_facts": {} if facts is None else {"vpn": facts}}
        found[host].update(extra_by_host.get(host, {}))
    return found


def corpus_device(corpus, platform, relative, command, host=None):
    """A real output of the corpus parsed into facts."""
    text = (corpus / relative).read_text()
    return parse_output(platform, command, text, hostname=host)


def established(name="gw", children=1, version=2, **ike):
    """A plain healthy IKEv2 tunnel built with the model constructors."""
    found = model.new_tunnel(name, "ipsec", "ESTABLISHED", "ESTABLISHED")
    found["configured"] = True
    found["ike"].update(version=version, native_state="ESTABLISHED",
                        algorithms=model.new_algorithms("AES_GCM_16", 256, None,
                                                        "PRF_HMAC_SHA2_256", "CURVE_25519"),
                        established_seconds=600, rekey_interval_seconds=14400,
                        rekey_seconds=13000,
                        dpd={"delay": 30, "timeout": 150, "action": "restart"})
    found["ike"]["remote"]["address"] = "192.0.2.1"
    found["ike"].update(ike)
    for number in range(children):
        child = model.new_child("%s-%d" % (name, number), "INSTALLED", "INSTALLED")
        child.update(configured=True, bytes_in=1000, bytes_out=2000, last_in_seconds=1,
                     last_out_seconds=1, rekey_seconds=2000, lifetime_seconds=3000,
                     installed_seconds=600, rekey_interval_seconds=3600,
                     algorithms=model.new_algorithms("AES_GCM_16", 256),
                     local_ts=["10.0.%d.0/24" % number], remote_ts=["10.1.%d.0/24" % number])
        found["children"].append(child)
    return found
