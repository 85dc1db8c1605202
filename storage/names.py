"""Pure checks on bucket names, object keys and key prefixes."""

from __future__ import annotations

import re

from storage.exceptions import InvalidScope

__all__ = ["check_bucket_name", "check_key", "check_prefix"]

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IPV4_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_MAX_KEY_BYTES = 1024
# '*' and '?' are IAM wildcards and '$' opens a policy variable such as ${aws:username}:
# inside a prefix any of them would widen a session policy beyond the scope it names.
_POLICY_SPECIAL = frozenset("*?$")


def check_bucket_name(name: str) -> str:
    """Return ``name`` if it follows the S3 bucket naming rules, else raise InvalidScope."""
    if not _BUCKET_RE.match(name):
        raise InvalidScope(
            f"bucket name {name!r}: 3 to 63 lowercase letters, digits, '.' or '-', "
            "starting and ending with a letter or digit"
        )
    if ".." in name or ".-" in name or "-." in name:
        raise InvalidScope(f"bucket name {name!r}: no '..', '.-' or '-.'")
    if _IPV4_RE.match(name):
        raise InvalidScope(f"bucket name {name!r}: must not look like an IP address")
    if name.startswith("xn--") or name.endswith("-s3alias"):
        raise InvalidScope(f"bucket name {name!r}: reserved prefix or suffix")
    return name


def check_key(key: str) -> str:
    """Return ``key`` if it is a usable object key, else raise InvalidScope."""
    if not key:
        raise InvalidScope("object key must not be empty")
    if len(key.encode("utf-8")) > _MAX_KEY_BYTES:
        raise InvalidScope(f"object key longer than {_MAX_KEY_BYTES} bytes")
    if key.startswith("/"):
        raise InvalidScope(f"object key {key!r} must not start with '/'")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in key):
        raise InvalidScope(f"object key {key!r} contains a control character")
    if any(part in (".", "..") for part in key.split("/")):
        raise InvalidScope(f"object key {key!r} contains a '.' or '..' segment")
    return key


def check_prefix(prefix: str) -> str:
    """Return ``prefix`` if it names one folder-like subtree (ends with '/'), else raise."""
    check_key(prefix)
    if not prefix.endswith("/"):
        # Without the slash, a scope for "grant1" would also open "grant10/...".
        raise InvalidScope(f"prefix {prefix!r} must end with '/'")
    if "//" in prefix:
        raise InvalidScope(f"prefix {prefix!r} must not contain an empty segment '//'")
    if _POLICY_SPECIAL & set(prefix):
        raise InvalidScope(f"prefix {prefix!r} must not contain '*', '?' or '$'")
    return prefix
