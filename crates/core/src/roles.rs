//! What a user may do, beyond belonging to an organization.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A role granted to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Acts for the organization: lists, posts, negotiates.
    Member,
    /// Manages the organization's profile and members.
    OrgAdmin,
    /// A certified technology broker.
    Broker,
    /// Center staff who approve or reject listings and demands.
    Reviewer,
    /// Center staff who register technology contracts.
    Registrar,
    /// Verifies organizations, certifies brokers, sees everything.
    PlatformAdmin,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Member, Role::OrgAdmin, Role::Broker, Role::Reviewer, Role::Registrar, Role::PlatformAdmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::OrgAdmin => "org_admin",
            Role::Broker => "broker",
            Role::Reviewer => "reviewer",
            Role::Registrar => "registrar",
            Role::PlatformAdmin => "platform_admin",
        }
    }

    pub fn parse(input: &str) -> Result<Role, crate::message::Message> {
        Role::ALL.into_iter().find(|r| r.as_str() == input.trim()).ok_or_else(|| {
            crate::message::keys::VALUE_NOT_ONE_OF
                .with("input", input)
                .with("allowed", "member, org_admin, broker, reviewer, registrar, platform_admin")
        })
    }

    /// Roles that only the center's staff may hold and only a platform admin may grant.
    pub fn is_center_role(self) -> bool {
        matches!(self, Role::Reviewer | Role::Registrar | Role::PlatformAdmin)
    }
}

/// The set of roles of one user; stored as a comma-separated list of codes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleSet(Vec<Role>);

impl RoleSet {
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Self {
        let mut roles: Vec<Role> = roles.into_iter().collect();
        roles.sort();
        roles.dedup();
        RoleSet(roles)
    }

    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn roles(&self) -> &[Role] {
        &self.0
    }

    /// Reads the stored form, ignoring unknown codes (a newer version may add roles).
    pub fn from_stored(stored: &str) -> Self {
        RoleSet::new(stored.split(',').filter_map(|s| Role::parse(s).ok()))
    }

    /// The stored form: sorted codes joined by commas.
    pub fn to_stored(&self) -> String {
        self.0.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_sets_round_trip_through_storage() {
        let set = RoleSet::new([Role::Reviewer, Role::Member, Role::Reviewer]);
        assert_eq!(set.to_stored(), "member,reviewer");
        assert_eq!(RoleSet::from_stored("member,reviewer,unknown"), set);
        assert!(set.contains(Role::Reviewer));
        assert!(!set.contains(Role::PlatformAdmin));
    }
}
