"""Who may curate what in the catalog, shared by zones, assets and datasets."""

from __future__ import annotations

import uuid

from lab.auth.models import Role, User
from lab.exceptions import InvalidInput, PermissionDenied


def owning_authority(actor: User, requested: uuid.UUID | None) -> uuid.UUID:
    """The authority a new catalog entry belongs to: the city member's own, or the admin's pick."""
    if actor.role == Role.admin:
        if requested is None:
            raise InvalidInput("An administrator must name the owning authority.",
                               field="authority_id")
        return requested
    if actor.role != Role.city or actor.authority_id is None:
        raise PermissionDenied("Only city members curate the catalog.")
    if requested is not None and requested != actor.authority_id:
        raise PermissionDenied("City members curate only their own authority's catalog.")
    return actor.authority_id


def require_curator(actor: User, authority_id: uuid.UUID) -> None:
    """Refuse unless the actor is an admin or a city member of this authority."""
    if actor.role == Role.admin:
        return
    if actor.role != Role.city or actor.authority_id != authority_id:
        raise PermissionDenied("Only city members of the owning authority may change this.")


__all__ = ["owning_authority", "require_curator"]
