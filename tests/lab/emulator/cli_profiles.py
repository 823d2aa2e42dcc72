"""How each netmiko device type's CLI behaves around the vendor's own commands.

A profile says what the prompt looks like in each mode, what to answer to the commands netmiko
4.8 sends while it prepares and closes a session (read from its session_preparation,
set_terminal_width, disable_paging, enable and check_config_mode of each driver), the pager
shown while paging is on, and how the vendor reports an unknown command. The server
(server.py) only follows these tables; vendor commands go to vendors/<platform>.py.

Mode names are ours; a Rule's command must match exactly (after collapsing spaces).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

PAGE_LINES = 24  # lines per page while paging is on, as a 24-line terminal would show


@dataclass(frozen=True)
class SessionView:
    """What a dynamic reply may depend on: one session's visible state."""
    hostname: str
    user: str
    mode: str
    paging: bool


Reply = Union[str, Callable[[SessionView], str]]


@dataclass(frozen=True)
class Question:
    """A question the CLI asks before a command takes effect (enable, sudo, ASA login)."""
    text: str                 # may use {user}
    answer: str               # the device attribute the answer must equal: username | password
    echo: bool = False        # passwords are not echoed, user names are


@dataclass(frozen=True)
class Rule:
    """A session command the CLI itself answers (never reaches the vendor module)."""
    command: str
    reply: Reply = ""         # printed after the command (str may use {hostname} and {user})
    modes: tuple = ()         # modes where the rule applies; () means every mode
    to_mode: str = ""         # mode after the command ("" keeps the mode)
    paging: bool | None = None  # switches this session's pager on or off
    ask: tuple = ()           # Questions; wrong answers leave the mode unchanged
    attempts: int = 1         # tries before giving up
    retry: str = ""           # printed after a wrong answer while tries remain
    refused: str = ""         # printed when every try was wrong


@dataclass(frozen=True)
class CliProfile:
    device_type: str
    prompts: dict             # mode -> prompt format ({hostname}, {user})
    start_mode: str
    rules: tuple
    unknown: str              # format: {command}, {word} (first word), {caret} (marker line)
    pager: str | None = None  # text shown after each page while paging is on; None: never pages
    paging_at_login: bool = True
    logout: tuple = ("exit", "quit", "logout")
    login_options: bool = False  # RouterOS: "admin+ct511w4098h" logs in as admin, no paging
    default_user: str = "admin"
    # Inventory sets ansible_become(_password): sudo on Linux, the enable password on ASA.
    become: bool = False

    def prompt(self, mode, hostname, user):
        return self.prompts[mode].format(hostname=hostname, user=user)

    def rule_for(self, mode, command):
        for rule in self.rules:
            if rule.command == command and (not rule.modes or mode in rule.modes):
                return rule
        return None

    def login_name(self, username):
        """The account a login name means: RouterOS takes options after '+'."""
        return username.split("+", 1)[0] if self.login_options else username

    def unknown_reply(self, command, prompt):
        caret = " " * len(prompt) + "^"
        return self.unknown.format(command=command, word=command.split()[0], caret=caret)


# --- Cisco IOS ------------------------------------------------------------------------------
# netmiko: "terminal width 511" (waits for its echo), "terminal length 0" (echo), then the
# prompt; cleanup looks for ")#" before "exit".
_IOS_CONFIG = "Enter configuration commands, one per line.  End with CNTL/Z."
CISCO_IOS = CliProfile(
    device_type="cisco_ios",
    prompts={"exec": "{hostname}>", "enable": "{hostname}#", "config": "{hostname}(config)#"},
    start_mode="enable",  # a privilege 15 account, as automation accounts usually are
    rules=(
        Rule("terminal width 511"),
        Rule("terminal length 0", paging=False),
        Rule("enable", modes=("enable", "config")),
        Rule("enable", modes=("exec",), to_mode="enable", ask=(Question("Password: ", "password"),),
             attempts=3, refused="% Bad secrets"),
        Rule("disable", modes=("enable",), to_mode="exec"),
        Rule("configure terminal", modes=("enable",), to_mode="config", reply=_IOS_CONFIG),
        Rule("end", modes=("config",), to_mode="enable"),
        Rule("exit", modes=("config",), to_mode="enable"),
    ),
    unknown="{caret}\n% Invalid input detected at '^' marker.",
    pager=" --More-- ",
)


