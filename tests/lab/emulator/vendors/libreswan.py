"""libreswan 4.x as `ipsec whack` prints it (000/006 reply codes, STATE_V2_* names).

The format follows the libreswan 4.15 captures in ../shared/fixtures/real-outputs/libreswan
(ipsec_status/6.txt, ipsec_showstates/6.txt, ipsec_trafficstatus/8.txt): one connection per
tunnel, its IKE SA and IPsec SA as state lines, exact byte counts in trafficstatus and counts
rounded down to KB/MB in the status, as pluto does.

Resets: `ipsec down NAME` / `ipsec up NAME`, `ipsec auto --down|--up NAME` and
`ipsec whack --name NAME --terminate|--initiate` take the connection's SAs down; the device
brings them back after its reset_delay with new serial numbers and SPIs, as a peer that
re-initiates would.
"""

import hashlib
import shlex
import time

from ansible_collections.vpnops.tunnels.plugins.module_utils import model

PLATFORM = "libreswan"
NETMIKO_DEVICE_TYPE = "linux"

# The model fields this output carries. Counters compare as "facts <= device", countdowns
# (rekey_seconds) as "facts >= device". installed_seconds is left out: the parser dates
# add_time by its own clock, which may tick a second before the device's does.
REPORTED = {
    "tunnel": ("name", "type", "state", "native_state", "configured"),
    "ike": ("version", "sa_id", "native_state", "initiator", "local.address", "local.id",
            "remote.address", "remote.port", "remote.id", "rekey_seconds", "rekey_interval_seconds",
            "dpd", "negotiation", "algorithms.encryption", "algorithms.key_size", "algorithms.prf",
            "algorithms.dh_group"),
    "child": ("name", "state", "native_state", "configured", "sa_id", "spi_in", "spi_out",
              "protocol", "mode", "bytes_in", "bytes_out", "rekey_seconds", "local_ts", "remote_ts",
              "rekey_interval_seconds", "algorithms.encryption", "algorithms.key_size",
              "algorithms.integrity"),
}

# pluto's state names with their stories, as `ipsec status` prints them (4.x)
STATE_TEXT = {
    "STATE_V2_ESTABLISHED_IKE_SA": "established IKE SA",
    "STATE_V2_PARENT_I1": "sent IKE_SA_INIT request",
    "STATE_V2_ESTABLISHED_CHILD_SA": "established Child SA",
    "STATE_MAIN_I4": "ISAKMP SA established",
    "STATE_MAIN_I1": "sent MI1, expecting MR1",
    "STATE_QUICK_I2": "sent QI2, IPsec SA established",
}
_IKE_SA_NAME = {1: "ISAKMP SA", 2: "IKE SA"}
_REPLACE_AFTER_REKEY = 270   # pluto schedules REPLACE a margin after REKEY


# --- commands -----------------------------------------------------------------------------------

def _words(command):
    """The words after `ipsec` (whatever its path), without `whack`/`auto`; None if not ipsec."""
    try:
        words = shlex.split(command.split("|", 1)[0])
    except ValueError:
        return None
    for index, word in enumerate(words):
        if word.rsplit("/", 1)[-1] in ("ipsec", "whack"):
            rest = words[index + 1:]
            return rest[1:] if rest[:1] in (["whack"], ["auto"]) else rest
    return None


def render(device, command):
    words = _words(command)
    renderer = _RENDERERS.get(words[0].lstrip("-")) if words else None
    return renderer(device.state()) if renderer else None


def reset(device, command):
    """Take a connection's SAs down; they come back renegotiated after the reset delay."""
    target = _reset_target(_words(command) or [])
    if target is None:
        return None
    action, name = target
    if not any(tunnel["name"] == name for tunnel in device.state()):
        return '021 no connection named "%s"\n' % name
    device.take_down(command, lambda tunnel: tunnel["name"] == name, scope="tunnel")
    if action == "down":
        return '002 "%s": terminating SAs using this connection\n' % name
    return '002 "%s": initiating connection\n' % name


def _reset_target(words):
    """(down|up, NAME) from `down NAME`, `--up NAME`, `--name NAME --terminate`, ..."""
    if len(words) == 2 and words[0].lstrip("-") in ("down", "up"):
        return words[0].lstrip("-"), words[1]
    actions = {"--terminate": "down", "--initiate": "up"}
    action = next((actions[word] for word in words if word in actions), None)
    if action and "--name" in words[:-1]:
        return action, words[words.index("--name") + 1]
    return None


# --- ipsec status / showstates / trafficstatus / connectionstatus ---------------------------------

def _prefixed(code, lines):
    """whack's reply code before every line, as 4.x prints it (an empty line is 'CODE ')."""
    return "".join("%s %s\n" % (code, line) for line in lines)


