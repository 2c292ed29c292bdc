//! Who is acting: the authenticated user, the organization they act for, and their roles.
//! Every domain transition takes an `Actor` and decides on it; the HTTP edge only builds it.

use crate::domain::OrgKind;
use crate::roles::{Role, RoleSet};
use uuid::Uuid;

/// An authenticated user acting for their organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub organization_id: Uuid,
    pub organization_kind: OrgKind,
    /// Whether a platform admin has verified the organization (needed to publish or trade).
    pub organization_verified: bool,
    pub roles: RoleSet,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(role)
    }

    /// Platform admins see and may do everything an administrator may.
    pub fn is_platform_admin(&self) -> bool {
        self.has(Role::PlatformAdmin)
    }

    /// Center staff who review listings (reviewers and platform admins).
    pub fn can_review(&self) -> bool {
        self.has(Role::Reviewer) || self.is_platform_admin()
    }

    /// Whether the actor acts for the given organization.
    pub fn belongs_to(&self, organization_id: Uuid) -> bool {
        self.organization_id == organization_id
    }
}
