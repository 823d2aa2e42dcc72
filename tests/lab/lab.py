"""Test/demo lab of vpnops.tunnels: real strongSwan and OpenVPN gateways in network namespaces.

Each gateway is a network namespace ``vl-NAME`` whose processes share a private mount namespace
with a tmpfs on /run, so every charon, openvpn and sshd has its own pid files, VICI socket and
status file, just like a real box. Gateways talk IKE/OpenVPN over the bridge ``vl-wan``
(192.0.2.0/24, no address in the root namespace) and are managed over the bridge ``vl-mgmt``
(198.18.0.0/24, the root namespace is 198.18.0.1) where each runs its own sshd for the login
user ``vpnlab``. See README.md for the topology and the intended state of every tunnel.

Run as root with python3 (stdlib only):

    lab.py up                      build the lab (tears down a previous one first)
    lab.py down [--keep-logs]      remove everything ``up`` made
    lab.py status                  what is up, as JSON
    lab.py exec GATEWAY -- CMD...  run CMD as root inside a gateway (network + mount namespace)
    lab.py traffic [--count N]     ping through every installed CHILD_SA and OpenVPN tunnel

`up` also starts the emulated vendor devices (tests/lab/emulator, inventory emulated.yml): one
fleet process in the namespace ``vl-emu``, every device on its own 198.18.1.x address, port 22.
A platform whose vendor module does not exist yet is left out (logged); without asyncssh the
whole fleet is (it is a Python package from the project's venv, not a Debian one).

Importable: up(), down(), status(), exec_in(), traffic(), list_sas(), list_conns(),
openvpn_management(), emulated_status(). Needs root and the Debian packages listed in
REQUIRED_TOOLS; it installs nothing. Only loopback and addresses from 192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24 and 198.18.0.0/15 are used, all inside namespaces the lab
creates (plus 198.18.0.1 on vl-mgmt and a route to 198.18.1.0/24).
"""

import argparse
import contextlib
import fcntl
import importlib.util
import ipaddress
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------
LAB_DIR = Path(os.environ.get("VPNOPS_LAB_DIR", "/tmp/vpnops-lab"))
LOCK_FILE = Path(f"{LAB_DIR}.lock")  # outside LAB_DIR: `down` deletes LAB_DIR while locked
MARKER_FILE = ".vpnops-lab"  # LAB_DIR is only ever deleted when it holds this file
UP_TIMEOUT = 60.0  # seconds `up` waits for the intended tunnel states

LAB_USER = "vpnlab"
LAB_PASSWORD = "vpnlab-pass"  # also in inventory.yml; a throw-away user on a throw-away lab
USER_MARKER = "vpnops lab user, removed by tests/lab/lab.py down"  # GECOS of the user we own
SUDOERS_FILE = Path("/etc/sudoers.d/vpnops-lab")
SUDOERS_MARKER = "# vpnops-lab: created by tests/lab/lab.py up, removed by lab.py down"

MGMT_BRIDGE, MGMT_BRIDGE_ADDR = "vl-mgmt", "198.18.0.1/24"
WAN_BRIDGE = "vl-wan"  # deliberately without an address in the root namespace

# Emulated vendor devices: the fleet process runs in EMU_NETNS, attached to vl-mgmt as
# EMU_MGMT; all of EMU_NETWORK is local there (an AnyIP route on lo), so each device binds its
# own address without the lab knowing how many there are; the root namespace routes to it.
EMU_NETNS, EMU_VETH = "vl-emu", "vm-emu"
EMU_MGMT = "198.18.0.99"
EMU_NETWORK = "198.18.1.0/24"
EMU_FIRST_ADDRESS = "198.18.1.11"  # the addresses of tests/lab/emulated.yml start here
EMU_PER_PLATFORM = 2
EMU_START_TIMEOUT = 30.0
EMU_DIR = LAB_DIR / "emulated"  # status.json and inventory.yml of the running fleet
REPO = Path(__file__).resolve().parents[2]
FLEET_SCRIPT = REPO / "tests" / "lab" / "emulator" / "fleet.py"

HUB_ID = "hub.lab"
OVPN_SERVER_TUNNEL_ADDR = "198.19.10.1"
OVPN_NETWORK, OVPN_NETMASK = "198.19.10.0", "255.255.255.0"
OVPN_PORT = 1194
OVPN_SERVER_MGMT_PORT, OVPN_CLIENT_MGMT_PORT = 7505, 7506
OVPN_STATUS_FILE = "/run/openvpn-server/status-server.log"
# Every configured OpenVPN client (certificate + ccd file) and its static tunnel address.
OVPN_CLIENTS = {"client1": "198.19.10.11", "client2": "198.19.10.12", "client3": "198.19.10.13"}

# Binary -> Debian package, checked before anything is touched.
REQUIRED_TOOLS = {
    "ip": "iproute2", "nsenter": "util-linux", "unshare": "util-linux", "mount": "mount",
    "sysctl": "procps", "/usr/lib/ipsec/charon": "strongswan-charon",
    "/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so": "libcharon-extra-plugins",
    "/usr/sbin/swanctl": "strongswan-swanctl", "openvpn": "openvpn", "openssl": "openssl",
    "/usr/sbin/sshd": "openssh-server", "ssh-keygen": "openssh-client", "useradd": "passwd",
    "userdel": "passwd", "chpasswd": "passwd", "visudo": "sudo", "sudo": "sudo",
}


# --------------------------------------------------------------------------------------------
# Topology: the single source of truth for configs, waits, traffic and the smoke test.
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Gateway:
    name: str
    role: str  # strongswan | openvpn-server | openvpn-client
    wan: str  # outer address on vl-wan (/24)
    mgmt: str  # management address on vl-mgmt (/24), where its sshd listens
    sshd: bool = True
    vici_for_user: bool = False  # vpnlab may use charon's VICI socket without sudo
    ovpn_cn: str = ""  # OpenVPN clients: certificate common name
    ovpn_remote: str = ""  # OpenVPN clients: server address

    @property
    def netns(self) -> str:
        return f"vl-{self.name}"

    @property
    def veth_mgmt(self) -> str:  # root-namespace end of the management veth
        return f"vm-{self.name}"

    @property
    def veth_wan(self) -> str:  # root-namespace end of the WAN veth
        return f"vw-{self.name}"


GATEWAYS = (
    Gateway("hub", "strongswan", "192.0.2.1", "198.18.0.11"),
    Gateway("spoke1", "strongswan", "192.0.2.2", "198.18.0.12", vici_for_user=True),
    Gateway("spoke2", "strongswan", "192.0.2.3", "198.18.0.13", vici_for_user=True),
    Gateway("ovpn", "openvpn-server", "192.0.2.10", "198.18.0.21"),
    Gateway("ovpn-c1", "openvpn-client", "192.0.2.11", "198.18.0.22",
            ovpn_cn="client1", ovpn_remote="192.0.2.10"),
    Gateway("ovpn-c2", "openvpn-client", "192.0.2.12", "198.18.0.23", sshd=False,
            ovpn_cn="client2", ovpn_remote="192.0.2.10"),
    # client3 is "missing": its daemon runs but points at an address where nothing answers.
    Gateway("ovpn-c3", "openvpn-client", "192.0.2.13", "198.18.0.24",
            ovpn_cn="client3", ovpn_remote="192.0.2.98"),
)
GW = {gw.name: gw for gw in GATEWAYS}


@dataclass(frozen=True)
class Child:
    name: str
    local_ts: str
    remote_ts: str
    esp_proposals: str = "aes256gcm16,aes128-sha256"
    start: bool = False  # start_action=start: this side initiates as soon as it is loaded
    # False: no local address inside local_ts, so the route (and with kernel-libipsec the
    # whole CHILD_SA) cannot be installed here: a real "degraded" tunnel.
    address_on_lo: bool = True