def _status(tunnels):
    addresses = sorted({tunnel["ike"]["local"]["address"] for tunnel in tunnels})
    lines = ["using kernel interface: xfrm", "",
             "interface lo UDP 127.0.0.1:4500", "interface lo UDP 127.0.0.1:500"]
    for address in addresses:
        lines += ["interface eth1 UDP %s:4500" % address, "interface eth1 UDP %s:500" % address]
    lines += ["", "fips mode=disabled;", "SElinux=disabled", "seccomp=OFF", "",
              "config setup options:", "",
              "configdir=/etc, configfile=/etc/ipsec.conf, secrets=/etc/ipsec.secrets, ipsecdir=/etc/ipsec.d",
              "nhelpers=-1, uniqueids=yes, dnssec-enable=yes, logappend=no, logip=yes, shuntlifetime=900s,"
              " xfrmlifetime=30s",
              "", "nat-traversal=yes, keep-alive=20, nat-ikeport=4500", "virtual-private (%priv):", ""]
    lines += _connection_list(tunnels) + [""] + _state_summary(tunnels) + [""]
    lines += _state_lines(tunnels) + ["", "Bare Shunt list:", ""]
    return _prefixed("000", lines)


def _connectionstatus(tunnels):
    return _prefixed("000", _connection_list(tunnels))


def _showstates(tunnels):
    return _prefixed("000", _state_lines(tunnels))


def _trafficstatus(tunnels):
    """One line per installed IPsec SA, with exact counters and the SA's install time."""
    lines = []
    now = int(time.time())
    for tunnel in tunnels:
        child = tunnel["children"][0]
        if child["state"] == "INSTALLED":
            lines.append("#%s: \"%s\", type=%s, add_time=%d, inBytes=%d, outBytes=%d, maxBytes=2^63B, id='%s'" % (
                child["sa_id"], tunnel["name"], child["protocol"], now - (child["installed_seconds"] or 0),
                child["bytes_in"], child["bytes_out"], tunnel["ike"]["remote"]["id"]))
    return _prefixed("006", lines)


_RENDERERS = {
    "status": _status,
    "showstates": _showstates,
    "trafficstatus": _trafficstatus,
    "connectionstatus": _connectionstatus,
}


def _connection_list(tunnels):
    lines = ["Connection list:", ""]
    for serial, tunnel in enumerate(tunnels, 1):
        lines += _connection(tunnel, serial)
    active = sum(1 for tunnel in tunnels if tunnel["children"][0]["state"] == "INSTALLED")
    return lines + ["", "Total IPsec connections: loaded %d, active %d" % (len(tunnels), active)]


def _connection(tunnel, conn_serial):
    """A connection as `ipsec status` lists it: topology line and indented details."""
    ike, child = tunnel["ike"], tunnel["children"][0]
    installed = child["state"] == "INSTALLED"
    established = tunnel["state"] == "ESTABLISHED"
    owner = child["sa_id"] if installed else "0"
    dpd = ike["dpd"] or {"delay": 0, "timeout": 60, "action": "hold"}
    head = '"%s":' % tunnel["name"]
    details = [
        "    oriented; my_ip=unset; their_ip=unset; my_updown=ipsec _updown;",
        "  xauth us:none, xauth them:none,  my_username=[any]; their_username=[any]",
        "  our auth:secret, their auth:secret, our autheap:none, their autheap:none;",
        "  modecfg info: us:none, them:none, modecfg policy:push, dns:unset, domains:unset, cat:unset;",
        "  sec_label:unset;",
        "  ike_life: %ds; ipsec_life: %ds; ipsec_max_bytes: 2^63B; ipsec_max_packets: 2^63; replay_window: 128;"
        " rekey_margin: 540s; rekey_fuzz: 100%%; keyingtries: 0;" % (
            ike["rekey_interval_seconds"], child["rekey_interval_seconds"]),
        "  retransmit-interval: 500ms; retransmit-timeout: 60s; iketcp:no; iketcp-port:4500;",
        "  initial-contact:no; cisco-unity:no; fake-strongswan:no; send-vendorid:no; send-no-esp-tfc:no;",
        "  policy: IKEv%d+PSK+ENCRYPT+TUNNEL+PFS+UP+IKE_FRAG_ALLOW+ESN_NO;" % ike["version"],
        "  conn_prio: 24,24; interface: eth1; metric: 0; mtu: unset; sa_prio:auto; sa_tfc:none;",
        "  nflog-group: unset; mark: unset; vti-iface:unset; vti-routing:no; vti-shared:no; nic-offload:auto;",
        "  our idtype: ID_FQDN; our id=%s; their idtype: ID_FQDN; their id=%s" % (
            ike["local"]["id"], ike["remote"]["id"]),
        "  liveness: %s; dpdaction:%s; dpddelay:%ds; retransmit-timeout:%ds" % (
            "active" if dpd["delay"] else "passive", dpd["action"], dpd["delay"], dpd["timeout"]),
        "  nat-traversal: encaps:auto; keepalive:20s",
        "  newest IKE SA: #%s; newest IPsec SA: #%s; conn serial: $%d;" % (
            ike["sa_id"] if established else "0", owner, conn_serial),
    ]
    if established:
        details.append("  IKEv%d algorithm newest: %s" % (ike["version"], _ike_proposal(ike["algorithms"])))
    if installed:
        details.append("  ESP algorithm newest: %s; pfsgroup=<Phase1>" % _esp_proposal(child["algorithms"]))
    topology = "%s===%s[%s]...%s[%s]===%s" % (
        child["local_ts"][0], ike["local"]["address"], ike["local"]["id"],
        ike["remote"]["address"], ike["remote"]["id"], child["remote_ts"][0])
    first = "%s %s; %s; eroute owner: #%s" % (head, topology, "erouted" if installed else "unrouted", owner)
    return [first] + ["%s %s" % (head, detail) for detail in details]


