"""Who is asking, and what they may see and do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from catalogue.models import Role, Status
from catalogue.services.errors import Forbidden, Unauthorized

# Fields that only curators and admins ever see, in every channel.
STAFF_ONLY_FIELDS = ("location", "valuation", "internal_notes")
STAFF_ONLY_ACQUISITION_FIELDS = ("source_contact",)


@dataclass(frozen=True)
class Identity:
    """The caller: a user with a role, or anonymous (``user_id`` None)."""

    user_id: uuid.UUID | None = None
    email: str | None = None
    role: Role | None = None

    @property
    def authenticated(self) -> bool:
        return self.role is not None

    @property
    def is_staff(self) -> bool:
        """Curators and admins: they write the catalogue and see staff-only fields."""
        return self.role in (Role.curator, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def visible_statuses(self) -> tuple[Status, ...]:
        if self.is_staff:
            return (Status.public, Status.internal, Status.draft)
        if self.role == Role.researcher:
            return (Status.public, Status.internal)
        return (Status.public,)

    @property
    def view(self) -> str:
        """The name of the record view this caller gets: staff, research or public."""
        if self.is_staff:
            return "staff"
        return "research" if self.role == Role.researcher else "public"

    def can_see(self, status: Status | str) -> bool:
        return Status(status) in self.visible_statuses

    def require_authenticated(self) -> None:
        if not self.authenticated:
            raise Unauthorized("Sign in or send an API token (Authorization: Bearer ...).")

    def require_staff(self) -> None:
        self.require_authenticated()
        if not self.is_staff:
            raise Forbidden("This needs the curator or admin role.")

    def require_admin(self) -> None:
        self.require_authenticated()
        if not self.is_admin:
            raise Forbidden("This needs the admin role.")


ANONYMOUS = Identity()
SYSTEM = Identity(email="system", role=Role.admin)


def view_of(document: dict, identity: Identity) -> dict:
    """The record as ``identity`` may see it: staff-only fields are absent, not null."""
    if identity.is_staff:
        return document
    record = {k: v for k, v in document.items() if k not in STAFF_ONLY_FIELDS}
    acquisition = record.get("acquisition")
    if acquisition:
        record["acquisition"] = {
            k: v for k, v in acquisition.items() if k not in STAFF_ONLY_ACQUISITION_FIELDS
        }
    if record.get("media"):
        record["media"] = [m for m in record["media"] if m.get("public", True)]
    if record.get("related_objects"):
        record["related_objects"] = [
            r for r in record["related_objects"] if identity.can_see(r.get("status", "draft"))
        ]
    return record
