# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SSH sessions to devices with netmiko: connect, optionally become root, run commands.

Holds no module-level state: every Session owns its connection, so many sessions can run
side by side in threads (the fleet gathering mode relies on that). Secrets never enter an
error message.
"""

from __future__ import annotations

import codecs
import os
import re
import socket
import time

from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnTransportError

try:
    import netmiko
    from netmiko.exceptions import (
        NetmikoAuthenticationException,
        NetmikoTimeoutException,
        ReadException,
        ReadTimeout,
    )
except ImportError as import_error:  # ansible-doc and sanity tests must work without it
    netmiko = None
    NETMIKO_IMPORT_ERROR = import_error
    NetmikoAuthenticationException = NetmikoTimeoutException = ReadException = ReadTimeout = ()
    SSHException = ()
else:
    from paramiko.ssh_exception import SSHException

    NETMIKO_IMPORT_ERROR = None


def connection_spec(host, device_type, port=22, username=None, password=None,
                    private_key_file=None, become=False, become_password=None, timeout=30,
                    host_key_checking=True, known_hosts_file="~/.ssh/known_hosts"):
    """The plain dict a Session needs; built from inventory variables by the action plugin."""
    return {
        "host": host,
        "port": int(port or 22),
        "username": username,
        "password": password,
        "private_key_file": private_key_file,
        "device_type": device_type,
        "become": bool(become),
        "become_password": become_password,
        "timeout": int(timeout),
        "host_key_checking": bool(host_key_checking),
        "known_hosts_file": os.path.expanduser(known_hosts_file),
    }


def describe(spec):
    """user@host:port for messages; never includes a secret."""
    user = "%s@" % spec["username"] if spec.get("username") else ""
    return "%s%s:%s" % (user, spec["host"], spec["port"])


# netmiko's RouterOS driver keeps the prompt without its " >" and only matches the whole
# prompt when it asks for it again before each command.
ASK_PROMPT_EVERY_COMMAND = frozenset(("mikrotik_routeros",))
_READ_SIZE = 65536


class Session:
    """One SSH session: `with Session(spec) as session: text = session.run(command)`."""

    def __init__(self, spec):
        if netmiko is None:
            raise VpnTransportError(
                "the Python library netmiko is required on the controller (pip install netmiko):"
                " %s" % NETMIKO_IMPORT_ERROR)
        self.spec = spec
        self.connection = None
        self.broken = False  # a session that timed out or was cut is torn down, not logged out

    def __enter__(self):
        spec = self.spec
        params = {
            "device_type": spec["device_type"],
            "host": spec["host"],
            "port": spec["port"],
            "username": spec["username"],
            "password": spec["password"] or "",
            "conn_timeout": spec["timeout"],
            "auth_timeout": spec["timeout"],
            "banner_timeout": spec["timeout"],
            "read_timeout_override": None,
            "fast_cli": True,
            "secret": spec["become_password"] or "",
        }
        if spec["host_key_checking"]:
            # As Ansible does by default: only hosts whose key is already known are trusted.
            params.update(ssh_strict=True, system_host_keys=True, alt_host_keys=True,
                          alt_key_file=spec["known_hosts_file"])
        if spec["private_key_file"]:
            params.update(key_file=spec["private_key_file"], use_keys=True)
        else:
            params.update(use_keys=False, allow_agent=False)
        try:
            self.connection = netmiko.ConnectHandler(**params)
            if spec["become"]:
                self.connection.enable()
        except NetmikoAuthenticationException:
            raise VpnTransportError("authentication failed for %s" % describe(spec)) from None
        except NetmikoTimeoutException as error:
            raise VpnTransportError(_connect_failure(spec, error)) from None
        except ValueError as error:
            self._close()
            if "elevate privileges" in str(error):
                raise VpnTransportError("become (sudo) failed on %s: wrong become password or no"
                                        " sudo rights" % describe(spec)) from None
            raise VpnTransportError("cannot open a session on %s: %s" % (describe(spec), error)) from None
        except (OSError, EOFError) as error:
            raise VpnTransportError("cannot reach %s: %s" % (describe(spec), error)) from None
        except SSHException as error:
            raise VpnTransportError(_connect_failure(spec, error)) from None
        return self

    def run(self, command):
        connection = self.connection
        try:
            if self.spec["device_type"] in ASK_PROMPT_EVERY_COMMAND:
                return connection.send_command(command, read_timeout=self.spec["timeout"],
                                               strip_prompt=True, strip_command=True)
            return read_command(connection, command, self.spec["timeout"])
        except (ReadTimeout, SessionClosed) as error:
            self.broken = True
            # netmiko's own reads time out on a closed channel; ours say so
            closed = getattr(getattr(connection, "remote_conn", None), "closed", False)
            if closed or isinstance(error, SessionClosed):
                raise VpnTransportError("%s closed the session while running %r" % (
                    describe(self.spec), command)) from None
            raise VpnTransportError("%s did not finish %r within %ss" % (
                describe(self.spec), command, self.spec["timeout"])) from None
        except (OSError, EOFError, ReadException) as error:
            self.broken = True
            raise VpnTransportError("session to %s broke while running %r: %s" % (
                describe(self.spec), command, error)) from None

    def __exit__(self, *exc_info):
        self._close()

    def reopen(self):
        """Log in again after the session broke (a reset may cut the path it ran over)."""
        self._close()
        self.broken = False
        self.__enter__()

    def _close(self):
        if self.connection is not None:
            try:
                if self.broken:
                    # a polite logout would wait for a prompt that never comes
                    self.connection.paramiko_cleanup()
                else:
                    self.connection.disconnect()
            except Exception:  # a session that already broke has nothing left to close
                pass
            self.connection = None


def read_command(connection, command, timeout):
    """Send one command and return its output as netmiko's send_command(auto_find_prompt=False)
    does: read up to the command's echo, then up to the prompt learnt at login, and strip both.

    netmiko sleeps 10 ms before it looks for the echo and 25 ms between later reads; this
    waits in the channel's receive instead, so a command costs one round trip (about 35 ms
    less each, five commands a device), and a long output is searched once, not after each
    read.
    """
    reader = _ChannelReader(connection, time.monotonic() + timeout, command)
    echo = command.strip()
    connection.write_channel(connection.normalize_cmd(command))
    head, at = "", -1
    while at < 0:  # the echo first, so that a prompt printed before it cannot end the read
        searched = max(len(head) - len(echo) + 1, 0)
        head += reader.next_text()
        at = head.find(echo, searched)
    base_prompt = connection.base_prompt.strip()
    prompt = re.compile(re.escape(base_prompt))
    overlap = max(len(base_prompt) - 1, 0)  # a prompt split over two reads is still found
    parts = [head[at:]]
    window = head[at + len(echo):]
    while not prompt.search(window):
        text = reader.next_text()
        parts.append(text)
        window = (window[-overlap:] if overlap else "") + text
    # what send_command strips: the echo and the prompt
    return connection._sanitize_output("".join(parts), strip_command=True,
                                       command_string=command, strip_prompt=True)


class SessionClosed(EOFError):
    """The device ended the session before the command's prompt came back."""