def _ike_proposal(algorithms):
    """AES_GCM_16_256-HMAC_SHA2_512-DH19: cipher_keysize-PRF-DH, as pluto prints it."""
    return "%s_%d-%s-%s" % (algorithms["encryption"], algorithms["key_size"], algorithms["prf"],
                            algorithms["dh_group"])


def _esp_proposal(algorithms):
    return "%s_%d-%s" % (algorithms["encryption"], algorithms["key_size"], algorithms["integrity"] or "NONE")


def _state_summary(tunnels):
    ike_sas = sum(1 for tunnel in tunnels if tunnel["ike"]["sa_id"])
    half_open = sum(1 for tunnel in tunnels if tunnel["state"] == "CONNECTING")
    ipsec_sas = sum(1 for tunnel in tunnels if tunnel["children"][0]["state"] == "INSTALLED")
    return ["State Information: DDoS cookies not required, Accepting new IKE connections",
            "IKE SAs: total(%d), half-open(%d), open(0), authenticated(%d), anonymous(0)" % (
                ike_sas, half_open, ike_sas - half_open),
            "IPsec SAs: total(%d), authenticated(%d), anonymous(0)" % (ipsec_sas, ipsec_sas)]


def _state_lines(tunnels):
    """Every SA, sorted by connection then serial number as pluto sorts them."""
    lines = []
    for tunnel in sorted(tunnels, key=lambda tunnel: tunnel["name"]):
        entries = _ike_state(tunnel) + _child_state(tunnel)
        for _serial, text in sorted(entries, key=lambda entry: int(entry[0])):
            lines.extend(text)
    return lines


def _ike_state(tunnel):
    ike = tunnel["ike"]
    if not ike["sa_id"]:
        return []
    head = '#%s: "%s":%d %s (%s);' % (ike["sa_id"], tunnel["name"], ike["remote"]["port"],
                                      ike["native_state"], STATE_TEXT[ike["native_state"]])
    if tunnel["state"] == "CONNECTING":
        return [(ike["sa_id"], [head + " RETRANSMIT in 2s; idle;",
                                '#%s: pending CHILD SA for "%s"' % (ike["sa_id"], tunnel["name"])])]
    return [(ike["sa_id"], [head + " REKEY in %ds; REPLACE in %ds; newest; idle;" % (
        ike["rekey_seconds"], ike["rekey_seconds"] + _REPLACE_AFTER_REKEY)])]


def _child_state(tunnel):
    ike, child = tunnel["ike"], tunnel["children"][0]
    if child["state"] != "INSTALLED":
        return []
    local, remote = ike["local"]["address"], ike["remote"]["address"]
    head = '#%s: "%s":%d %s (%s); REKEY in %ds; REPLACE in %ds; newest; eroute owner; %s #%s; idle;' % (
        child["sa_id"], tunnel["name"], ike["remote"]["port"], child["native_state"],
        STATE_TEXT[child["native_state"]], child["rekey_seconds"], child["rekey_seconds"] + _REPLACE_AFTER_REKEY,
        _IKE_SA_NAME[ike["version"]], ike["sa_id"])
    traffic = '#%s: "%s" esp.%s@%s esp.%s@%s tun.0@%s tun.0@%s Traffic: ESPin=%s ESPout=%s ESPmax=2^63B ' % (
        child["sa_id"], tunnel["name"], child["spi_out"], remote, child["spi_in"], local, remote, local,
        _humber(child["bytes_in"]), _humber(child["bytes_out"]))
    return [(child["sa_id"], [head, traffic])]