# --- Cisco ASA ------------------------------------------------------------------------------
# netmiko: "show curpriv" (echo), the prompt, then "enable" + password when a secret is given,
# else "login" + Username/Password; "terminal pager 0"; "terminal width 511" inside
# "configure terminal" ... "end".
def _asa_curpriv(view):
    if view.mode == "exec":
        return "Username : %s\nCurrent privilege level : 1\nCurrent Mode/s : P_UNPR" % view.user
    mode = "P_CONF" if view.mode == "config" else "P_PRIV"
    return "Username : enable_15\nCurrent privilege level : 15\nCurrent Mode/s : %s" % mode


CISCO_ASA = CliProfile(
    device_type="cisco_asa",
    prompts={"exec": "{hostname}> ", "enable": "{hostname}# ", "config": "{hostname}(config)# "},
    start_mode="exec",
    rules=(
        Rule("show curpriv", reply=_asa_curpriv),
        Rule("enable", modes=("enable", "config")),
        Rule("enable", modes=("exec",), to_mode="enable", ask=(Question("Password: ", "password"),),
             attempts=3, retry="Invalid password", refused="Access denied."),
        Rule("login", modes=("exec",), to_mode="enable",
             ask=(Question("Username: ", "username", echo=True), Question("Password: ", "password")),
             refused="Login failed"),
        Rule("disable", modes=("enable",), to_mode="exec"),
        Rule("terminal pager 0", paging=False),
        Rule("configure terminal", modes=("enable",), to_mode="config"),
        Rule("terminal width 511", modes=("config",)),
        Rule("end", modes=("config",), to_mode="enable"),
        Rule("exit", modes=("config",), to_mode="enable"),
    ),
    unknown="{caret}\nERROR: % Invalid input detected at '^' marker.",
    pager="<--- More --->",
    become=True,
)


# --- Juniper Junos (SRX) --------------------------------------------------------------------
# netmiko waits for these exact replies; "user@host> " ends with a space it also looks for.
JUNIPER_JUNOS = CliProfile(
    device_type="juniper_junos",
    prompts={"operational": "{user}@{hostname}> "},
    start_mode="operational",
    rules=(
        Rule("set cli screen-width 511", reply="Screen width set to 511"),
        Rule("set cli complete-on-space off", reply="Disabling complete-on-space"),
        Rule("set cli screen-length 0", reply="Screen length set to 0", paging=False),
    ),
    unknown="{caret}\nunknown command.",
    pager="---(more)---",
)


# --- FortiOS ---------------------------------------------------------------------------------
# netmiko: "get system status | grep Virtual" (no VDOMs here), "... | grep Version" (v7), then
# "get system console" for the output mode; if "more": config system console / set output
# standard / end, and at logout the same with "set output more".
def _forti_console(view):
    return "\n".join([
        "mode                : line",
        "baudrate            : 9600",
        "output              : %s" % ("more" if view.paging else "standard"),
        "login               : enable",
        "fortiexplorer       : enable",
    ])


FORTINET = CliProfile(
    device_type="fortinet",
    prompts={"exec": "{hostname} # ", "console": "{hostname} (console) # "},
    start_mode="exec",
    rules=(
        Rule("get system status | grep Virtual", reply="Virtual domain configuration: disable"),
        Rule("get system status | grep Version",
             reply="Version: FortiGate-VM64 v7.2.5,build1517,230606 (GA.F)"),
        Rule("get system console", reply=_forti_console),
        Rule("config system console", modes=("exec",), to_mode="console"),
        Rule("set output standard", modes=("console",), paging=False),
        Rule("set output more", modes=("console",), paging=True),
        Rule("end", modes=("console",), to_mode="exec"),
    ),
    unknown="Unknown action 0\nCommand fail. Return code -61",
    pager="--More-- ",
    logout=("exit",),
)


