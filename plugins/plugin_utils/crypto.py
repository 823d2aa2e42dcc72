# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Vendor spellings of IPsec algorithms -> one canonical name, so a policy can ban them.

Every platform prints its own names: 3DES_CBC, des3, esp-3des, 3des-cbc; HMAC_SHA1_96, sha,
esp-sha-hmac, sha1; MODP_1024, group2, DH2, "2". The policy and the facts both go through
the functions below, so a policy may use any spelling too. Unknown names stay as they were
(lower case), so they can still be listed in a policy.

Canonical names: encryption des, 3des, aes-cbc, aes-gcm, aes-ccm, aes-ctr, aes-gmac,
chacha20-poly1305, camellia-cbc, blowfish, cast128, null; integrity and PRF md5, sha1,
sha256, sha384, sha512, aes-xcbc, aes-cmac, aes-gmac; DH groups by their IANA name (modp768,
modp1024, modp2048, ecp256, curve25519, ...).
"""

from __future__ import annotations

import functools
import re

FIELDS = ("encryption", "integrity", "prf", "dh_group")

# IANA "Transform Type 4 - Diffie-Hellman Group Transform IDs" (RFC 7296 and successors).
DH_GROUPS = {
    1: "modp768", 2: "modp1024", 5: "modp1536", 14: "modp2048", 15: "modp3072",
    16: "modp4096", 17: "modp6144", 18: "modp8192", 19: "ecp256", 20: "ecp384", 21: "ecp521",
    22: "modp1024s160", 23: "modp2048s224", 24: "modp2048s256", 25: "ecp192", 26: "ecp224",
    27: "ecp224bp", 28: "ecp256bp", 29: "ecp384bp", 30: "ecp512bp", 31: "curve25519",
    32: "curve448",
}
_NOMINAL_KEY_SIZE = {"des": 56, "3des": 168, "chacha20-poly1305": 256, "cast128": 128}
_NO_KEY = frozenset(("null", "none", ""))
_SEPARATORS = re.compile(r"[\s_\-/]+")
_AES_SIZE = re.compile(r"(128|192|256)")
_SHA2 = re.compile(r"sha2?(256|384|512)")
_GROUP_NUMBER = re.compile(r"^(?:dhgroup|group|dh|modpgroup|pfsgroup|pfs)?(\d{1,2})$")
_NAMED_GROUP = re.compile(r"^(?:dh)?(modp\d+(?:s\d+)?|ecp\d+(?:bp)?)$")


def _squash(name):
    return _SEPARATORS.sub("", str(name).strip().lower())


@functools.lru_cache(maxsize=4096)
def encryption(name):
    """(canonical name, key size the name implies or None); (None, None) for no value."""
    if name is None or str(name).strip() == "":
        return None, None
    text = _squash(name)
    for prefix in ("esp", "encr", "enc", "ike"):
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix):]
            break
    size = _AES_SIZE.search(text)
    size = int(size.group(1)) if size else None
    if "3des" in text or "des3" in text or "tripledes" in text or "desede3" in text:
        return "3des", 168
    if text.startswith("des"):
        return "des", 56
    if "chacha" in text:
        return "chacha20-poly1305", 256
    if "aes" in text or text.startswith(("gcm", "ccm", "gmac")):
        for mode in ("gcm", "ccm", "ctr", "gmac"):
            if mode in text:
                return "aes-" + mode, size
        return "aes-cbc", size
    if "camellia" in text:
        return "camellia-cbc", size
    if "blowfish" in text:
        return "blowfish", size
    if "cast" in text:
        return "cast128", 128
    if text in _NO_KEY:
        return "null", None
    return text, size


@functools.lru_cache(maxsize=4096)
def integrity(name):
    """Canonical hash of an integrity or PRF algorithm, None for none (AEAD ciphers)."""
    if name is None:
        return None
    text = _squash(name)
    if text in _NO_KEY:
        return None
    if "md5" in text:
        return "md5"
    sha2 = _SHA2.search(text)
    if sha2:
        return "sha" + sha2.group(1)
    for mac in ("xcbc", "cmac", "gmac"):
        if mac in text:
            return "aes-" + mac
    if "sha" in text and not text.endswith("sha2"):
        return "sha1"
    return text


@functools.lru_cache(maxsize=4096)
def dh_group(name):
    """IANA name of a Diffie-Hellman group: 2, '2', 'group2', 'DH2', 'MODP_1024' -> modp1024."""
    if name is None or isinstance(name, bool):
        return None
    if isinstance(name, int):
        return DH_GROUPS.get(name, "group%d" % name)
    text = _squash(name)
    if text in _NO_KEY or text in ("nopfs", "pfsnone", "nogroup"):
        return None
    number = _GROUP_NUMBER.match(text)
    if number:
        value = int(number.group(1))
        return DH_GROUPS.get(value, "group%d" % value)
    if "25519" in text:
        return "curve25519"
    if "448" in text and ("curve" in text or text.startswith("x")):
        return "curve448"
    named = _NAMED_GROUP.match(text)
    if named:
        return named.group(1)
    return text


NORMALIZERS = {"encryption": lambda name: encryption(name)[0], "integrity": integrity,
               "prf": integrity, "dh_group": dh_group}


def normalize(field, name):
    """The canonical name of one algorithm field (see FIELDS)."""
    return NORMALIZERS[field](name)


def key_size(algorithms):
    """The encryption key size in bits: reported, else implied by the name, else None."""
    reported = algorithms.get("key_size")
    if reported:
        return reported
    name, implied = encryption(algorithms.get("encryption"))
    return implied or _NOMINAL_KEY_SIZE.get(name)