def _humber(count):
    """pluto's readable byte count: B below 1 KiB, then whole KB, then whole MB (rounded down)."""
    if count < 1024:
        return "%dB" % count
    if count < 1024 * 1024:
        return "%dKB" % (count // 1024)
    return "%dMB" % (count // (1024 * 1024))


# --- example devices ----------------------------------------------------------------------------

def _hex(seed, digits):
    return hashlib.sha256(seed.encode()).hexdigest()[:digits]


def _tunnel(index, number, name, version):
    """A configured connection of lab device `index`, not yet up (addresses from RFC 5737/2544)."""
    tunnel = model.new_tunnel(name, "ipsec", "DOWN")
    tunnel.update(configured=True, enabled=True)
    ike = tunnel["ike"]
    ike.update(version=version, rekey_interval_seconds=28800)
    ike["local"] = model.new_endpoint("192.0.2.%d" % (10 + index), None, "@gw%d.example" % index)
    ike["remote"] = model.new_endpoint("203.0.113.%d" % (10 + 10 * index + number), None,
                                       "@%s.example" % name)
    child = model.new_child(name, "DOWN")
    child.update(configured=True, mode="TUNNEL", protocol="ESP", rekey_interval_seconds=3600,
                 local_ts=["198.18.%d.0/24" % index], remote_ts=["198.19.%d.0/24" % (10 * index + number)])
    tunnel["children"].append(child)
    return tunnel


def _establish(tunnel, ike_serial, ike_native):
    ike = tunnel["ike"]
    tunnel.update(state="ESTABLISHED", native_state=ike_native)
    ike.update(sa_id=str(ike_serial), native_state=ike_native, initiator=True if ike["version"] == 1 else None,
               rekey_seconds=20000 + ike_serial)
    ike["remote"]["port"] = 500
    ike["algorithms"] = (model.new_algorithms("AES_GCM_16", 256, prf="HMAC_SHA2_512", dh_group="DH19")
                         if ike["version"] == 2 else
                         model.new_algorithms("AES_CBC", 256, prf="HMAC_SHA2_256", dh_group="MODP2048"))
    return tunnel


def _install(tunnel, child_serial, child_native, traffic):
    child = tunnel["children"][0]
    child.update(state="INSTALLED", native_state=child_native, sa_id=str(child_serial),
                 spi_in=_hex("%s-in-%d" % (tunnel["name"], child_serial), 8),
                 spi_out=_hex("%s-out-%d" % (tunnel["name"], child_serial), 8),
                 bytes_in=traffic, bytes_out=traffic // 2, packets_in=traffic // 100,
                 packets_out=traffic // 200, installed_seconds=600, rekey_seconds=2900 + child_serial)
    child["algorithms"] = (model.new_algorithms("AES_GCM_16", 256) if tunnel["ike"]["version"] == 2
                           else model.new_algorithms("AES_CBC", 256, integrity="HMAC_SHA2_256_128"))
    return tunnel


def example_tunnels(index):
    """Per device: two healthy tunnels (IKEv2, IKEv1), one whose IPsec SA is missing, one
    configured but down, one still negotiating phase 1 (its peer does not answer)."""
    prefix = "dc%d" % index
    healthy = _install(_establish(_tunnel(index, 1, prefix + "-hq", 2), 1, "STATE_V2_ESTABLISHED_IKE_SA"),
                       2, "STATE_V2_ESTABLISHED_CHILD_SA", 1500000 + index)
    legacy = _install(_establish(_tunnel(index, 2, prefix + "-legacy", 1), 3, "STATE_MAIN_I4"),
                      4, "STATE_QUICK_I2", 700 + index)
    legacy["ike"]["dpd"] = {"delay": 30, "timeout": 150, "action": "restart"}
    degraded = _establish(_tunnel(index, 3, prefix + "-backup", 2), 5, "STATE_V2_ESTABLISHED_IKE_SA")
    degraded["ike"]["negotiation"] = model.new_negotiation(2, "IPsec SA not established")
    down = _tunnel(index, 4, prefix + "-branch", 2)
    connecting = _tunnel(index, 5, prefix + "-dr", 2)
    connecting.update(state="CONNECTING", native_state="STATE_V2_PARENT_I1")
    connecting["ike"].update(sa_id="6", native_state="STATE_V2_PARENT_I1", initiator=True,
                             negotiation=model.new_negotiation(1, "STATE_V2_PARENT_I1"))
    connecting["ike"]["remote"]["port"] = 500
    connecting["children"][0].update(state="CREATED", native_state="pending")
    return [healthy, legacy, degraded, down, connecting]