# --- PAN-OS -----------------------------------------------------------------------------------
# netmiko logs in with keyboard-interactive auth, then: "set cli scripting-mode on" (waits for
# "> ... mode on" on one line), "set cli terminal width 500", "set cli pager off", the prompt,
# and "show system info" until it sees "operational-mode".
PANOS_SYSTEM_INFO = """\
hostname: {hostname}
ip-address: 198.18.1.254
netmask: 255.255.255.0
model: PA-VM
serial: 007200000000000
sw-version: 10.1.9
operational-mode: normal
"""

PALOALTO_PANOS = CliProfile(
    device_type="paloalto_panos",
    prompts={"op": "{user}@{hostname}> "},
    start_mode="op",
    rules=(
        Rule("set cli scripting-mode on"),
        Rule("set cli terminal width 500"),
        Rule("set cli pager off", paging=False),
        Rule("set cli pager on", paging=True),
        Rule("show system info", reply=PANOS_SYSTEM_INFO),
    ),
    unknown="Unknown command: {word}",
    pager="lines {first}-{last} ",
)


# --- MikroTik RouterOS ------------------------------------------------------------------------
# netmiko logs in as "admin+ct511w4098h" (no colours, dumb terminal, 511x4098): RouterOS takes
# the options after "+", and with them it never pages. netmiko sends nothing to prepare.
MIKROTIK_ROUTEROS = CliProfile(
    device_type="mikrotik_routeros",
    prompts={"cli": "[{user}@{hostname}] > "},
    start_mode="cli",
    rules=(),
    unknown="bad command name {word} (line 1 column 1)",
    pager="-- [Q quit|D dump|down]",
    logout=("quit", "/quit"),
    login_options=True,
)


# --- VyOS ---------------------------------------------------------------------------------
# netmiko: reads the prompt, "set terminal width 512" (waits for "terminal"), "set terminal
# length 0" (echo).
VYOS = CliProfile(
    device_type="vyos",
    prompts={"op": "{user}@{hostname}:~$ "},
    start_mode="op",
    rules=(
        Rule("set terminal width 512"),
        Rule("set terminal length 0", paging=False),
    ),
    unknown="\n  Invalid command: [{word}]\n",
    pager=":",
    default_user="vyos",
)


# --- Linux (strongSwan, Libreswan, WireGuard gateways) ----------------------------------------
# netmiko only reads the prompt; become is "sudo -s", answering "[sudo] password for USER:".
LINUX = CliProfile(
    device_type="linux",
    prompts={"user": "{user}@{hostname}:~$ ", "root": "root@{hostname}:~# "},
    start_mode="user",
    rules=(
        Rule("sudo -s", modes=("user",), to_mode="root",
             ask=(Question("[sudo] password for {user}: ", "password"),),
             attempts=3, retry="Sorry, try again.", refused="sudo: 3 incorrect password attempts"),
        Rule("sudo -s", modes=("root",)),
        Rule("exit", modes=("root",), to_mode="user"),
    ),
    unknown="-bash: {word}: command not found",
    pager=None,
    paging_at_login=False,
    become=True,
)


PROFILES = {profile.device_type: profile for profile in (
    CISCO_IOS, CISCO_ASA, JUNIPER_JUNOS, FORTINET, PALOALTO_PANOS, MIKROTIK_ROUTEROS, VYOS, LINUX)}


def profile_for(device_type):
    try:
        return PROFILES[device_type]
    except KeyError:
        raise ValueError("no CLI profile for netmiko device type %r; known: %s"
                         % (device_type, ", ".join(sorted(PROFILES)))) from None
