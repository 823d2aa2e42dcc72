# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks every platform's parser tests share, written once.

Schema and lookups
    valid(device)                   the device validates against model_schema.SCHEMA
    parsed(platform, command, text) parse_output, validated
    only(device, name[, sa_id]) / child(tunnel, name) / by_name(tunnels) / field(record, path)

Real outputs (the corpus itself is found and read by tests/corpus.py)
    check_corpus_file(platform, path, commands, ...)   parses and validates, or is refused

Errors
    parse_error(...) / assert_parse_error(...) / assert_refused_command(...)
    assert_mangled_outputs_raise_parse_errors_only(...), cut_after(text, marker)

The emulated devices of tests/lab (their vendor modules render the CLI text a parser reads)
    lab_vendor(platform), example_device(vendor, index), freeze_emulator_clock(monkeypatch)
    rendered(vendor, device[, commands]), gathered(vendor, device[, commands])
    assert_round_trip(vendor, index, ...): assert_reports_device(facts, truth, reported, ...)
        with grows(), shrinks(), near() for the values that move
    assert_documentation_addresses(tunnels)

Assertions here carry their own messages: pytest rewrites only the test modules' asserts.
"""

import importlib
import random
import sys
from pathlib import Path

import jsonschema
import pytest

from corpus import require_corpus
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnParseError
from ansible_collections.vpnops.tunnels.plugins.module_utils.model_schema import SCHEMA
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import (
    parse_output,
    parse_outputs,
)

PARSERS = "ansible_collections.vpnops.tunnels.plugins.module_utils.parsers"
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# tests/lab holds the emulator as the package `emulator`
LAB = Path(__file__).resolve().parents[2] / "lab"
if str(LAB) not in sys.path:
    sys.path.insert(0, str(LAB))
emulator_device = importlib.import_module("emulator.device")

# RFC 5737 documentation networks (peers) and the RFC 2544 benchmark block (selectors)
DOCUMENTATION_PREFIXES = ("192.0.2.", "198.51.100.", "203.0.113.")
BENCHMARK_PREFIXES = ("198.18.", "198.19.")


# --- the model: schema and lookups ---------------------------------------------------------

def valid(device):
    """The device itself, after asserting it validates against the model's JSON schema."""
    errors = [error.message for error in VALIDATOR.iter_errors(device)]
    assert errors == [], errors
    return device


def parsed(platform, command, text):
    """parse_output(platform, command, text), validated against the schema."""
    return valid(parse_output(platform, command, text))


def only(device, name, sa_id=None):
    """The one tunnel of the device named name (and, if given, with that IKE SA id)."""
    found = [tunnel for tunnel in device["tunnels"]
             if tunnel["name"] == name and (sa_id is None or (tunnel["ike"] or {}).get("sa_id") == sa_id)]
    listed = [tunnel["name"] if sa_id is None else (tunnel["name"], (tunnel["ike"] or {}).get("sa_id"))
              for tunnel in device["tunnels"]]
    assert len(found) == 1, "want one tunnel %r%s among %r" % (
        name, "" if sa_id is None else " with IKE SA %r" % sa_id, listed)
    return found[0]


def child(tunnel, name):
    """The one child SA of the tunnel named name."""
    found = [item for item in tunnel["children"] if item["name"] == name]
    assert len(found) == 1, "want one child %r among %r" % (
        name, [item["name"] for item in tunnel["children"]])
    return found[0]


def by_name(tunnels):
    """{name: tunnel} of a device or of a list of tunnels."""
    if isinstance(tunnels, dict):
        tunnels = tunnels["tunnels"]
    return {tunnel["name"]: tunnel for tunnel in tunnels}


def field(record, path):
    """The value at a dotted path of nested dicts: field(tunnel, "ike.local.port")."""
    for part in path.split("."):
        record = record[part]
    return record


# --- every file of the real-output corpus ----------------------------------------------------

def check_corpus_file(platform, path, commands, refused=None, may_be_empty=False):
    """The check every corpus file gets; the parsed device back (None when it was refused).

    path: a corpus_cases() parameter (None when the corpus is absent: skipped, or failed
        with VPNOPS_REQUIRE_CORPUS=1).
    commands: corpus folder -> the command as typed; None for a folder refused by design,
        which must then fail as that command (the folder's name with spaces) "one of the
        supported commands". A folder not listed fails: every folder needs a decision.
    refused: folder, or "folder/file", -> what the parse error of that file must say,
        for files refused by design with their folder's command.
    may_be_empty: True, or a text marking the samples that list nothing; otherwise every
        sample that parses must hold at least one tunnel.
    """
    require_corpus(path)
    folder = path.parent.name
    assert folder in commands, "corpus folder %r has no command here: add it" % folder
    command, text = commands[folder], path.read_text(encoding="utf-8")
    refused = refused or {}
    refusal = refused.get("%s/%s" % (folder, path.name), refused.get(folder))
    if command is None:
        command, refusal = folder.replace("_", " "), "one of the supported commands"
    if refusal is not None:
        assert_parse_error(platform, command, text, refusal)
        return None
    device = parsed(platform, command, text)
    if may_be_empty is not True and not (may_be_empty and may_be_empty in text):
        assert device["tunnels"], "no tunnel from %s" % path
    return device