class _ChannelReader:
    """The text a device sends, read as it comes until a deadline, cleaned as netmiko's own
    reads clean it (line endings, ANSI codes where the driver strips them)."""

    def __init__(self, connection, deadline, command):
        self.connection = connection
        self.deadline = deadline
        self.command = command
        self.decoder = codecs.getincrementaldecoder(connection.encoding)(errors="ignore")
        self.held = connection.read_channel()  # text netmiko kept back from earlier reads
        self.carried = ""  # a closing "\r" whose "\n" may be in the next read

    def next_text(self):
        if self.held:
            text, self.held = self.held, ""
            return text
        channel = self.connection.remote_conn
        raw = self.carried
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise ReadTimeout("no prompt after %r" % self.command)
            # paramiko's receive waits on a condition: no polling, and no channel.fileno(),
            # whose pipe paramiko may still write to after another thread closed it
            channel.settimeout(remaining)
            try:
                data = channel.recv(_READ_SIZE)
            except socket.timeout:
                continue
            if not data:
                raise SessionClosed()
            raw += self.decoder.decode(data)
            raw, self.carried = (raw[:-1], "\r") if raw.endswith("\r") else (raw, "")
            if raw:
                return self._clean(raw)

    def _clean(self, text):
        connection = self.connection
        if not connection.disable_lf_normalization:
            text = connection.normalize_linefeeds(text)
        if connection.ansi_escape_codes:
            text = connection.strip_ansi_escape_codes(text)
        return text


def _connect_failure(spec, error):
    """netmiko reports refused, timed out and rejected host keys alike; tell them apart."""
    text = str(error)
    if "known_hosts" in text:
        return ("host key of %s is not in %s (connect once with ssh to accept it, or set"
                " host_key_checking = False)" % (describe(spec), spec["known_hosts_file"]))
    if "TCP connection to device failed" in text:
        return "cannot reach %s: TCP connection failed (refused, or no route)" % describe(spec)
    if re.search(r"timed[- ]out|timeout", text, re.IGNORECASE):
        return "cannot reach %s: connection timed out after %ss" % (describe(spec), spec["timeout"])
    detail = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return "cannot open an SSH session to %s: %s" % (describe(spec), detail[:300])
