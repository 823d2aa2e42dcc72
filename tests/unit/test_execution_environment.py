# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The execution environment as ansible-builder 3 makes it, offline and without a container.

`ansible-builder create` writes the build context of execution-environment.yml. The image
build's dependency steps are then run here as the Containerfile runs them, on the host: the
galaxy stage's `ansible-galaxy collection install -r requirements.yml` from the context's
_build/ directory (the collection is a local directory there, so no Galaxy server is asked),
and the builder stage's introspection (the context's own introspect.py) over what that
installed. What introspection writes is what the image's pip and bindep get, so the tests
below check our Python and system needs against it, not against the files that declare them.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from ansible.release import __version__ as TESTED_CORE
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

try:
    from bindep.depends import Depends
except ImportError:  # ansible-builder brings bindep; the fixture says what to install
    Depends = None

REPO = Path(__file__).resolve().parents[2]
# Where `make collection` installs the built collection, which execution-environment.yml copies.
MAKE_COLLECTION_DIR = Path(".build", "collections", "ansible_collections", "vpnops", "tunnels")
# The files execution-environment.yml names, relative to it.
DEFINITION_FILES = ("execution-environment.yml", "requirements.txt", "bindep.txt")

# What the collection needs on the controller, and why.
PYTHON_NEEDS = {
    "netmiko",  # module_utils/transport.py: every SSH session to a device
    "jinja2",   # named by requirements.txt; ansible-core needs it anyway, no plugin imports it
}
SYSTEM_NEEDS = {
    # platform: (packages in the final image, packages only the builder stage installs)
    "rpm": ({"openssh-clients"},  # ssh-keyscan for known_hosts; ssh to the Linux gateways
            {"gcc", "python3-devel", "libffi-devel", "openssl-devel"}),  # cffi, cryptography
    "dpkg": ({"openssh-client"},
             {"gcc", "python3-dev", "libffi-dev", "libssl-dev"}),
}
# bindep profiles of a Fedora (the base image) and a Debian controller
PLATFORM_PROFILES = {
    "rpm": ["platform:rpm", "platform:redhat", "platform:fedora"],
    "dpkg": ["platform:dpkg", "platform:debian"],
}


# --- running the tools ------------------------------------------------------------------------

def _tool(name):
    """A command of this virtualenv (beside the running Python), else from PATH."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None or Depends is None:
        pytest.fail("%s is not installed: pip install ansible-builder (it belongs in "
                    "test-requirements.txt)" % name)
    return found


def _run(command, cwd=None):
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, "%s failed (%d):\n%s\n%s" % (
        " ".join(map(str, command)), done.returncode, done.stdout, done.stderr)
    return done.stdout


def _annotated(path):
    """[(requirement line, origin)] of a file introspection wrote ('netmiko  # from collection
    vpnops.tunnels'); origin 'user' is the EE definition's own file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        requirement, _sep, origin = line.partition("# from collection ")
        if requirement.strip():
            rows.append((requirement.strip(), origin.strip()))
    return rows


@pytest.fixture(scope="module")
def ee(tmp_path_factory):
    """Build the collection, create the EE context, and run its galaxy and introspection steps."""
    builder, galaxy = _tool("ansible-builder"), _tool("ansible-galaxy")
    work = tmp_path_factory.mktemp("ee")
    project = work / "project"  # the definition and its files, laid out as in the repository
    project.mkdir()
    for name in DEFINITION_FILES:
        shutil.copy(REPO / name, project / name)
    # what `make collection` does: build the tarball as Galaxy would ship it, then install it
    _run([galaxy, "collection", "build", "--output-path", work / "dist", REPO])
    tarball = next((work / "dist").glob("vpnops-tunnels-*.tar.gz"))
    _run([galaxy, "collection", "install", "-p", project / ".build" / "collections", tarball])
    assert (project / MAKE_COLLECTION_DIR / "MANIFEST.json").is_file()

    context = work / "context"
    _run([builder, "create", "-f", project / "execution-environment.yml", "-c", context,
          "--output-filename", "Containerfile"])
    build = context / "_build"
    # galaxy stage: WORKDIR /build holds _build/; the same command, with our own target
    collections = work / "collections"
    _run([galaxy, "collection", "install", "-r", "requirements.yml", "--collections-path",
          collections], cwd=build)
    # builder stage: introspection over the installed collections, with the user's files
    image = work / "image"
    _run([sys.executable, build / "scripts" / "introspect.py", "introspect",
          "--user-pip=requirements.txt", "--user-bindep=bindep.txt",
          "--write-pip=%s" % (image / "requirements.txt"),
          "--write-bindep=%s" % (image / "bindep.txt"), collections], cwd=build)
    return SimpleNamespace(
        definition=yaml.safe_load((REPO / "execution-environment.yml").read_text(encoding="utf-8")),
        build=build,
        containerfile=(context / "Containerfile").read_text(encoding="utf-8"),
        installed=collections / "ansible_collections" / "vpnops" / "tunnels",
        image_pip=_annotated(image / "requirements.txt"),
        image_bindep=_annotated(image / "bindep.txt"),
    )


def _galaxy_version():
    return yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))["version"]


def _pip_names(rows, origin=None):
    return {canonicalize_name(Requirement(line).name) for line, source in rows
            if origin is None or source == origin}


# --- the definition and the generated context -------------------------------------------------