@dataclass(frozen=True)
class Conn:
    name: str
    local_addr: str
    remote_addr: str
    local_id: str
    remote_id: str
    children: tuple[Child, ...]
    proposals: str = "aes256-sha256-modp2048,aes128-sha256-ecp256"
    dpd_delay: str = ""
    keyingtries: int | None = None  # 0 = retry for ever


def _tunnel(hub_conn: str, spoke: str, spoke_conn: str, spoke_id: str,
            children: list[tuple[str, str, str, bool]], esp: str = Child.esp_proposals,
            **options) -> tuple[Conn, Conn]:
    """Both ends of one hub<->spoke tunnel; the spoke initiates.

    children: (name, hub_ts, spoke_ts, spoke_has_address). Each tunnel gets its own spoke
    identity so the hub picks the right connection even when two share the same addresses.
    """
    hub, peer = GW["hub"], GW[spoke]
    hub_side = Conn(hub_conn, hub.wan, peer.wan, HUB_ID, spoke_id, tuple(
        Child(name, hub_ts, spoke_ts, esp) for name, hub_ts, spoke_ts, _has in children),
        **options)
    spoke_side = Conn(spoke_conn, peer.wan, hub.wan, spoke_id, HUB_ID, tuple(
        Child(name, spoke_ts, hub_ts, esp, start=True, address_on_lo=has_address)
        for name, hub_ts, spoke_ts, has_address in children), **options)
    return hub_side, spoke_side


def _ipsec_connections() -> dict[str, tuple[Conn, ...]]:
    hub_spoke1 = _tunnel("spoke1", "spoke1", "hub", "spoke1.lab", [
        ("lan", "203.0.113.0/28", "198.51.100.0/28", True),
        ("voice", "203.0.113.16/28", "198.51.100.16/28", True),
    ], dpd_delay="30s")
    legacy = _tunnel("legacy", "spoke1", "legacy", "spoke1-legacy.lab", [
        ("legacy-net", "203.0.113.32/28", "198.51.100.32/28", True),
    ], proposals="aes128-sha1-modp1024", esp="3des-sha1")
    hub_spoke2 = _tunnel("spoke2", "spoke2", "hub", "spoke2.lab", [
        ("lan", "203.0.113.64/28", "198.51.100.64/28", True),
        ("dmz", "203.0.113.80/28", "198.51.100.80/28", False),  # never installs: degraded
    ])
    backup = _tunnel("backup", "spoke2", "backup", "spoke2-backup.lab", [
        ("backup-net", "203.0.113.96/28", "198.51.100.96/28", False),  # IKE up, no child
    ])
    # Configured on the hub only, never initiated, no peer: shows in --list-conns only.
    branch9 = Conn("branch9", GW["hub"].wan, "192.0.2.97", HUB_ID, "branch9.lab", (
        Child("branch9-net", "203.0.113.112/28", "198.51.100.112/28"),))
    # Peer gone: spoke1 keeps retransmitting IKE_SA_INIT to an address nobody holds.
    dc2 = Conn("dc2", GW["spoke1"].wan, "192.0.2.99", "spoke1.lab", "dc2.lab", (
        Child("dc2-net", "198.51.100.48/28", "203.0.113.48/28", start=True),), keyingtries=0)
    return {
        "hub": (hub_spoke1[0], legacy[0], hub_spoke2[0], backup[0], branch9),
        "spoke1": (hub_spoke1[1], legacy[1], dc2),
        "spoke2": (hub_spoke2[1], backup[1]),
    }


IPSEC_CONNS = _ipsec_connections()

# Intended strongSwan state: gateway -> IKE_SA name -> (IKE state, installed children);
# None = configured but no SA at all. `up` waits for exactly this; the smoke test asserts it.
EXPECTED_SAS: dict[str, dict[str, tuple[str, tuple[str, ...]] | None]] = {
    "hub": {
        "spoke1": ("ESTABLISHED", ("lan", "voice")),
        "legacy": ("ESTABLISHED", ("legacy-net",)),
        "spoke2": ("ESTABLISHED", ("lan",)),  # dmz missing: degraded
        "backup": ("ESTABLISHED", ()),  # IKE up, no CHILD_SA at all
        "branch9": None,  # configured only
    },
    "spoke1": {
        "hub": ("ESTABLISHED", ("lan", "voice")),
        "legacy": ("ESTABLISHED", ("legacy-net",)),
        "dc2": ("CONNECTING", ()),  # peer gone
    },
    "spoke2": {
        "hub": ("ESTABLISHED", ("lan",)),
        "backup": ("ESTABLISHED", ()),
    },
}
EXPECTED_OVPN_CONNECTED = ("client1", "client2")  # client3 is configured but missing


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
class LabError(RuntimeError):
    """Anything that keeps the lab from being built, queried or removed; message is for humans."""


def run(argv: list[str], *, check: bool = True, timeout: float = 60,
        input: str | None = None) -> subprocess.CompletedProcess:
    """Run a command, capture text output; on failure raise LabError with command and stderr."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False,
                              input=input, stdin=None if input is not None else subprocess.DEVNULL)
    except FileNotFoundError as exc:
        raise LabError(f"command not found: {shlex.join(argv)}") from exc
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"command timed out after {timeout}s: {shlex.join(argv)}") from exc
    if check and proc.returncode != 0:
        detail = (proc.stderr.strip() or proc.stdout.strip() or "(no output)")
        raise LabError(f"command failed (rc={proc.returncode}): {shlex.join(argv)}\n{detail}")
    return proc


def wait_until(what: str, check, timeout: float, interval: float = 0.2):
    """Poll check() every `interval` seconds until it returns a truthy non-string value.

    A falsy value or a string means "not yet"; a string also says what is still missing and
    ends up in the LabError raised after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result and not isinstance(result, str):
            return result
        if time.monotonic() >= deadline:
            detail = f": {result}" if isinstance(result, str) and result else ""
            raise LabError(f"timed out after {timeout:.0f}s waiting for {what}{detail}")
        time.sleep(interval)


def _write(path: Path, text: str, mode: int = 0o644) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def _first_host(ts: str) -> str:
    """First host address of a traffic selector, e.g. 198.51.100.16/28 -> 198.51.100.17."""
    return str(ipaddress.ip_network(ts.split("[")[0], strict=False)[1])


def _gw_dir(gw: Gateway) -> Path:
    return LAB_DIR / "gw" / gw.name


def _log_path(gw: Gateway, daemon: str) -> Path:
    return LAB_DIR / "logs" / f"{gw.name}-{daemon}.log"


def log_tails(lines: int = 12) -> str:
    """The last lines of every process log of the lab, to diagnose a failed `up`."""
    out = []
    for path in sorted((LAB_DIR / "logs").glob("*.log")):
        tail = [line for line in path.read_text(errors="replace").splitlines()
                if "MANAGEMENT: " not in line][-lines:]  # skip our own status polling
        out.append(f"--- {path} (last {len(tail)} lines)\n" + "\n".join(tail))
    return "\n".join(out) or f"(no logs under {LAB_DIR / 'logs'})"


def check_requirements() -> None:
    """Fail early, before touching anything, if not root or a needed binary is missing."""
    if os.geteuid() != 0:
        raise LabError("the lab needs root (network namespaces, bridges, a login user)")
    absent = [tool for tool in REQUIRED_TOOLS
              if not (Path(tool).exists() if tool.startswith("/") else shutil.which(tool))]
    if absent:
        packages = sorted({REQUIRED_TOOLS[tool] for tool in absent})
        raise LabError(f"missing {', '.join(absent)}; install the Debian packages: "
                       f"apt-get install {' '.join(packages)}")


