"""The SSH side of the emulator: many EmulatedDevices served from one asyncio event loop.

Each device listens on its own (address, port). A login is checked against the device's
username/password; the shell is driven by the device type's CLI profile (cli_profiles.py)
and every other command goes to the vendor module (vendors/<platform>.py): reset() first,
then render(), else the profile's unknown-command text.

asyncssh's line editor is off: it races its echo against our prompt under load. Input is
echoed here, in the same coroutine that answers it, so echo, output and prompt always come
in order. Everything a session knows lives in its CliSession; nothing is global except
the host key, generated once per process.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import random
import string
import warnings

import asyncssh

from .cli_profiles import PAGE_LINES, SessionView, profile_for

log = logging.getLogger(__name__)

GARBAGE_LINES = 12
GARBAGE_ALPHABET = string.ascii_letters + string.digits

# netmiko's FortiOS driver only offers finite-field Diffie-Hellman key exchanges, which the
# cryptography library warns about on every login.
warnings.filterwarnings("ignore", message="Diffie-Hellman over finite fields",
                        module=r"asyncssh\.crypto\.dh")


class _ClientHangupFilter(logging.Filter):
    """netmiko closes its socket right after sending its logout command, so the last writes
    of nearly every session (echo, exit status) hit a closed socket and asyncio warns."""

    def filter(self, record):
        return record.getMessage() != "socket.send() raised exception."


logging.getLogger("asyncio").addFilter(_ClientHangupFilter())


class SessionEnded(Exception):
    """The client went away (EOF) or the session was closed on purpose."""


class VendorMissing(LookupError):
    """There is no vendors/<platform>.py (yet)."""


@functools.lru_cache(maxsize=None)
def host_key():
    """One ed25519 host key per process: fast to make, shared by every device."""
    return asyncssh.generate_private_key("ssh-ed25519")


def load_vendor(platform):
    """vendors/<platform>.py of this package, imported by name."""
    name = "%s.vendors.%s" % (__package__, platform)
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:  # the vendor module exists but imports something missing
            raise
        raise VendorMissing("no vendor module vendors/%s.py" % platform) from None


def vendor_profile(vendor):
    return profile_for(vendor.NETMIKO_DEVICE_TYPE)


# --------------------------------------------------------------------------------------------
# Login
# --------------------------------------------------------------------------------------------
class DeviceLogin(asyncssh.SSHServer):
    """Password (and keyboard-interactive, which asyncssh maps onto it) login to one device."""

    def __init__(self, device, profile, connections):
        self._device = device
        self._profile = profile
        self._connections = connections
        self._connection = None

    def connection_made(self, conn):
        self._connection = conn
        self._connections.add(conn)

    def connection_lost(self, exc):
        self._connections.discard(self._connection)

    def begin_auth(self, username):
        return True  # every login needs a password

    def password_auth_supported(self):
        return True

    def validate_password(self, username, password):
        if "wrong_password" in self._device.faults:
            return False
        return (self._profile.login_name(username), password) == (
            self._device.username, self._device.password)


# --------------------------------------------------------------------------------------------
# Input: lines ended by CR, LF or CRLF, echoed as a terminal would
# --------------------------------------------------------------------------------------------
class LineReader:
    def __init__(self, stdin, write):
        self._stdin = stdin
        self._write = write
        self._buffer = ""
        self._echoed = 0        # characters of the unfinished line already echoed
        self._skip_lf = False   # the last chunk ended in CR: an LF that follows is its pair

    async def readline(self, echo=True):
        """The next line without its end; raises SessionEnded at EOF."""
        while True:
            end = _line_end(self._buffer)
            if end >= 0:
                line = self._buffer[:end]
                self._consume(end)
                if echo:
                    self._write(line[self._echoed:])
                self._write("\r\n")  # Enter moves to a new line, even after a hidden password
                self._echoed = 0
                return line
            if echo and len(self._buffer) > self._echoed:
                self._write(self._buffer[self._echoed:])
                self._echoed = len(self._buffer)
            await self._receive()

    async def read_key(self):
        """One key press (CRLF counts as one), not echoed: answers a pager."""
        while not self._buffer:
            await self._receive()
        key = self._buffer[0]
        if key in "\r\n":
            self._consume(0)
        else:
            self._buffer = self._buffer[1:]
        return key

    async def discard_all(self):
        """Read and drop input until the client leaves (a hung device)."""
        while True:
            await self._receive()
            self._buffer = ""

    def _consume(self, end):
        """Drop the line end at index `end`, a CRLF pair as one."""
        rest = self._buffer[end + 1:]
        if self._buffer[end] == "\r":
            if rest.startswith("\n"):
                rest = rest[1:]
            elif not rest:
                self._skip_lf = True
        self._buffer = rest

    async def _receive(self):
        while True:
            try:
                data = await self._stdin.read(4096)
            except (asyncssh.TerminalSizeChanged, asyncssh.BreakReceived, asyncssh.SignalReceived):
                continue
            if not data:
                raise SessionEnded()
            if self._skip_lf and data.startswith("\n"):
                data = data[1:]
            self._skip_lf = False
            self._buffer += data
            return


def _line_end(text):
    ends = [i for i in (text.find("\r"), text.find("\n")) if i >= 0]
    return min(ends) if ends else -1


# --------------------------------------------------------------------------------------------
# The shell
# --------------------------------------------------------------------------------------------
class CliSession:
    """One interactive shell on one device: prompt, session commands, vendor commands, faults."""

    def __init__(self, process, device, vendor, profile):
        self._process = process
        self._device = device
        self._vendor = vendor
        self._profile = profile
        login = process.get_extra_info("username") or ""
        self._user = profile.login_name(login)
        self._mode = profile.start_mode
        self._paging = profile.pager is not None and profile.paging_at_login and not (
            profile.login_options and "+" in login)
        self._input = LineReader(process.stdin, process.stdout.write)
        self._random = random.Random()

    async def run(self):
        try:
            self._write(self._prompt())
            while True:
                line = await self._input.readline()
                await self._handle(" ".join(line.split()))
                self._write(self._prompt())
                await self._process.stdout.drain()
        except SessionEnded:
            pass
        except (OSError, asyncssh.Error):
            pass  # the client vanished mid-write
        self._close()

    # --- dispatch ------------------------------------------------------------------------------
    async def _handle(self, command):
        if not command:
            return
        rule = self._profile.rule_for(self._mode, command)
        if rule is not None:
            await self._apply(rule)
        elif command in self._profile.logout:
            raise SessionEnded()
        else:
            await self._device_command(command)

    async def _apply(self, rule):
        if rule.ask and not await self._answered(rule):
            return
        reply = rule.reply(self._view()) if callable(rule.reply) else rule.reply.format(
            hostname=self._device.hostname, user=self._user)
        self._say(reply)
        if rule.to_mode:
            self._mode = rule.to_mode
        if rule.paging is not None:
            self._paging = rule.paging and self._profile.pager is not None

    async def _answered(self, rule):
        """Ask the rule's questions up to rule.attempts times; True once all answers are right."""
        for attempt in range(rule.attempts):
            if attempt and rule.retry:
                self._say(rule.retry)
            answers = [await self._ask(question) for question in rule.ask]
            if all(answers):
                return True
        self._say(rule.refused)
        return False

    async def _ask(self, question):
        self._write(question.text.format(user=self._user))
        answer = await self._input.readline(echo=question.echo)
        return answer == getattr(self._device, question.answer)

    async def _device_command(self, command):
        """A command for the vendor module, through the device's faults."""
        faults = self._device.faults
        if "hang" in faults:
            await self._input.discard_all()
        if "slow" in faults:
            await asyncio.sleep(self._device.slow_seconds)
        text, from_vendor = self._vendor_answer(command)
        if from_vendor and "garbage" in faults:
            text = self._garbage()
        if from_vendor and "drop" in faults:
            await self._drop_halfway(text)
        await self._show(text)

    def _vendor_answer(self, command):
        """(text, True) when the vendor module knows the command, else the unknown reply."""
        try:
            text = self._vendor.reset(self._device, command)
            if text is None:
                text = self._vendor.render(self._device, command)
        except Exception as error:  # a vendor bug must not kill the emulator: show it instead
            log.exception("%s: vendor %s failed on %r", self._device.name, self._device.platform,
                          command)
            return "%% emulator: vendor module %s failed: %s: %s" % (
                self._device.platform, type(error).__name__, error), False
        if text is None:
            return self._profile.unknown_reply(command, self._prompt()), False
        return text, True

    # --- faults ----------------------------------------------------------------------------
    def _garbage(self):
        """Lines of random words: no vendor's format, no prompt characters."""
        pick = self._random

        def word():
            return "".join(pick.choice(GARBAGE_ALPHABET) for _letter in range(pick.randint(2, 9)))

        return "\n".join(" ".join(word() for _word in range(pick.randint(3, 8)))
                         for _line in range(GARBAGE_LINES))

    async def _drop_halfway(self, text):
        self._write(_crlf(text[:len(text) // 2]))
        await self._process.stdout.drain()
        self._process.channel.close()
        raise SessionEnded()

    # --- output ----------------------------------------------------------------------------
    async def _show(self, text):
        """Print a command's output, a page at a time while paging is on."""
        lines = text[:-1].split("\n") if text.endswith("\n") else text.split("\n")
        if not self._paging or len(lines) <= PAGE_LINES:
            self._say(text)
            return
        shown, step = 0, PAGE_LINES
        while True:
            self._say("\n".join(lines[shown:shown + step]))
            shown += step
            if shown >= len(lines):
                return
            pager = self._profile.pager.format(first=max(1, shown - PAGE_LINES + 1), last=shown)
            self._write(pager)
            await self._process.stdout.drain()
            key = await self._input.read_key()
            self._write("\r" + " " * len(pager) + "\r")
            if key in "qQ\x03":
                return
            step = 1 if key in "\r\n" else PAGE_LINES

    def _say(self, text):
        """Write text as whole lines (CRLF), if any."""
        if text:
            self._write(_crlf(text if text.endswith("\n") else text + "\n"))

    def _write(self, text):
        self._process.stdout.write(text)

    def _prompt(self):
        return self._profile.prompt(self._mode, self._device.hostname, self._user)

    def _view(self):
        return SessionView(self._device.hostname, self._user, self._mode, self._paging)

    def _close(self):
        try:
            self._process.exit(0)
        except (OSError, asyncssh.Error):
            pass  # already closed by the client or by a "drop"


def _crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


# --------------------------------------------------------------------------------------------
# Listeners
# --------------------------------------------------------------------------------------------
class EmulatorServer:
    """Listeners and open connections of a set of devices, all on the running event loop."""

    def __init__(self):
        self._listeners = []
        self._connections = set()

    async def listen(self, device, vendor, host, port):
        """Serve one device on (host, port); port 0 takes a free port. Returns the port."""
        profile = vendor_profile(vendor)

        async def shell(process):
            await CliSession(process, device, vendor, profile).run()

        listener = await asyncssh.create_server(
            lambda: DeviceLogin(device, profile, self._connections), host, port,
            server_host_keys=[host_key()], process_factory=shell, line_editor=False,
            encoding="utf-8", reuse_address=True)
        self._listeners.append(listener)
        return listener.get_port()

    async def close(self):
        """Stop listening and cut every open connection at once."""
        for listener in self._listeners:
            listener.close()
        for connection in list(self._connections):
            connection.abort()
        await asyncio.gather(*(listener.wait_closed() for listener in self._listeners))
        self._listeners.clear()
