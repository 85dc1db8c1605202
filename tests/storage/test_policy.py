"""Session policies, checked by an independent little IAM evaluator (pure, no server)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from storage import InvalidScope, Scope, bucket_name, session_policy, session_policy_json
from storage.policy import READ_ACTIONS, WRITE_ACTIONS

BUCKET = "terrain-sandbox"
OTHER = "terrain-datasets"


def _glob(pattern: str, value: str) -> bool:
    """IAM string matching: '*' is any run of characters, '?' any one character."""
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, value) is not None


def allowed(
    policy: dict[str, Any], action: str, resource: str, context: dict[str, str] | None = None
) -> bool:
    """Whether an Allow-only policy grants ``action`` on ``resource`` in ``context``."""
    context = context or {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        assert not {"NotAction", "NotResource", "Principal"} & statement.keys()
        if not any(_glob(a, action) for a in statement["Action"]):
            continue
        if not any(_glob(r, resource) for r in statement["Resource"]):
            continue
        conditions = statement.get("Condition", {})
        assert set(conditions) <= {"StringLike"}, "evaluator knows StringLike only"
        if all(
            key in context and any(_glob(p, context[key]) for p in patterns)
            for key, patterns in conditions.get("StringLike", {}).items()
        ):
            return True
    return False


def obj(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


def bkt(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


READ = session_policy(Scope(BUCKET, "grant1/", "read"))
WRITE = session_policy(Scope(BUCKET, "grant1/", "write"))


@pytest.mark.parametrize(
    ("action", "resource", "context", "expected"),
    [
        ("s3:GetObject", obj(BUCKET, "grant1/data.parquet"), None, True),
        ("s3:GetObject", obj(BUCKET, "grant1/deep/er/manifest.json"), None, True),
        ("s3:GetObject", obj(BUCKET, "grant10/data.parquet"), None, False),
        ("s3:GetObject", obj(BUCKET, "grant1"), None, False),
        ("s3:GetObject", obj(BUCKET, "other/grant1/data.parquet"), None, False),
        ("s3:GetObject", obj(OTHER, "grant1/data.parquet"), None, False),
        ("s3:PutObject", obj(BUCKET, "grant1/data.parquet"), None, False),
        ("s3:DeleteObject", obj(BUCKET, "grant1/data.parquet"), None, False),
        ("s3:GetObjectTagging", obj(BUCKET, "grant1/data.parquet"), None, False),
        ("s3:ListBucket", bkt(BUCKET), {"s3:prefix": "grant1/"}, True),
        ("s3:ListBucket", bkt(BUCKET), {"s3:prefix": "grant1/sub/"}, True),
        ("s3:ListBucket", bkt(BUCKET), {"s3:prefix": "grant10/"}, False),
        ("s3:ListBucket", bkt(BUCKET), {"s3:prefix": ""}, False),
        ("s3:ListBucket", bkt(BUCKET), None, False),
        ("s3:ListBucket", bkt(OTHER), {"s3:prefix": "grant1/"}, False),
        ("s3:ListAllMyBuckets", "arn:aws:s3:::*", None, False),
        ("s3:ListBucketVersions", bkt(BUCKET), {"s3:prefix": "grant1/"}, False),
    ],
)
def test_read_scope_allows_exactly_reads_under_prefix(
    action: str, resource: str, context: dict[str, str] | None, expected: bool
) -> None:
    assert allowed(READ, action, resource, context) is expected


@pytest.mark.parametrize(
    ("action", "resource", "expected"),
    [
        ("s3:PutObject", obj(BUCKET, "grant1/measurements/day1.csv"), True),
        ("s3:AbortMultipartUpload", obj(BUCKET, "grant1/big.bin"), True),
        ("s3:ListMultipartUploadParts", obj(BUCKET, "grant1/big.bin"), True),
        ("s3:PutObject", obj(BUCKET, "grant10/x.csv"), False),
        ("s3:PutObject", obj(OTHER, "grant1/x.csv"), False),
        ("s3:GetObject", obj(BUCKET, "grant1/x.csv"), False),
        ("s3:DeleteObject", obj(BUCKET, "grant1/x.csv"), False),
        ("s3:ListBucket", bkt(BUCKET), False),
        ("s3:PutObjectAcl", obj(BUCKET, "grant1/x.csv"), False),
    ],
)
def test_write_scope_allows_exactly_uploads_under_prefix(
    action: str, resource: str, expected: bool
) -> None:
    assert allowed(WRITE, action, resource, {"s3:prefix": "grant1/"}) is expected


def test_policies_name_no_action_beyond_the_documented_sets() -> None:
    def actions(policy: dict[str, Any]) -> set[str]:
        return {a for s in policy["Statement"] for a in s["Action"]}

    assert actions(READ) == {*READ_ACTIONS, "s3:ListBucket"}
    assert actions(WRITE) == set(WRITE_ACTIONS)
    for policy in (READ, WRITE):
        assert policy["Version"] == "2012-10-17"
        assert not any("*" in a for a in actions(policy))


def test_policy_json_is_compact_deterministic_and_faithful() -> None:
    scope = Scope(BUCKET, "grant1/", "read")
    text = session_policy_json(scope)
    assert text == session_policy_json(Scope(BUCKET, "grant1/", "read"))
    assert " " not in text and "\n" not in text
    assert json.loads(text) == session_policy(scope)
    assert text != session_policy_json(Scope(BUCKET, "grant2/", "read"))


@pytest.mark.parametrize(
    "bucket",
    [
        "",
        "ab",
        "x" * 64,
        "Terrain-sandbox",
        "terrain_sandbox",
        "-terrain",
        "terrain-",
        "terrain..sandbox",
        "terrain.-sandbox",
        "192.168.10.1",
        "xn--terrain",
        "a b c",
    ],
)
def test_invalid_bucket_names_are_refused(bucket: str) -> None:
    with pytest.raises(InvalidScope):
        Scope(bucket, "grant1/", "read")


@pytest.mark.parametrize(
    "prefix",
    [
        "",
        "/",
        "grant1",
        "/grant1/",
        "grant*/",
        "grant?/",
        "*",
        "${aws:username}/",
        "grant1//x/",
        "../grant1/",
        "grant1/../",
        "grant\n1/",
        "x" * 1100 + "/",
    ],
)
def test_invalid_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(InvalidScope):
        Scope(BUCKET, prefix, "write")


def test_unknown_access_mode_is_refused() -> None:
    with pytest.raises(InvalidScope):
        Scope(BUCKET, "grant1/", "admin")  # type: ignore[arg-type]


def test_scope_is_frozen() -> None:
    scope = Scope(BUCKET, "grant1/", "read")
    with pytest.raises(AttributeError):
        scope.prefix = "grant2/"  # type: ignore[misc]


def test_bucket_names_follow_purpose_and_prefix() -> None:
    assert bucket_name("sandbox") == "terrain-sandbox"
    assert bucket_name("reports", "t1234abcd-") == "t1234abcd-reports"
    with pytest.raises(InvalidScope):
        bucket_name("backups")  # type: ignore[arg-type]
    with pytest.raises(InvalidScope):
        bucket_name("datasets", "Bad_Prefix-")
