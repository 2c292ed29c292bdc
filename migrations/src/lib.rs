//! The schema of techex as sea-orm migrations. The same migrations run unchanged on
//! SQLite and PostgreSQL; reference data (regions, industry fields) is seeded here so
//! that every database, empty or not, has it.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261127_000001_foundation;
mod m20261127_000002_reference_data;
mod m20261127_000003_search;
mod m20261127_000004_negotiation;
mod m20261127_000005_contracts;
mod m20261127_000006_payments;
mod m20261127_000007_payouts;
mod m20261127_000008_termination;
mod m20261127_000009_termination_notice;
mod m20261130_000010_known_login_addresses;
mod m20261130_000011_import_jobs;
mod m20261130_000012_user_language;
mod m20261201_000013_notification_messages;
mod m20261201_000014_organization_rejection;
mod m20261201_000015_mail;
mod m20261202_000016_email_confirmation;
mod m20261202_000017_broker_certificate_expiry;
mod m20261202_000018_organization_licence;
mod m20261202_000019_open_licences;
mod m20261202_000020_royalty_reports;
mod m20261203_000021_open_licence_brokered;
mod m20261203_000022_royalty_on_profit;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_foundation::Migration),
            Box::new(m20261127_000002_reference_data::Migration),
            Box::new(m20261127_000003_search::Migration),
            Box::new(m20261127_000004_negotiation::Migration),
            Box::new(m20261127_000005_contracts::Migration),
            Box::new(m20261127_000006_payments::Migration),
            Box::new(m20261127_000007_payouts::Migration),
            Box::new(m20261127_000008_termination::Migration),
            Box::new(m20261127_000009_termination_notice::Migration),
            Box::new(m20261130_000010_known_login_addresses::Migration),
            Box::new(m20261130_000011_import_jobs::Migration),
            Box::new(m20261130_000012_user_language::Migration),
            Box::new(m20261201_000013_notification_messages::Migration),
            Box::new(m20261201_000014_organization_rejection::Migration),
            Box::new(m20261201_000015_mail::Migration),
            Box::new(m20261202_000016_email_confirmation::Migration),
            Box::new(m20261202_000017_broker_certificate_expiry::Migration),
            Box::new(m20261202_000018_organization_licence::Migration),
            Box::new(m20261202_000019_open_licences::Migration),
            Box::new(m20261202_000020_royalty_reports::Migration),
            Box::new(m20261203_000021_open_licence_brokered::Migration),
            Box::new(m20261203_000022_royalty_on_profit::Migration),
        ]
    }
}