def test_core_pin_admits_the_tested_version_and_nothing_below_requires_ansible(ee):
    dependencies = ee.definition["dependencies"]
    core = Requirement(dependencies["ansible_core"]["package_pip"])
    assert core.name == "ansible-core"
    assert core.specifier.contains(TESTED_CORE), "the EE pins ansible-core away from %s" % TESTED_CORE
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    supported = SpecifierSet(runtime["requires_ansible"])
    releases = ["2.%d.0" % minor for minor in range(12, 21)] + ["2.15.13", TESTED_CORE]
    unsupported = [version for version in releases
                   if core.specifier.contains(version) and not supported.contains(version)]
    assert not unsupported, "the EE admits ansible-core %s, below requires_ansible" % unsupported
    assert Requirement(dependencies["ansible_runner"]["package_pip"]).name == "ansible-runner"


def test_galaxy_stage_installs_from_the_copied_context(ee):
    """The relative collection path is read in /build: the stage copies _build/ there and works
    there before it installs."""
    lines = ee.containerfile.splitlines()
    galaxy_stage = lines.index("FROM base AS galaxy")
    install = next(number for number, line in enumerate(lines)
                   if "ansible-galaxy collection install" in line and "-r requirements.yml" in line)
    between = lines[galaxy_stage:install]
    assert "COPY _build /build" in between and "WORKDIR /build" in between
    assert ee.containerfile.startswith('ARG EE_BASE_IMAGE="%s"' % (
        ee.definition["images"]["base_image"]["name"]))


def test_collection_requirement_is_a_local_copy_of_the_built_collection(ee):
    entries = yaml.safe_load((ee.build / "requirements.yml").read_text(encoding="utf-8"))["collections"]
    assert len(entries) == 1 and entries[0]["type"] == "dir"
    copied = ee.build / entries[0]["name"]
    manifest = json.loads((copied / "MANIFEST.json").read_text(encoding="utf-8"))["collection_info"]
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == (
        "vpnops", "tunnels", _galaxy_version())


def test_galaxy_stage_installs_the_collection_with_its_dependency_files(ee):
    manifest = json.loads((ee.installed / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["collection_info"]["version"] == _galaxy_version()
    metadata = yaml.safe_load((ee.installed / "meta" / "execution-environment.yml").read_text(encoding="utf-8"))
    for kind in ("python", "system"):
        # shipped in the built collection, so not dropped by galaxy.yml's build_ignore
        assert (ee.installed / metadata["dependencies"][kind]).is_file()


# --- what the image gets ----------------------------------------------------------------------

def test_context_lists_the_python_needs(ee):
    listed = {canonicalize_name(Requirement(line).name)
              for line in (ee.build / "requirements.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    assert {canonicalize_name(name) for name in PYTHON_NEEDS} <= listed


@pytest.mark.parametrize("origin", ["vpnops.tunnels", "user"])
def test_image_gets_the_python_needs_from_collection_and_definition(ee, origin):
    """'vpnops.tunnels': through the collection's meta/execution-environment.yml, which any EE
    that installs the collection reads; 'user': through this EE definition's own file."""
    assert {canonicalize_name(name) for name in PYTHON_NEEDS} <= _pip_names(ee.image_pip, origin)


def _third_party_imports():
    """Top-level modules the collection's plugins import that are neither the standard library
    nor Ansible itself."""
    found = set()
    for path in (REPO / "plugins").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"__future__", "ansible", "ansible_collections"}


def _with_dependencies(names):
    """The distributions names pull in, by installed metadata (extras left out)."""
    seen, pending = set(), [canonicalize_name(name) for name in names]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.distribution(name).requires or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for text in requires:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(canonicalize_name(requirement.name))
    return seen


def test_every_imported_package_is_installed_in_the_image(ee):
    """Whatever the plugins import comes with the image's pip requirements or ansible-core."""
    modules = _third_party_imports()
    assert "netmiko" in modules  # the scan sees the transport's import
    providers = importlib.metadata.packages_distributions()
    installed = _with_dependencies(_pip_names(ee.image_pip) | {"ansible-core", "ansible-runner"})
    missing = {module: providers.get(module) for module in modules
               if not {canonicalize_name(dist) for dist in providers.get(module, [])} & installed}
    assert not missing, "imported but not installed in the EE: %s" % missing


@pytest.mark.parametrize("origin", ["vpnops.tunnels", "user"])
@pytest.mark.parametrize("platform", sorted(SYSTEM_NEEDS))
def test_system_needs_resolve_per_platform_and_stage(ee, platform, origin):
    """bindep as the image build runs it: the default profile for the final image, the compile
    profile for the builder stage; development headers stay out of the final image."""
    runtime_needs, compile_needs = SYSTEM_NEEDS[platform]
    rules = Depends("\n".join(line for line, source in ee.image_bindep if source == origin))
    final = {rule[0] for rule in rules.active_rules(["default"] + PLATFORM_PROFILES[platform])}
    builder = {rule[0] for rule in rules.active_rules(["compile"] + PLATFORM_PROFILES[platform])}
    assert runtime_needs <= final
    assert compile_needs <= builder
    assert not compile_needs & final
    other = "dpkg" if platform == "rpm" else "rpm"
    foreign = set.union(*SYSTEM_NEEDS[other]) - set.union(*SYSTEM_NEEDS[platform])
    assert not foreign & (final | builder), "%s package names resolve on %s" % (other, platform)


def test_context_lists_the_system_needs(ee):
    listed = {line.split()[0] for line in (ee.build / "bindep.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    for runtime_needs, compile_needs in SYSTEM_NEEDS.values():
        assert runtime_needs | compile_needs <= listed