@contextlib.contextmanager
def _lab_lock():
    """Serialise up/down so two runs never build or tear down the same lab at once."""
    with open(LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------
# State file: everything `up` made, saved after every step so `down` can undo a half-built lab
# --------------------------------------------------------------------------------------------
STATE_FILE = LAB_DIR / "state.json"
_popen_children: dict[int, subprocess.Popen] = {}  # anchors started by this process, to reap


def load_state() -> dict:
    try:
        return json.loads(STATE_FILE.read_text())
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise LabError(f"unreadable state file {STATE_FILE}: {exc}") from exc


def save_state(state: dict) -> None:
    tmp = STATE_FILE.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
    os.replace(tmp, STATE_FILE)


def _record(state: dict, kind: str, item) -> None:
    state.setdefault(kind, []).append(item)
    save_state(state)


def _proc_starttime(pid: int) -> str | None:
    """Start time of a live (non-zombie) process, to make sure a PID was not reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] == "Z" else fields[19]


def _process_record(pid: int, cmd: str) -> dict:
    return {"pid": pid, "starttime": _proc_starttime(pid), "cmd": cmd}


def _alive(record: dict) -> bool:
    return record.get("starttime") is not None and \
        _proc_starttime(record["pid"]) == record["starttime"]


def _reap(pid: int) -> None:
    popen = _popen_children.pop(pid, None)
    if popen is not None:
        popen.poll()


def terminate(records: list[dict], grace: float = 5.0) -> list[int]:
    """SIGTERM the recorded processes that are still the same process, SIGKILL after grace."""
    targets = [r for r in records if _alive(r)]
    stopped = [r["pid"] for r in targets]
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 3.0)):
        for record in targets:
            with contextlib.suppress(ProcessLookupError):
                os.kill(record["pid"], sig)
        deadline = time.monotonic() + wait
        while targets and time.monotonic() < deadline:
            for record in targets:
                _reap(record["pid"])
            targets = [r for r in targets if _alive(r)]
            if targets:
                time.sleep(0.05)
        if not targets:
            break
    if targets:
        raise LabError(f"could not stop processes {[r['pid'] for r in targets]}")
    for record in records:
        _reap(record["pid"])
    return stopped


# --------------------------------------------------------------------------------------------
# Generated configuration
# --------------------------------------------------------------------------------------------
def _conf_block(name: str, body: dict, indent: int = 0) -> list[str]:
    """Render a strongswan.conf / swanctl.conf section: one `key = value` per line."""
    pad = "    " * indent
    lines = [f"{pad}{name} {{"]
    for key, value in body.items():
        if isinstance(value, dict):
            lines += _conf_block(key, value, indent + 1)
        elif isinstance(value, list):  # verbatim lines, e.g. an include
            lines += [f"{pad}    {line}" for line in value]
        else:
            lines.append(f"{pad}    {key} = {value}")
    return lines + [f"{pad}}}"]


def strongswan_conf(gw: Gateway) -> str:
    body = {
        "load_modular": "yes",
        "plugins": {
            "include": ["include /etc/strongswan.d/charon/*.conf"],
            # The kernel has no ESP/XFRM support: do ESP in userspace (TUN device ipsec0).
            "kernel-libipsec": {"load": "yes"},
            # bypass-lan would route the peers' own WAN subnet into ipsec0 and starve IKE.
            "bypass-lan": {"load": "no"},
            # /etc is shared with the host: never let a gateway rewrite /etc/resolv.conf.
            "resolve": {"load": "no"},
        },
        # No syslog daemon here: log to a file in the lab dir instead.
        "syslog": {"daemon": {"default": "-1"}, "auth": {"default": "-1"}},
        "filelog": {"lab": {
            "path": str(_log_path(gw, "charon")), "time_format": "%H:%M:%S",
            "append": "yes", "flush_line": "yes", "default": "1",
        }},
    }
    return "\n".join([f"# strongswan.conf of lab gateway {gw.name} (generated by lab.py);",
                      "# charon reads it through STRONGSWAN_CONF.",
                      *_conf_block("charon", body), ""])


def _psk(local_id: str, remote_id: str) -> str:
    return "vpnops-lab-" + "-".join(sorted((local_id, remote_id))).replace(".", "_")


def swanctl_conf(gw: Gateway) -> str:
    connections, secrets = {}, {}
    for conn in IPSEC_CONNS[gw.name]:
        body = {"version": "2", "local_addrs": conn.local_addr, "remote_addrs": conn.remote_addr,
                "proposals": conn.proposals}
        if conn.dpd_delay:
            body |= {"dpd_delay": conn.dpd_delay, "dpd_timeout": "150s"}
        if conn.keyingtries is not None:
            body["keyingtries"] = str(conn.keyingtries)
        body["local"] = {"auth": "psk", "id": conn.local_id}
        body["remote"] = {"auth": "psk", "id": conn.remote_id}
        body["children"] = {child.name: {
            "local_ts": child.local_ts, "remote_ts": child.remote_ts,
            "esp_proposals": child.esp_proposals,
            "start_action": "start" if child.start else "none",
        } for child in conn.children}
        connections[conn.name] = body
        secrets[f"ike-{conn.name}"] = {"id-1": conn.local_id, "id-2": conn.remote_id,
                                       "secret": _psk(conn.local_id, conn.remote_id)}
    return "\n".join([f"# swanctl.conf of lab gateway {gw.name} (generated by lab.py)",
                      *_conf_block("connections", connections),
                      *_conf_block("secrets", secrets), ""])


def lo_addresses(gw: Gateway) -> list[str]:
    """One address inside every local_ts that should install, so routes and children install."""
    addresses = []
    for conn in IPSEC_CONNS.get(gw.name, ()):
        for child in conn.children:
            if child.address_on_lo and _first_host(child.local_ts) not in addresses:
                addresses.append(_first_host(child.local_ts))
    return addresses


def sshd_config(gw: Gateway) -> str:
    return f"""\
# sshd of lab gateway {gw.name} (generated by lab.py); runs in the gateway's namespaces.
ListenAddress {gw.mgmt}:22
HostKey {_gw_dir(gw) / 'ssh_host_ed25519_key'}
PidFile /run/sshd.pid
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication no
# No PAM: passwords are checked against /etc/shadow, no logind/systemd in the lab.
UsePAM no
PermitRootLogin no
AllowUsers {LAB_USER}
AuthorizedKeysFile none
UseDNS no
PrintMotd no
PrintLastLog no
# Ansible and the fleet tests open many sessions at once.
MaxStartups 100:30:200
MaxSessions 50
Subsystem sftp internal-sftp
"""


def _pki(name: str) -> tuple[Path, Path]:
    return LAB_DIR / "pki" / f"{name}.crt", LAB_DIR / "pki" / f"{name}.key"


def _ovpn_common(gw: Gateway, cert_name: str, mgmt_port: int) -> str:
    cert, key = _pki(cert_name)
    return f"""\
# OpenVPN config of lab gateway {gw.name} (generated by lab.py)
dev tun
proto udp
ca {LAB_DIR / 'pki' / 'ca.crt'}
cert {cert}
key {key}
data-ciphers AES-256-GCM:AES-128-GCM
# no ovpn-dco kernel module here; use the classic tun data path
disable-dco
management 127.0.0.1 {mgmt_port}
verb 3
"""


def openvpn_conf(gw: Gateway) -> str:
    if gw.role == "openvpn-server":
        return _ovpn_common(gw, "server", OVPN_SERVER_MGMT_PORT) + f"""\
local {gw.wan}
port {OVPN_PORT}
topology subnet
# every client gets its address from its ccd file; unknown clients are refused
server {OVPN_NETWORK} {OVPN_NETMASK} nopool
client-config-dir {_gw_dir(gw) / 'ccd'}
ccd-exclusive
dh none
keepalive 2 10
status {OVPN_STATUS_FILE} 1
status-version 2
"""
    return _ovpn_common(gw, gw.ovpn_cn, OVPN_CLIENT_MGMT_PORT) + f"""\
client
remote {gw.ovpn_remote} {OVPN_PORT}
nobind
remote-cert-tls server
verify-x509-name server name
connect-retry 1 5
"""


def init_script(gw: Gateway) -> str:
    """Anchor of one gateway: private /run, the gateway's daemons, then stay alive.

    Started as `ip netns exec NS unshare -m --propagation private sh INIT`; its PID is what
    `nsenter -t PID -m -n` (lab.py exec) and SSH sessions share the namespaces with.
    """
    def q(path: Path) -> str:
        return shlex.quote(str(path))

    conf, pids = _gw_dir(gw), q(_gw_dir(gw) / "pids")
    if gw.role == "strongswan":
        daemons = [("charon", f"STRONGSWAN_CONF={q(conf / 'strongswan.conf')} "
                              f"/usr/lib/ipsec/charon >>{q(_log_path(gw, 'charon'))} 2>&1")]
    else:
        daemons = [("openvpn", f"/usr/sbin/openvpn --config {q(conf / 'openvpn.conf')} "
                               f">>{q(_log_path(gw, 'openvpn'))} 2>&1")]
    if gw.sshd:
        daemons.append(("sshd", f"/usr/sbin/sshd -D -f {q(conf / 'sshd_config')} "
                                f"-E {q(_log_path(gw, 'sshd'))}"))
    lines = [
        "#!/bin/sh",
        f"# Anchor of lab gateway {gw.name} (generated by lab.py): gives the gateway a",
        "# private /run (pid files, VICI socket, OpenVPN status file), starts its daemons,",
        "# records their PIDs for lab.py, then stays so `nsenter -t <this PID> -m -n` works.",
        "set -eu",
        "mount -t tmpfs -o mode=0755,size=16m vpnops-lab-run /run",
        "mkdir -m 0755 /run/sshd /run/openvpn-server",
        "umask 022",
    ]
    if gw.role == "openvpn-server":
        # openvpn creates its status file 0600 but keeps the mode of an existing one: let the
        # login user read it, as a monitoring account on a real server would.
        lines.append(f"install -m 0640 -g {LAB_USER} /dev/null {OVPN_STATUS_FILE}")
    for name, command in daemons:
        lines += [f"{command} &", f'echo "{name} $!" >>{pids}']
    lines += [f"echo ready >>{pids}",
              "set +e",
              "wait  # reap the daemons while they live",
              "exec sleep infinity", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Building blocks of `up`
# --------------------------------------------------------------------------------------------
def _openssl(*args: str) -> None:
    run(["openssl", *args])


def make_pki() -> None:
    """CA, OpenVPN server and client certificates; small EC keys so this takes ~0.1 s."""
    pki = LAB_DIR / "pki"
    pki.mkdir(mode=0o700, parents=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca_crt, ca_key = _pki("ca")
    _openssl("req", "-x509", *ec, "-keyout", str(ca_key), "-out", str(ca_crt), "-days", "30",
             "-subj", "/CN=vpnops-lab-ca", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    leaves = [("server", "serverAuth")] + [(cn, "clientAuth") for cn in OVPN_CLIENTS]
    for serial, (name, usage) in enumerate(leaves, start=2):
        crt, key = _pki(name)
        csr, ext = pki / f"{name}.csr", pki / f"{name}.ext"
        _write(ext, f"basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n"
                    f"extendedKeyUsage = {usage}\n", 0o600)
        _openssl("req", "-new", *ec, "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={name}")
        _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
                 "-set_serial", str(serial), "-days", "30", "-out", str(crt), "-extfile", str(ext))


def write_gateway_files(gw: Gateway) -> None:
    d = _gw_dir(gw)
    d.mkdir(mode=0o700, parents=True)
    if gw.sshd:
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"lab-{gw.name}",
             "-f", str(d / "ssh_host_ed25519_key")])
        _write(d / "sshd_config", sshd_config(gw), 0o600)
    if gw.role == "strongswan":
        _write(d / "strongswan.conf", strongswan_conf(gw))
        _write(d / "swanctl.conf", swanctl_conf(gw), 0o600)
    else:
        _write(d / "openvpn.conf", openvpn_conf(gw), 0o600)
    if gw.role == "openvpn-server":
        for cn, address in OVPN_CLIENTS.items():  # one file per configured client
            _write(d / "ccd" / cn, f"ifconfig-push {address} {OVPN_NETMASK}\n")
    _write(d / "init.sh", init_script(gw), 0o700)


def create_user(state: dict) -> None:
    try:
        existing = pwd.getpwnam(LAB_USER)
    except KeyError:
        existing = None
    if existing is not None:
        raise LabError(f"user {LAB_USER!r} already exists and was not made by the lab "
                       f"(GECOS {existing.pw_gecos!r}); remove it or pick another machine")
    run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash",
         "--comment", USER_MARKER, LAB_USER])
    _record(state, "users", LAB_USER)
    run(["chpasswd"], input=f"{LAB_USER}:{LAB_PASSWORD}\n")


def install_sudoers(state: dict) -> None:
    """vpnlab may sudo with its password (Ansible become on the hub, whose VICI is root-only)."""
    text = f"{SUDOERS_MARKER}\n{LAB_USER} ALL=(ALL:ALL) ALL\n"
    tmp = _write(LAB_DIR / "sudoers.tmp", text, 0o440)
    run(["visudo", "-c", "-q", "-f", str(tmp)])
    shutil.move(tmp, SUDOERS_FILE)
    _record(state, "files", str(SUDOERS_FILE))


def _disable_ipv6(dev: str) -> None:
    # No IPv6 link-local addresses: the lab uses only its documented IPv4 ranges.
    Path(f"/proc/sys/net/ipv6/conf/{dev}/disable_ipv6").write_text("1\n")


def create_network(state: dict) -> None:
    for bridge, address in ((MGMT_BRIDGE, MGMT_BRIDGE_ADDR), (WAN_BRIDGE, None)):
        run(["ip", "link", "add", bridge, "type", "bridge"])
        _record(state, "bridges", bridge)
        _disable_ipv6(bridge)
        if address:
            run(["ip", "addr", "add", address, "dev", bridge])
        run(["ip", "link", "set", bridge, "up"])
    for gw in GATEWAYS:
        run(["ip", "netns", "add", gw.netns])
        _record(state, "namespaces", gw.netns)
        run(["ip", "netns", "exec", gw.netns, "sysctl", "-q", "-w",
             "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"])
        in_ns = ["ip", "-n", gw.netns]
        run([*in_ns, "link", "set", "lo", "up"])  # OpenVPN management listens on 127.0.0.1
        for address in lo_addresses(gw):
            run([*in_ns, "addr", "add", f"{address}/32", "dev", "lo"])
        for host_end, inner, bridge, address in (
                (gw.veth_mgmt, "mgmt0", MGMT_BRIDGE, gw.mgmt),
                (gw.veth_wan, "wan0", WAN_BRIDGE, gw.wan)):
            run(["ip", "link", "add", host_end, "type", "veth", "peer", "name", inner,
                 "netns", gw.netns])
            _record(state, "veths", host_end)
            _disable_ipv6(host_end)
            run(["ip", "link", "set", host_end, "master", bridge, "up"])
            run([*in_ns, "addr", "add", f"{address}/24", "dev", inner])
            run([*in_ns, "link", "set", inner, "up"])


def start_gateway(state: dict, gw: Gateway) -> None:
    """Start the gateway's anchor in its netns with a private mount namespace."""
    init_log = open(_log_path(gw, "init"), "ab")
    with init_log:
        popen = subprocess.Popen(
            ["ip", "netns", "exec", gw.netns, "unshare", "-m", "--propagation", "private",
             "sh", str(_gw_dir(gw) / "init.sh")],
            stdin=subprocess.DEVNULL, stdout=init_log, stderr=subprocess.STDOUT,
            start_new_session=True)  # a Ctrl-C in the caller's terminal must not kill the lab
    _popen_children[popen.pid] = popen
    # `ip netns exec` and `unshare` exec (no fork), so popen.pid is the anchor shell itself.
    state.setdefault("gateways", {})[gw.name] = {
        "netns": gw.netns, "role": gw.role, "mgmt": gw.mgmt, "wan": gw.wan,
        "anchor": _process_record(popen.pid, "init.sh"), "processes": {}}
    save_state(state)


def collect_daemon_pids(state: dict, gw: Gateway) -> None:
    """Wait for the anchor to report its daemons' PIDs and record them."""
    pids_file = _gw_dir(gw) / "pids"
    anchor = state["gateways"][gw.name]["anchor"]

    def ready():
        if not _alive(anchor):
            raise LabError(f"gateway {gw.name}: init.sh exited early\n"
                           f"{_log_path(gw, 'init').read_text(errors='replace')[-2000:]}")
        return pids_file.exists() and "ready" in pids_file.read_text().split()

    wait_until(f"gateway {gw.name} to start its daemons", ready, 10, 0.02)
    for line in pids_file.read_text().splitlines():
        if line != "ready":
            name, pid = line.split()
            state["gateways"][gw.name]["processes"][name] = _process_record(int(pid), name)
    save_state(state)


def configure_strongswan(gw: Gateway) -> None:
    """Once charon listens: open VICI to vpnlab where wanted, then load the connections."""
    def vici_ready():
        proc = exec_in(gw.name, ["test", "-S", "/run/charon.vici"], check=False)
        return proc.returncode == 0 or "no /run/charon.vici yet"
    wait_until(f"charon on {gw.name}", vici_ready, 15, 0.05)
    if gw.vici_for_user:
        # charon makes the socket root:root 0770; the vpnlab group may then use it without sudo.
        exec_in(gw.name, ["chgrp", LAB_USER, "/run/charon.vici"])
    exec_in(gw.name, ["/usr/sbin/swanctl", "--load-all", "--noprompt",
                      "--file", str(_gw_dir(gw) / "swanctl.conf")])


def openvpn_initialized(gw: Gateway) -> bool | str:
    text = _log_path(gw, "openvpn").read_text(errors="replace") \
        if _log_path(gw, "openvpn").exists() else ""
    return "Initialization Sequence Completed" in text or f"{gw.name}: not initialised yet"


# --------------------------------------------------------------------------------------------
# Emulated vendor devices (tests/lab/emulator/fleet.py in the namespace vl-emu)
# --------------------------------------------------------------------------------------------
def fleet_python() -> str | None:
    """A Python that has asyncssh: this one, else the project's venv; None if neither."""
    if importlib.util.find_spec("asyncssh") is not None:
        return sys.executable
    venv = REPO / ".venv" / "bin" / "python"
    if venv.exists() and run([str(venv), "-c", "import asyncssh"], check=False).returncode == 0:
        return str(venv)
    return None


def create_emulated_network(state: dict) -> None:
    """The namespace vl-emu on vl-mgmt, owning every address of EMU_NETWORK."""
    run(["ip", "netns", "add", EMU_NETNS])
    _record(state, "namespaces", EMU_NETNS)
    run(["ip", "netns", "exec", EMU_NETNS, "sysctl", "-q", "-w",
         "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"])
    in_ns = ["ip", "-n", EMU_NETNS]
    run([*in_ns, "link", "set", "lo", "up"])
    run([*in_ns, "route", "add", "local", EMU_NETWORK, "dev", "lo"])
    run(["ip", "link", "add", EMU_VETH, "type", "veth", "peer", "name", "mgmt0",
         "netns", EMU_NETNS])
    _record(state, "veths", EMU_VETH)
    _disable_ipv6(EMU_VETH)
    run(["ip", "link", "set", EMU_VETH, "master", MGMT_BRIDGE, "up"])
    run([*in_ns, "addr", "add", f"{EMU_MGMT}/24", "dev", "mgmt0"])
    run([*in_ns, "link", "set", "mgmt0", "up"])
    run(["ip", "route", "add", EMU_NETWORK, "via", EMU_MGMT])
    _record(state, "routes", EMU_NETWORK)


def start_emulated_fleet(state: dict) -> None:
    """Start the fleet process (not waiting for it). Without asyncssh, note why and go on."""
    python = fleet_python()
    if python is None:
        state["emulated"] = {"skipped": "asyncssh is not installed (make python-deps installs "
                                        "it in .venv); emulated devices not started"}
        save_state(state)
        return
    EMU_DIR.mkdir(mode=0o755)
    log = open(LAB_DIR / "logs" / "emulated.log", "ab")
    with log:
        popen = subprocess.Popen(
            ["ip", "netns", "exec", EMU_NETNS, python, str(FLEET_SCRIPT), "serve",
             "--platforms", "all", "--per-platform", str(EMU_PER_PLATFORM),
             "--first-address", EMU_FIRST_ADDRESS, "--port", "22",
             "--status", str(EMU_DIR / "status.json"), "--inventory", str(EMU_DIR / "inventory.yml")],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=str(REPO),
            start_new_session=True)
    _popen_children[popen.pid] = popen
    # `ip netns exec` execs, so popen.pid is the fleet's Python itself.
    state["emulated"] = {"process": _process_record(popen.pid, "emulator fleet")}
    save_state(state)


def wait_for_emulated_fleet(state: dict, timeout: float = EMU_START_TIMEOUT) -> None:
    """The fleet writes its inventory once every device listens."""
    record = state.get("emulated", {}).get("process")
    if record is None:
        return

    def listening():
        if not _alive(record):
            raise LabError("the emulated fleet exited early\n" + (
                LAB_DIR / "logs" / "emulated.log").read_text(errors="replace")[-3000:])
        return (EMU_DIR / "inventory.yml").exists() or "inventory not written yet"

    wait_until("the emulated devices", listening, timeout, 0.05)
    state["emulated"].update(emulated_status())
    save_state(state)


def emulated_status() -> dict:
    """{'devices': {name: {platform, address, port}}, 'not_started': {platform: why}}."""
    try:
        return json.loads((EMU_DIR / "status.json").read_text())
    except FileNotFoundError:
        return {"devices": {}, "not_started": {}}


# --------------------------------------------------------------------------------------------
# Ground truth readers (also used by the smoke test)
# --------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"[{}\[\]]|[^\s{}\[\]]+")


def parse_vici_raw(text: str) -> list[dict]:
    """Parse `swanctl --list-sas/--list-conns --raw`: one `event {name {k=v l=[a b] s {..}}}`
    message per line. Lines without a message (plugin warnings on stderr merged) are skipped."""
    messages = []
    for line in text.splitlines():
        if "{" not in line:
            continue
        tokens = _TOKEN.findall(line[line.index("{") + 1:])
        messages.append(_parse_section(tokens, 0)[0])
    return messages


def _parse_section(tokens: list[str], i: int) -> tuple[dict, int]:
    section: dict = {}
    last_key = None  # values may hold spaces ("class=pre-shared key"): bare words continue them
    while i < len(tokens):
        token = tokens[i]
        if token == "}":
            return section, i + 1
        if token.endswith("=") and i + 1 < len(tokens) and tokens[i + 1] == "[":
            end = tokens.index("]", i + 2)
            section[token[:-1]] = tokens[i + 2:end]
            i, last_key = end + 1, None
        elif "=" in token:
            last_key, value = token.split("=", 1)
            section[last_key] = value
            i += 1
        elif i + 1 < len(tokens) and tokens[i + 1] == "{":
            section[token], i = _parse_section(tokens, i + 2)
            last_key = None
        elif last_key is not None:
            section[last_key] += " " + token
            i += 1
        else:
            raise LabError(f"unexpected token {token!r} in swanctl --raw output")
    return section, i


def list_sas(gateway: str) -> list[dict]:
    """IKE_SAs of a strongSwan gateway: [{'name': ..., 'state': ..., 'child-sas': {...}}]."""
    out = exec_in(gateway, ["/usr/sbin/swanctl", "--list-sas", "--raw"]).stdout
    return [{"name": name, **body} for message in parse_vici_raw(out)
            for name, body in message.items()]


def list_conns(gateway: str) -> dict[str, dict]:
    out = exec_in(gateway, ["/usr/sbin/swanctl", "--list-conns", "--raw"]).stdout
    return {name: body for message in parse_vici_raw(out) for name, body in message.items()}


def sa_summary(gateway: str) -> dict[str, list[dict]]:
    """IKE_SA name -> [{'state': ..., 'children': {child name: state}}] (several SAs possible)."""
    summary: dict[str, list[dict]] = {}
    for sa in list_sas(gateway):
        children = {c["name"]: c["state"] for c in sa.get("child-sas", {}).values()}
        summary.setdefault(sa["name"], []).append({"state": sa["state"], "children": children})
    return summary


_MGMT_CLIENT = r"""
import socket, sys
port, command = int(sys.argv[1]), sys.argv[2]
with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
    stream = sock.makefile("rw", newline="")
    stream.readline()  # banner
    stream.write(command + "\n"); stream.flush()
    for line in stream:
        line = line.rstrip("\r\n")
        if line.startswith(">"):  # asynchronous notifications, not our answer
            continue
        print(line)
        if line == "END" or line.startswith(("SUCCESS:", "ERROR:")):
            break
    stream.write("quit\n"); stream.flush()
"""


def openvpn_management(gateway: str, command: str) -> str:
    """Send one command to a gateway's OpenVPN management interface (127.0.0.1 in its netns)."""
    port = OVPN_SERVER_MGMT_PORT if GW[gateway].role == "openvpn-server" else OVPN_CLIENT_MGMT_PORT
    return exec_in(gateway, [sys.executable, "-c", _MGMT_CLIENT, str(port), command],
                   timeout=20).stdout


def openvpn_connected_clients(server: str = "ovpn") -> list[str]:
    """Common names in the server's `status 3` CLIENT_LIST (tab separated)."""
    return [line.split("\t")[1] for line in openvpn_management(server, "status 3").splitlines()
            if line.startswith("CLIENT_LIST\t")]


def openvpn_client_state(gateway: str) -> str:
    """CONNECTED, WAIT, AUTH, ... from the client's `state` command."""
    for line in openvpn_management(gateway, "state").splitlines():
        fields = line.split(",")
        if len(fields) > 1 and fields[0].isdigit():
            return fields[1]
    return "UNKNOWN"


# --------------------------------------------------------------------------------------------
# Waiting for the intended state
# --------------------------------------------------------------------------------------------
def strongswan_mismatches(gateway: str, settled: bool = True) -> list[str]:
    """Differences between a gateway's SAs and EXPECTED_SAS; settled=True also wants no IKE
    exchange in flight, so a child that is about to fail (dmz) is not mistaken for absent."""
    problems = []
    sas: dict[str, list[dict]] = {}
    for sa in list_sas(gateway):
        sas.setdefault(sa["name"], []).append(sa)
    for name in sas.keys() - EXPECTED_SAS[gateway].keys():
        problems.append(f"{gateway}: unexpected IKE_SA {name}")
    for name, expected in EXPECTED_SAS[gateway].items():
        found = sas.get(name, [])
        if expected is None:
            if found:
                problems.append(f"{gateway}: {name} should have no SA, has {len(found)}")
            continue
        state, children = expected
        if state == "CONNECTING":  # retries for ever: one attempt or, briefly, the next
            if not found or any(sa["state"] != "CONNECTING" for sa in found):
                problems.append(f"{gateway}: {name} should be CONNECTING, is "
                                f"{[sa['state'] for sa in found]}")
            continue
        if len(found) != 1 or found[0]["state"] != state:
            problems.append(f"{gateway}: {name} should be one {state} IKE_SA, is "
                            f"{[sa['state'] for sa in found]}")
            continue
        sa = found[0]
        actual = sorted((c["name"], c["state"]) for c in sa.get("child-sas", {}).values())
        if actual != sorted((child, "INSTALLED") for child in children):
            problems.append(f"{gateway}: {name} children {actual}, want {list(children)} INSTALLED")
        busy = [t for key in ("tasks-queued", "tasks-active", "tasks-passive")
                for t in sa.get(key, [])]
        if settled and busy:
            problems.append(f"{gateway}: {name} still busy with {busy}")
    return problems


def openvpn_mismatches() -> list[str]:
    problems = []
    connected = openvpn_connected_clients()
    if sorted(connected) != sorted(EXPECTED_OVPN_CONNECTED):
        problems.append(f"ovpn: connected clients {sorted(connected)}, "
                        f"want {list(EXPECTED_OVPN_CONNECTED)}")
    for gw in GATEWAYS:
        # The client's own log, not its management port: polling that would flood its log.
        if gw.ovpn_cn in EXPECTED_OVPN_CONNECTED and openvpn_initialized(gw) is not True:
            problems.append(f"{gw.name}: OpenVPN client not connected yet")
    return problems


def lab_mismatches() -> list[str]:
    problems = []
    for gateway in EXPECTED_SAS:
        problems += strongswan_mismatches(gateway)
    return problems + openvpn_mismatches()


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def up(timeout: float = UP_TIMEOUT) -> dict:
    """Build the lab from scratch (a previous or half-built lab is torn down first) and wait
    until every tunnel is in its intended state. Returns a summary; raises LabError."""
    check_requirements()
    with _lab_lock():
        started = time.monotonic()
        _down_locked(keep_logs=False)
        LAB_DIR.mkdir(mode=0o700, parents=True)
        (LAB_DIR / MARKER_FILE).write_text("created by tests/lab/lab.py\n")
        (LAB_DIR / "logs").mkdir()
        state: dict = {"lab_dir": str(LAB_DIR), "phase": "building", "started": time.time()}
        save_state(state)
        try:
            _build(state, timeout, started)
        except LabError as exc:
            state["phase"] = "failed"
            save_state(state)
            raise LabError(f"{exc}\n\n{log_tails()}\n\nThe half-built lab is left for "
                           "diagnosis (lab.py status / exec); remove it with: lab.py down"
                           ) from exc
        state["phase"] = "up"
        state["up_seconds"] = round(time.monotonic() - started, 1)
        save_state(state)
        return {"lab_dir": str(LAB_DIR), "seconds": state["up_seconds"],
                "gateways": {gw.name: {"netns": gw.netns, "mgmt": gw.mgmt, "wan": gw.wan,
                                       "sshd": gw.sshd} for gw in GATEWAYS},
                "emulated": {key: value for key, value in state["emulated"].items()
                             if key != "process"}}


def _build(state: dict, timeout: float, started: float) -> None:
    make_pki()
    for gw in GATEWAYS:
        write_gateway_files(gw)
    create_user(state)
    install_sudoers(state)
    create_network(state)
    create_emulated_network(state)
    start_emulated_fleet(state)  # starts while the gateways do; waited for at the end
    # strongSwan and the OpenVPN server start together; clients once the server listens.
    first = [gw for gw in GATEWAYS if gw.role != "openvpn-client"]
    clients = [gw for gw in GATEWAYS if gw.role == "openvpn-client"]
    for gw in first:
        start_gateway(state, gw)
    for gw in first:
        collect_daemon_pids(state, gw)
    # The hub first: the spokes initiate as soon as their connections are loaded.
    for gw in sorted((g for g in first if g.role == "strongswan"), key=lambda g: g.name != "hub"):
        configure_strongswan(gw)
    wait_until("the OpenVPN server", lambda: openvpn_initialized(GW["ovpn"]), 15)
    for gw in clients:
        start_gateway(state, gw)
    for gw in clients:
        collect_daemon_pids(state, gw)
    remaining = max(1.0, timeout - (time.monotonic() - started))
    wait_until("the intended tunnel states",
               lambda: "; ".join(lab_mismatches()) or True, remaining, 0.25)
    wait_for_emulated_fleet(state)


def down(keep_logs: bool = False) -> dict:
    """Remove everything `up` made. Idempotent; succeeds when nothing is up."""
    if os.geteuid() != 0:
        raise LabError("the lab needs root")
    with _lab_lock():
        removed = _down_locked(keep_logs)
    with contextlib.suppress(FileNotFoundError):
        LOCK_FILE.unlink()
    return removed


def _ns_exists(netns: str) -> bool:
    return Path(f"/run/netns/{netns}").exists()


def _link_exists(dev: str) -> bool:
    return Path(f"/sys/class/net/{dev}").exists()


def _route_exists(network: str) -> bool:
    """Our route to the emulated devices (one to the same network via another hop is not ours)."""
    shown = run(["ip", "route", "show", "exact", network], check=False).stdout
    return f"via {EMU_MGMT} " in shown


def _down_locked(keep_logs: bool) -> dict:
    state = load_state()
    removed: dict[str, list] = {"processes": [], "namespaces": [], "links": [], "users": [],
                                "files": []}
    # 1. Daemons first, then the anchors, by recorded PID (checked against their start time).
    gateways = state.get("gateways", {}).values()
    daemons = [rec for g in gateways for rec in g.get("processes", {}).values()]
    if "process" in state.get("emulated", {}):
        daemons.append(state["emulated"]["process"])
    removed["processes"] += terminate(daemons)
    removed["processes"] += terminate([g["anchor"] for g in gateways if "anchor" in g])
    # 2. Whatever else still lives in our namespaces: SSH sessions, sudo, leftovers of a crash
    #    that happened before the state file recorded a PID. Only our own vl-* namespaces.
    namespaces = list(dict.fromkeys(state.get("namespaces", []) + [g.netns for g in GATEWAYS]
                                    + [EMU_NETNS]))
    for netns in namespaces:
        if _ns_exists(netns):
            pids = run(["ip", "netns", "pids", netns]).stdout.split()
            removed["processes"] += terminate(
                [_process_record(int(pid), "left in " + netns) for pid in pids])
    # 3. Links (deleting one end of a veth removes both), namespaces, bridges.
    for network in dict.fromkeys(state.get("routes", []) + [EMU_NETWORK]):
        if _route_exists(network):
            run(["ip", "route", "del", network])
    veths = state.get("veths", []) + [v for g in GATEWAYS for v in (g.veth_mgmt, g.veth_wan)] \
        + [EMU_VETH]
    for dev in dict.fromkeys(veths):
        if _link_exists(dev):
            run(["ip", "link", "del", dev])
            removed["links"].append(dev)
    for netns in namespaces:
        if _ns_exists(netns):
            run(["ip", "netns", "del", netns])
            removed["namespaces"].append(netns)
    for bridge in dict.fromkeys(state.get("bridges", []) + [MGMT_BRIDGE, WAN_BRIDGE]):
        if _link_exists(bridge):
            run(["ip", "link", "del", bridge])
            removed["links"].append(bridge)
    # 4. The login user and the sudoers drop-in, but only ours (checked by their markers).
    try:
        user = pwd.getpwnam(LAB_USER)
    except KeyError:
        user = None
    if user is not None and user.pw_gecos == USER_MARKER:
        proc = run(["userdel", "--remove", LAB_USER], check=False)
        if proc.returncode not in (0, 12):  # 12: home/mail spool already gone
            raise LabError(f"userdel --remove {LAB_USER} failed (rc={proc.returncode}): "
                           f"{proc.stderr.strip()}")
        removed["users"].append(LAB_USER)
    if SUDOERS_FILE.exists() and SUDOERS_MARKER in SUDOERS_FILE.read_text():
        SUDOERS_FILE.unlink()
        removed["files"].append(str(SUDOERS_FILE))
    # 5. The lab dir (configs, keys, PKI, state), only if it carries our marker.
    if (LAB_DIR / MARKER_FILE).exists():
        if keep_logs:
            for entry in LAB_DIR.iterdir():
                if entry.name != "logs":
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        else:
            shutil.rmtree(LAB_DIR)
        removed["files"].append(str(LAB_DIR) + ("/* (logs kept)" if keep_logs else ""))
    left = leftovers(ignore_lab_dir=keep_logs)
    if left:
        raise LabError(f"still present after tearing the lab down: {', '.join(left)}")
    return removed


def lab_processes() -> list[int]:
    """Live processes that belong to a lab: their command line names a config under LAB_DIR/gw
    (anchors, sshd, openvpn) or their environment points charon at one. (Someone's
    `tail -f` of a lab log is not one of them.)"""
    cmd_needle = f"{LAB_DIR}/gw/".encode()
    env_needle = b"STRONGSWAN_CONF=" + cmd_needle
    fleet_needle = f"{EMU_DIR}/".encode()  # the emulated fleet names its files there
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            if cmd_needle in cmdline or fleet_needle in cmdline \
                    or env_needle in (entry / "environ").read_bytes():
                pids.append(int(entry.name))
        except OSError:  # gone meanwhile, or a kernel thread
            continue
    return pids


def leftovers(ignore_lab_dir: bool = False) -> list[str]:
    """Anything of a lab that still exists; empty after a successful `down`."""
    left = [f"netns {ns}" for ns in [g.netns for g in GATEWAYS] + [EMU_NETNS] if _ns_exists(ns)]
    devices = [MGMT_BRIDGE, WAN_BRIDGE, EMU_VETH] + [v for g in GATEWAYS
                                                     for v in (g.veth_mgmt, g.veth_wan)]
    left += [f"link {dev}" for dev in devices if _link_exists(dev)]
    left += [f"route {EMU_NETWORK}"] if _route_exists(EMU_NETWORK) else []
    with contextlib.suppress(KeyError):
        left.append(f"user {pwd.getpwnam(LAB_USER).pw_name}")
    left += [f"file {path}" for path in (SUDOERS_FILE, Path("/home") / LAB_USER)
             + (() if ignore_lab_dir else (LAB_DIR,)) if path.exists()]
    left += [f"process {pid}" for pid in lab_processes()]
    return left


def _anchor_pid(gateway: str) -> int:
    if gateway not in GW:
        raise LabError(f"unknown gateway {gateway!r}; known: {', '.join(GW)}")
    record = load_state().get("gateways", {}).get(gateway, {}).get("anchor")
    if not record or not _alive(record):
        raise LabError(f"gateway {gateway} is not running; start the lab with: lab.py up")
    return record["pid"]


def exec_in(gateway: str, argv: list[str], *, check: bool = True, timeout: float = 60,
            input: str | None = None) -> subprocess.CompletedProcess:
    """Run argv as root inside a gateway's network + mount namespace; returns the
    CompletedProcess (text stdout/stderr). check=True raises LabError on a non-zero exit."""
    pid = _anchor_pid(gateway)
    return run(["nsenter", "-t", str(pid), "-m", "-n", "--", *argv],
               check=check, timeout=timeout, input=input)


_PING = r"""
import os, socket, struct, sys, time
src, dst, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
def checksum(data):
    data += b"\0" * (len(data) % 2)
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    return ~(total + (total >> 16)) & 0xFFFF
ident, payload = os.getpid() & 0xFFFF, b"vpnops-lab-traffic " * 3
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
if src:
    sock.bind((src, 0))
received = 0
for seq in range(count):
    header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    sock.sendto(struct.pack("!BBHHH", 8, 0, checksum(header + payload), ident, seq) + payload,
                (dst, 0))
    deadline = time.monotonic() + 2
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            data, (addr, _) = sock.recvfrom(4096)
        except socket.timeout:
            break
        ihl = (data[0] & 0x0F) * 4
        kind, _, _, rid, rseq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
        if kind == 0 and rid == ident and rseq == seq and addr == dst:
            received += 1
            break
print(received)
"""


def _ping(gateway: str, src: str, dst: str, count: int) -> int:
    """ICMP echo from src to dst inside a gateway (iputils-ping is not needed); replies."""
    out = exec_in(gateway, [sys.executable, "-c", _PING, src, dst, str(count)],
                  timeout=10 + 3 * count).stdout
    return int(out.strip() or 0)


def traffic(count: int = 3) -> list[dict]:
    """Ping through every installed CHILD_SA (between the local_ts addresses on lo) and from
    every connected OpenVPN client to the server's tunnel address, so counters move.
    Returns one entry per path; raises LabError if a path got no reply at all."""
    results, seen = [], set()
    for gateway in EXPECTED_SAS:
        for sa in list_sas(gateway):
            for child in sa.get("child-sas", {}).values():
                if child.get("state") != "INSTALLED":
                    continue
                src, dst = _first_host(child["local-ts"][0]), _first_host(child["remote-ts"][0])
                if frozenset((src, dst)) in seen:  # the peer's view of the same child
                    continue
                seen.add(frozenset((src, dst)))
                results.append({"gateway": gateway, "path": f"{sa['name']}/{child['name']}",
                                "src": src, "dst": dst, "sent": count,
                                "received": _ping(gateway, src, dst, count)})
    connected = set(openvpn_connected_clients())
    for gw in GATEWAYS:
        if gw.ovpn_cn in connected:
            results.append({"gateway": gw.name, "path": f"openvpn/{gw.ovpn_cn}",
                            "src": OVPN_CLIENTS[gw.ovpn_cn], "dst": OVPN_SERVER_TUNNEL_ADDR,
                            "sent": count,
                            "received": _ping(gw.name, "", OVPN_SERVER_TUNNEL_ADDR, count)})
    dead = [f"{r['gateway']} {r['path']} {r['src']}->{r['dst']}" for r in results
            if r["received"] == 0]
    if dead:
        raise LabError(f"no replies through: {'; '.join(dead)}")
    return results


def status() -> dict:
    """What is up: recorded objects, liveness of every process, live tunnel summaries."""
    state = load_state()
    if not state:
        leftovers = [g.netns for g in GATEWAYS if _ns_exists(g.netns)]
        return {"up": False, "lab_dir": str(LAB_DIR), "leftover_namespaces": leftovers}
    report = {"up": state.get("phase") == "up", "phase": state.get("phase"),
              "lab_dir": str(LAB_DIR), "up_seconds": state.get("up_seconds"),
              "user": LAB_USER, "password": LAB_PASSWORD,
              "bridges": {b: _link_exists(b) for b in state.get("bridges", [])},
              "gateways": {}}
    for name, g in state.get("gateways", {}).items():
        entry = {"netns": g["netns"], "mgmt": g["mgmt"], "wan": g["wan"],
                 "anchor": {"pid": g["anchor"]["pid"], "alive": _alive(g["anchor"])},
                 "processes": {p: {"pid": r["pid"], "alive": _alive(r)}
                               for p, r in g.get("processes", {}).items()}}
        try:
            if g["role"] == "strongswan":
                entry["sas"] = sa_summary(name)
            elif g["role"] == "openvpn-server":
                entry["clients"] = openvpn_connected_clients(name)
            else:
                entry["state"] = openvpn_client_state(name)
        except LabError as exc:
            entry["error"] = str(exc)
        report["gateways"][name] = entry
    emulated = state.get("emulated", {})
    report["emulated"] = {key: value for key, value in emulated.items() if key != "process"}
    if "process" in emulated:
        report["emulated"].update(emulated_status())
        report["emulated"].update(pid=emulated["process"]["pid"], alive=_alive(emulated["process"]))
    return report


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------
def _emulated_summary(emulated: dict) -> str:
    if "skipped" in emulated:
        return f"emulated devices: none ({emulated['skipped']})"
    devices = emulated.get("devices", {})
    lines = [f"emulated devices (inventory tests/lab/emulated.yml, ssh port 22): {len(devices)} up"]
    lines += [f"  {name:18} {d['platform']:18} {d['address']}" for name, d in devices.items()]
    lines += [f"  not started: {platform}: {why}"
              for platform, why in emulated.get("not_started", {}).items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_up = sub.add_parser("up", help="build the lab (tears down a previous one first)")
    p_up.add_argument("--timeout", type=float, default=UP_TIMEOUT)
    p_down = sub.add_parser("down", help="remove everything up made")
    p_down.add_argument("--keep-logs", action="store_true", help=f"keep {LAB_DIR}/logs")
    sub.add_parser("status", help="print what is up (JSON)")
    p_exec = sub.add_parser("exec", help="run a command as root inside a gateway")
    p_exec.add_argument("gateway", choices=list(GW))
    p_exec.add_argument("cmd", nargs=argparse.REMAINDER, help="-- CMD [ARGS...]")
    p_traffic = sub.add_parser("traffic", help="ping through every tunnel that is up")
    p_traffic.add_argument("--count", type=int, default=3)
    args = parser.parse_args(argv)

    try:
        if args.command == "up":
            summary = up(args.timeout)
            print(f"lab up in {summary['seconds']} s (lab dir {summary['lab_dir']}); "
                  f"ssh {LAB_USER}@<mgmt>, password {LAB_PASSWORD}")
            for name, g in summary["gateways"].items():
                print(f"  {name:8} {g['netns']:11} mgmt {g['mgmt']:12} wan {g['wan']:11}"
                      f" {'sshd' if g['sshd'] else ''}")
            print(_emulated_summary(summary["emulated"]))
        elif args.command == "down":
            started = time.monotonic()
            removed = down(args.keep_logs)
            print(json.dumps({"removed": removed,
                              "seconds": round(time.monotonic() - started, 1)}, indent=2))
        elif args.command == "status":
            print(json.dumps(status(), indent=2))
        elif args.command == "exec":
            cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
            if not cmd:
                parser.error("exec needs a command: lab.py exec GATEWAY -- CMD...")
            pid = _anchor_pid(args.gateway)
            sys.stdout.flush()
            os.execvp("nsenter", ["nsenter", "-t", str(pid), "-m", "-n", "--", *cmd])
        elif args.command == "traffic":
            for r in traffic(args.count):
                print(f"{r['gateway']:8} {r['path']:22} {r['src']:>15} -> {r['dst']:15} "
                      f"{r['received']}/{r['sent']} replies")
    except LabError as exc:
        print(f"lab.py {args.command}: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
