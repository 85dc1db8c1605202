"""Pure construction of IAM session policies that confine access to one key prefix.

A ``Scope`` names one bucket, one prefix and one access mode. The prefix must end with
'/': it names a folder-like subtree, so a scope for ``grant1/`` can never reach
``grant10/``. It must not contain the IAM wildcards '*' or '?', nor '$' (policy variables),
which would silently widen the scope.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from storage.exceptions import InvalidScope
from storage.names import check_bucket_name, check_prefix

__all__ = [
    "POLICY_VERSION",
    "READ_ACTIONS",
    "WRITE_ACTIONS",
    "Access",
    "Scope",
    "session_policy",
    "session_policy_json",
]

POLICY_VERSION = "2012-10-17"
Access = Literal["read", "write"]
READ_ACTIONS: tuple[str, ...] = ("s3:GetObject",)
WRITE_ACTIONS: tuple[str, ...] = (
    "s3:PutObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
)
# STS packs session policies into the token; AWS and MinIO refuse ones above 2048 bytes.
_MAX_POLICY_BYTES = 2048


@dataclass(frozen=True, slots=True)
class Scope:
    """Access of one mode to the objects under ``bucket/prefix``; validated on creation."""

    bucket: str
    prefix: str
    access: Access

    def __post_init__(self) -> None:
        check_bucket_name(self.bucket)
        check_prefix(self.prefix)
        if self.access not in ("read", "write"):
            raise InvalidScope(f"access must be 'read' or 'write', not {self.access!r}")

    @property
    def objects_arn(self) -> str:
        """ARN pattern of every object under the prefix."""
        return f"arn:aws:s3:::{self.bucket}/{self.prefix}*"

    @property
    def bucket_arn(self) -> str:
        """ARN of the bucket itself."""
        return f"arn:aws:s3:::{self.bucket}"


def session_policy(scope: Scope) -> dict[str, Any]:
    """Return the IAM policy document that grants exactly ``scope`` and nothing else."""
    if scope.access == "read":
        statements: list[dict[str, Any]] = [
            {
                "Sid": "ReadObjectsUnderPrefix",
                "Effect": "Allow",
                "Action": list(READ_ACTIONS),
                "Resource": [scope.objects_arn],
            },
            {
                "Sid": "ListOnlyUnderPrefix",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [scope.bucket_arn],
                "Condition": {"StringLike": {"s3:prefix": [f"{scope.prefix}*"]}},
            },
        ]
    else:
        statements = [
            {
                "Sid": "WriteObjectsUnderPrefix",
                "Effect": "Allow",
                "Action": list(WRITE_ACTIONS),
                "Resource": [scope.objects_arn],
            }
        ]
    return {"Version": POLICY_VERSION, "Statement": statements}


def session_policy_json(scope: Scope) -> str:
    """Return ``session_policy(scope)`` as compact JSON with sorted keys (deterministic)."""
    text = json.dumps(session_policy(scope), separators=(",", ":"), sort_keys=True)
    if len(text.encode("utf-8")) > _MAX_POLICY_BYTES:
        raise InvalidScope(f"session policy is longer than {_MAX_POLICY_BYTES} bytes")
    return text
