"""Who may act: roles are granted data (docs/SECURITY.md#roles-and-grants).

A role comes only from a grant row an administrator (or, for a member's
own mapping, that branch's 书记) wrote; nothing here looks at a person's
职务, which anyone who may edit the roster can type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "管理员"
    SECRETARY = "书记"
    COMMITTEE = "支委"
    MEMBER = "党员"
    GENERAL = "党总支"  # a 党总支's office: assigns tasks to its branches, sees escalations


# Roles that belong to one branch; 管理员 is for the whole organisation.
BRANCH_ROLES = frozenset({Role.SECRETARY, Role.COMMITTEE, Role.MEMBER})


@dataclass(frozen=True)
class RoleGrant:
    role: Role
    branch_id: str | None = None  # None for 管理员


@dataclass(frozen=True)
class ActingIdentity:
    """Who this session acts as, built from granted data only.

    ``account``: the account the grants are keyed by (for root acting through
    sudo, the claimed account; ``actor`` then says both). ``person_id`` is
    None until an administrator or the branch's 书记 approved the mapping.
    ``pin_required``: the account has a PIN, so its person and roles count
    only while ``pin_verified`` (verified in this session, not idle too long).
    Use ``acts_as`` / ``acting_person_id`` to decide; ``holds`` ignores the PIN.
    """

    account: str
    actor: str = ""
    person_id: str | None = None
    grants: tuple[RoleGrant, ...] = field(default_factory=tuple)
    pin_required: bool = False
    pin_verified: bool = False
    # The file owner or root: the first administrator, before any grant.
    owner_admin: bool = False

    @property
    def proven(self) -> bool:
        """The person behind the session is established (no PIN, or PIN ok)."""
        return not self.pin_required or self.pin_verified

    @property
    def acting_person_id(self) -> str | None:
        """The person, or None while a required PIN has not been given."""
        return self.person_id if self.proven else None

    def holds(self, role: Role, branch_id: str | None = None) -> bool:
        """Granted *role* (in *branch_id* for a branch role), PIN aside."""
        if role is Role.ADMIN:
            return self.owner_admin or any(g.role is Role.ADMIN for g in self.grants)
        return any(
            g.role is role and (branch_id is None or g.branch_id == branch_id) for g in self.grants
        )

    def acts_as(self, role: Role, branch_id: str | None = None) -> bool:
        """Holds *role* and has proven who they are (the check to enforce)."""
        return self.proven and self.holds(role, branch_id)

    @property
    def is_admin(self) -> bool:
        return self.acts_as(Role.ADMIN)

    @property
    def pin_ok(self) -> bool:
        """Alias of ``proven`` (the name services.private_details reads)."""
        return self.proven

    @property
    def roles(self) -> frozenset[tuple[str, str]]:
        """Granted (role name, branch id or '') pairs, PIN aside."""
        extra = {(Role.ADMIN.value, "")} if self.owner_admin else set()
        return frozenset({(g.role.value, g.branch_id or "") for g in self.grants} | extra)

    def secretary_branches(self) -> frozenset[str]:
        """Branches this session acts as 书记 of (empty while unproven)."""
        if not self.proven:
            return frozenset()
        return frozenset(
            g.branch_id for g in self.grants if g.role is Role.SECRETARY and g.branch_id
        )
