"""A revoked grant says so in its extract status, leaves nothing listed under its prefix, and
the credentials issued before it read nothing (issue 13), against the real S3 server."""

from __future__ import annotations

import pytest
from minio import Minio
from minio.error import S3Error

from lab.objectstore import bucket_prefix
from storage import bucket_name, make_client
from tests.lab.sandbox.world import World


def test_a_revoked_grant_reports_revoked_and_leaves_no_marker_nor_readable_object(
        world: World) -> None:
    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.territory.dataset_id)
    assert grant["extract_status"] == "ready"
    issued = world.client.post(f"/api/v1/grants/{grant['id']}/credentials",
                               headers=world.startup)
    assert issued.status_code == 200, issued.text
    creds = issued.json()
    reader: Minio = make_client(endpoint=creds["endpoint"], access_key=creds["access_key_id"],
                                secret_key=creds["secret_access_key"],
                                session_token=creds["session_token"], region=creds["region"])
    data_key = f"{grant['id']}/{world.territory.dataset_id}.parquet"
    assert reader.stat_object(creds["bucket"], data_key).size
    sandbox = bucket_name("sandbox", bucket_prefix())
    assert f"{grant['id']}/" in {o.object_name for o in world.storage.list_objects(sandbox)}

    revoked = world.client.post(f"/api/v1/grants/{grant['id']}/revoke",
                                headers=world.auth(world.territory.epci_city),
                                json={"reason": "Usage hors protocole"})
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["extract_status"] == "revoked"
    listed = world.client.get(f"/api/v1/grants/{grant['id']}", headers=world.startup).json()
    assert listed["extract_status"] == "revoked" and listed["usable"] is False
    # Nothing left under the grant's prefix, not even an empty "directory".
    assert f"{grant['id']}/" not in {o.object_name for o in world.storage.list_objects(sandbox)}
    assert list(world.storage.list_objects(sandbox, prefix=f"{grant['id']}/",
                                           recursive=True)) == []
    # The credentials issued before cannot read, nor find anything to read.
    with pytest.raises(S3Error):
        reader.get_object(creds["bucket"], data_key)
    with pytest.raises(S3Error):
        reader.get_object(creds["bucket"], f"{grant['id']}/manifest.json")
    assert list(reader.list_objects(creds["bucket"], prefix=f"{grant['id']}/",
                                    recursive=True)) == []