# --- errors ------------------------------------------------------------------------------------

def command_key(platform, command):
    """The platform parser's canonical key of a typed command (None: not supported)."""
    return importlib.import_module("%s.%s" % (PARSERS, platform)).command_key(command)


def parse_error(platform, command, text):
    """The VpnParseError parse_output raises for this text (the test fails if none is)."""
    with pytest.raises(VpnParseError) as caught:
        parse_output(platform, command, text)
    return caught.value


def assert_names_platform_and_command(error, platform, command, expected):
    """A parse error that names platform and command in its attributes and its message,
    and says what was expected."""
    message = str(error)
    assert (error.platform, error.command) == (platform, command), (error.platform, error.command)
    assert "%s output of %r" % (platform, command) in message, message
    assert expected in message, (expected, message)


def assert_parse_error(platform, command, text, expected):
    """parse_output refuses the text with a VpnParseError naming the platform and the
    command's key (the command as typed when it has none) and saying `expected`."""
    error = parse_error(platform, command, text)
    assert_names_platform_and_command(error, platform, command_key(platform, command) or command,
                                      expected)
    return error


def assert_refused_command(platform, command, text=""):
    """An unsupported command is refused, whatever its output, by a VpnParseError that
    names the command as typed and lists the supported ones."""
    assert command_key(platform, command) is None, command
    error = parse_error(platform, command, text)
    assert_names_platform_and_command(error, platform, command, "one of the supported commands")
    return error


def cut_after(text, marker):
    """The text up to the end of marker, then a newline: an output that stopped there."""
    return text[:text.index(marker) + len(marker)] + "\n"


def assert_mangled_outputs_raise_parse_errors_only(platform, seeds, garbage, rounds=400):
    """Cut, shuffled and garbled copies of (command, text) seeds parse into valid devices or
    raise a VpnParseError of this platform: never another exception."""
    rng = random.Random(11)
    for _round in range(rounds):
        command, text = rng.choice(seeds)
        lines = text.splitlines()
        if rng.random() < 0.3:
            rng.shuffle(lines)
        text = "\n".join(lines)[:rng.randrange(1, len(text) + 1)]
        position = rng.randrange(len(text))
        text = text[:position] + rng.choice(garbage) + text[position + 1:]
        try:
            valid(parse_output(platform, command, text))
        except VpnParseError as error:
            assert error.platform == platform, (error.platform, command, text)


# --- the emulated devices ----------------------------------------------------------------------

def lab_vendor(platform):
    """The emulator's vendor module of a platform (tests/lab/emulator/vendors/<platform>.py):
    example_tunnels(index), render(device, command), reset(device, command), REPORTED."""
    return importlib.import_module("emulator.vendors." + platform)


def platform_of(vendor):
    """The platform a vendor module emulates: its module name."""
    return vendor.__name__.rsplit(".", 1)[-1]


def emulated_device(vendor, tunnels, name=None, **settings):
    """An EmulatedDevice of the vendor's platform holding tunnels (reset_delay=... etc.)."""
    platform = platform_of(vendor)
    return emulator_device.EmulatedDevice(name=name or platform, platform=platform,
                                          hostname=name or platform, tunnels=tunnels, **settings)


def example_device(vendor, index, **settings):
    """An emulated device holding the vendor module's example_tunnels(index)."""
    return emulated_device(vendor, vendor.example_tunnels(index),
                           name="%s%d" % (platform_of(vendor), index), **settings)


def freeze_emulator_clock(monkeypatch, now=1000.0):
    """Stop the emulator's clock, so counters and countdowns read the same twice."""
    monkeypatch.setattr(emulator_device.time, "monotonic", lambda: now)


def rendered(vendor, device, commands=None, options=None):
    """[(command, the device's output)] for each command: by default the parser's
    gather_commands(options), what vpn_facts would run."""
    if commands is None:
        parser = importlib.import_module("%s.%s" % (PARSERS, device.platform))
        commands = parser.gather_commands(options or {})
    return [(command, vendor.render(device, command)) for command in commands]


def gathered(vendor, device, commands=None, options=None):
    """The validated facts of an emulated device: rendered() outputs parsed together."""
    return valid(parse_outputs(device.platform, rendered(vendor, device, commands, options)))


def grows(slack=None):
    """A counter that kept counting after the render: the facts may hold less than the
    device, never more (with slack: less by under slack). None matches only None."""
    def check(got, held):
        if got is None or held is None:
            return got == held
        return got <= held and (slack is None or held < got + slack)
    return check


