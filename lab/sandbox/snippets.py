"""Ready-to-paste code that reads a grant's extract with temporary credentials: pure text."""

from __future__ import annotations

from dataclasses import dataclass

from storage import TemporaryCredentials, endpoint_url, polars_storage_options


@dataclass(frozen=True, slots=True)
class Where:
    """Where the extract is and how to reach the server."""

    endpoint: str
    secure: bool
    region: str
    bucket: str
    prefix: str
    data_key: str


def _sql(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def polars(creds: TemporaryCredentials, where: Where) -> str:
    """Polars, reading the extract lazily straight from the object store."""
    options = polars_storage_options(creds, where.endpoint, where.region, secure=where.secure)
    lines = "\n".join(f"    {key!r}: {value!r}," for key, value in options.items())
    return (f"import polars as pl\n\nstorage_options = {{\n{lines}\n}}\n"
            f"frame = pl.scan_parquet({f's3://{where.bucket}/{where.data_key}'!r}, "
            "storage_options=storage_options)\n"
            "print(frame.head().collect())\n")


def duckdb(creds: TemporaryCredentials, where: Where) -> str:
    """DuckDB SQL, with an S3 secret for this session."""
    url = endpoint_url(where.endpoint, secure=where.secure)
    host = url.split("://", 1)[1]
    return ("INSTALL httpfs;\nLOAD httpfs;\n"
            "CREATE OR REPLACE SECRET terrain_grant (\n"
            f"    TYPE s3, KEY_ID {_sql(creds.access_key)}, "
            f"SECRET {_sql(creds.secret_key.get_secret_value())},\n"
            f"    SESSION_TOKEN {_sql(creds.session_token)},\n"
            f"    REGION {_sql(where.region)}, ENDPOINT {_sql(host)}, URL_STYLE 'path', "
            f"USE_SSL {'true' if url.startswith('https') else 'false'}\n);\n"
            f"SELECT * FROM read_parquet({_sql(f's3://{where.bucket}/{where.data_key}')}) "
            "LIMIT 10;\n")


def boto3(creds: TemporaryCredentials, where: Where) -> str:
    """boto3, downloading every object of the extract into the current directory."""
    url = endpoint_url(where.endpoint, secure=where.secure)
    return ("import boto3\nfrom botocore.config import Config\n\n"
            f"s3 = boto3.client(\n    's3', endpoint_url={url!r}, region_name={where.region!r},\n"
            f"    aws_access_key_id={creds.access_key!r},\n"
            f"    aws_secret_access_key={creds.secret_key.get_secret_value()!r},\n"
            f"    aws_session_token={creds.session_token!r},\n"
            "    config=Config(s3={'addressing_style': 'path'}),\n)\n"
            f"listing = s3.list_objects_v2(Bucket={where.bucket!r}, Prefix={where.prefix!r})\n"
            "for item in listing.get('Contents', []):\n"
            f"    s3.download_file({where.bucket!r}, item['Key'], "
            "item['Key'].rsplit('/', 1)[-1])\n")


def all_snippets(creds: TemporaryCredentials, where: Where) -> dict[str, str]:
    """Every snippet, by tool."""
    return {"polars": polars(creds, where), "duckdb": duckdb(creds, where),
            "boto3": boto3(creds, where)}


__all__ = ["Where", "all_snippets", "boto3", "duckdb", "polars"]