def shrinks():
    """A countdown that went on after the render: the facts may hold more than the device,
    never less. None matches only None."""
    def check(got, held):
        if got is None or held is None:
            return got == held
        return got >= held
    return check


def near(absolute=0, relative=0.0):
    """A value printed rounded, or read off a running clock: within absolute, or within
    relative of the device's value. None matches only None."""
    def check(got, held):
        if got is None or held is None:
            return got == held
        return abs(got - held) <= max(absolute, abs(held) * relative)
    return check


def assert_fields_agree(got, held, paths, label, bounds=None):
    """Each dotted path reads the same in got (facts) as in held (the device), or passes
    bounds[its last name] for the values that move between the render and the read."""
    for path in paths:
        value, truth = field(got, path), field(held, path)
        check = (bounds or {}).get(path.rsplit(".", 1)[-1])
        agrees = check(value, truth) if check else value == truth
        assert agrees, "%s %s: gathered %r, the device holds %r" % (label, path, value, truth)


def _names(records, key, in_order):
    names = [record[key] for record in records]
    return names if in_order else sorted(names)


def _paired(got, held, key, in_order, label):
    """(gathered, device) pairs of two lists, after asserting they name the same records."""
    names = _names(got, key, in_order), _names(held, key, in_order)
    assert names[0] == names[1], "%s: gathered %r, the device holds %r" % (label, names[0], names[1])
    if in_order:
        return list(zip(got, held))
    gathered_by_name = {record[key]: record for record in got}
    return [(gathered_by_name[record[key]], record) for record in held]


def assert_reports_device(facts, truth, reported, in_order=True, also=None, bounds=None,
                          held_children=None):
    """Gathered tunnels agree with the emulated device's own on every REPORTED field.

    facts, truth: lists of tunnels (the parsed facts; device.state() read after them).
    reported: the vendor module's REPORTED, dotted paths per section: "tunnel", "ike",
        "child", and "openvpn_client" for OpenVPN servers.
    in_order: the facts list tunnels in the device's order (else the same names, any order).
    also: more paths per section that this test can compare (a frozen clock, say).
    bounds: last path name -> grows(), shrinks() or near() for the values that move
        between the render and the read of the truth; all other fields are equal.
    held_children: which children of a device tunnel the platform shows (default: all).
    Children are compared in order, names first; OpenVPN clients likewise.
    """
    also = also or {}

    def paths(section):
        return tuple(reported.get(section, ())) + tuple(also.get(section, ()))

    held_names = [tunnel["name"] for tunnel in truth]
    assert len(set(held_names)) == len(held_names), "the device names two tunnels alike: %r" % held_names
    for got, held in _paired(facts, truth, "name", in_order, "tunnels"):
        name = held["name"]
        assert_fields_agree(got, held, paths("tunnel"), name, bounds)
        if held.get("ike") is None:
            assert got.get("ike") is None, "%s: IKE %r where the device has none" % (name, got["ike"])
        else:
            assert_fields_agree(got["ike"], held["ike"], paths("ike"), name + " ike", bounds)
        children = held_children(held) if held_children else held["children"]
        for mine, theirs in _paired(got["children"], children, "name", True, name + " children"):
            assert_fields_agree(mine, theirs, paths("child"), "%s child %s" % (name, theirs["name"]),
                                bounds)
        if "openvpn_client" in reported and held.get("openvpn"):
            for mine, theirs in _paired(got["openvpn"]["clients"], held["openvpn"]["clients"],
                                        "common_name", True, name + " clients"):
                assert_fields_agree(mine, theirs, paths("openvpn_client"),
                                    "%s client %s" % (name, theirs["common_name"]), bounds)


def assert_round_trip(vendor, index, commands=None, **compare):
    """The emulator round trip: the vendor's example device `index` renders the gather
    commands (or the given ones), they are parsed together, and the facts report what the
    device holds (compare: the options of assert_reports_device). Returns (facts, truth),
    both lists of tunnels, for the platform's own assertions."""
    device = example_device(vendor, index)
    facts = gathered(vendor, device, commands)["tunnels"]
    truth = device.state()
    assert_reports_device(facts, truth, vendor.REPORTED, **compare)
    return facts, truth


def assert_documentation_addresses(tunnels, peers=DOCUMENTATION_PREFIXES, selectors=BENCHMARK_PREFIXES,
                                   peers_may_be_unknown=False):
    """Example tunnels use no real address: peers start with one of peers (documentation
    networks by default), selectors with one of selectors (the benchmark block)."""
    for tunnel in tunnels:
        for address in (tunnel["ike"]["local"]["address"], tunnel["ike"]["remote"]["address"]):
            assert (address is None and peers_may_be_unknown) or address.startswith(peers), (
                tunnel["name"], address)
        for item in tunnel["children"]:
            found = item["local_ts"] + item["remote_ts"]
            assert all(ts.startswith(selectors) for ts in found), (tunnel["name"], found)
