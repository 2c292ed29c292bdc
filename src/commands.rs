//! The commands behind the command line.

use crate::cli::{ExportArgs, ExportFormat, ImportArgs, SeedArgs, ServeArgs};
use crate::settings::Settings;
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::io::Write;
use techex_core::Actor;
use techex_listings::auth::actor_of;
use techex_listings::entities::{organization, user};
use techex_listings::portfolio::{self, Format, ImportOptions, RowOutcome};
use techex_server::{Application, db};
use uuid::Uuid;

pub(crate) async fn open(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let database = db::connect(settings)
        .await
        .with_context(|| format!("cannot connect to {}", settings.redacted_database_url()))?;
    db::migrate(&database).await.context("cannot migrate the database")?;
    Ok(database)
}

/// `techex serve`
///
/// The port is bound first, then the database migrated, then (when empty) the demo
/// loaded: a start that fails on a busy port leaves no database behind, seeded or not.
pub async fn serve(settings: Settings, args: &ServeArgs) -> anyhow::Result<()> {
    let application = Application::build(settings.config.clone()).await?;
    let database = application.state().db.clone();
    if !args.no_demo && organization::Entity::find().count(&database).await? == 0 {
        tracing::info!("empty database: loading the demo center");
        crate::demo::load(&database, &settings.data_dir).await.context("cannot load the demo data")?;
    }
    tracing::info!(
        address = %settings.addr,
        port = application.port(),
        database = %settings.redacted_database_url(),
        "techex is serving: open http://{}:{}/",
        settings.addr.ip(),
        application.port()
    );
    application.run_until_stopped().await
}

/// `techex migrate`
pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    open(&settings).await?;
    tracing::info!(database = %settings.redacted_database_url(), "the schema is up to date");
    Ok(())
}

/// `techex payments reconcile [--repair]`
pub async fn payments(settings: Settings, args: &crate::cli::PaymentsArgs) -> anyhow::Result<()> {
    let crate::cli::PaymentsAction::Reconcile { repair } = args.action;
    let Some(key) = settings.stripe_secret_key.clone() else {
        bail!("set TECHEX_STRIPE_SECRET_KEY (and TECHEX_STRIPE_API_BASE for a test server) to reconcile payments");
    };
    let database = open(&settings).await?;
    let gateway = techex_payments::gateway::StripeGateway::with_connect(
        &key,
        &settings.stripe_api_base,
        settings.stripe_connect_api_base.as_deref().unwrap_or(&settings.stripe_api_base),
    )?;
    let found = techex_payments::milestones::reconcile(&database, &gateway, repair).await?;
    for item in &found {
        println!(
            "milestone {} {} {} techex={} stripe={}{}",
            item.milestone_id,
            item.subject,
            item.provider_id.as_deref().unwrap_or("-"),
            item.local_status,
            item.provider_status,
            if item.repaired { " repaired" } else { "" }
        );
    }
    let repaired = found.iter().filter(|d| d.repaired).count();
    println!("{} difference(s), {repaired} repaired", found.len());
    Ok(())
}

/// `techex seed --demo`
pub async fn seed(settings: Settings, args: &SeedArgs) -> anyhow::Result<()> {
    if !args.demo {
        bail!("say what to seed: `techex seed --demo` loads the demo center");
    }
    let database = open(&settings).await?;
    if organization::Entity::find().count(&database).await? > 0 {
        tracing::warn!("the database already holds organizations; the demo is loaded only into an empty database");
        return Ok(());
    }
    crate::demo::load(&database, &settings.data_dir).await
}

/// Finds an organization by id or credit code.
pub async fn find_organization(database: &DatabaseConnection, key: &str) -> anyhow::Result<organization::Model> {
    let found = match Uuid::parse_str(key) {
        Ok(id) => organization::Entity::find_by_id(id).one(database).await?,
        Err(_) => {
            organization::Entity::find()
                .filter(organization::Column::CreditCode.eq(key.trim().to_ascii_uppercase()))
                .one(database)
                .await?
        }
    };
    found.with_context(|| format!("no organization with id or credit code `{key}`"))
}

async fn importing_actor(
    database: &DatabaseConnection,
    org: &organization::Model,
    email: Option<&str>,
) -> anyhow::Result<Actor> {
    let members = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org.id))
        .filter(user::Column::Status.eq("active"))
        .order_by_asc(user::Column::CreatedAt)
        .all(database)
        .await?;
    let chosen = match email {
        Some(email) => members.iter().find(|m| m.email.eq_ignore_ascii_case(email.trim())),
        None => members.iter().find(|m| m.roles.contains("org_admin")).or(members.first()),
    };
    let member = chosen.with_context(|| format!("no active member {} in {}", email.unwrap_or(""), org.name))?;
    Ok(actor_of(member, org))
}

/// `techex import FILE --org ORG`
pub async fn import(settings: Settings, args: &ImportArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let name = args.file.to_string_lossy().to_string();
    // The same limits as the import route, checked before anything is written.
    let limits = settings.import_limits();
    let rows = if name.to_ascii_lowercase().ends_with(".json") {
        portfolio::read_json_rows(&bytes, &limits)
    } else {
        let format = Format::from_name(&name).with_context(|| format!("{name}: use a .csv, .xlsx or .json file"))?;
        portfolio::read_rows_within(&bytes, format, &limits)
    }
    .map_err(|e| match e {
        portfolio::ReadError::TooLarge(message) => {
            anyhow::anyhow!("{name}: {message} (the limit is TECHEX_IMPORT_MAX_ROWS / import_max_rows)")
        }
        portfolio::ReadError::Invalid(message) => anyhow::anyhow!("{name}: {message}"),
    })?;
    let database = open(&settings).await?;
    let org = find_organization(&database, &args.org).await?;
    let actor = importing_actor(&database, &org, args.as_user.as_deref()).await?;
    let progress = ProgressBar::new(rows.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} importing [{bar:40}] {pos}/{len} rows ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let report = portfolio::import(&database, &actor, rows, ImportOptions { submit: args.submit }, |done| {
        progress.set_position(done as u64)
    })
    .await?;
    progress.finish_and_clear();
    let mut out = std::io::stdout().lock();
    for row in &report.rows {
        let title = row.title.clone().unwrap_or_default();
        match &row.outcome {
            RowOutcome::Created { id } => writeln!(out, "line {:>5}  created   {id}  {title}", row.line)?,
            RowOutcome::Updated { id } => writeln!(out, "line {:>5}  updated   {id}  {title}", row.line)?,
            RowOutcome::Rejected { errors } => {
                let reasons: Vec<String> =
                    errors.iter().map(|e| format!("{}: {}", e.field, english(&e.message))).collect();
                writeln!(out, "line {:>5}  REJECTED  {title}  — {}", row.line, reasons.join("; "))?;
            }
        }
    }
    writeln!(
        out,
        "{} created, {} updated, {} rejected (organization: {})",
        report.created, report.updated, report.rejected, org.name
    )?;
    if let Some(path) = &args.report {
        let mut writer = csv_report(path)?;
        for row in &report.rows {
            let (outcome, id, reasons) = match &row.outcome {
                RowOutcome::Created { id } => ("created", id.to_string(), String::new()),
                RowOutcome::Updated { id } => ("updated", id.to_string(), String::new()),
                RowOutcome::Rejected { errors } => (
                    "rejected",
                    String::new(),
                    errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, english(&e.message)))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            writeln!(writer, "{},{},{},{}", row.line, outcome, id, csv_quote(&reasons))?;
        }
    }
    Ok(())
}

fn csv_report(path: &std::path::Path) -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
    let file = std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    writeln!(writer, "line,outcome,id,reasons")?;
    Ok(writer)
}

fn csv_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// `techex export`
pub async fn export(settings: Settings, args: &ExportArgs) -> anyhow::Result<()> {
    let database = open(&settings).await?;
    let org = match &args.org {
        Some(key) => Some(find_organization(&database, key).await?),
        None => None,
    };
    let published_only = args.published || org.is_none();
    let models = portfolio::export_models(&database, org.as_ref().map(|o| o.id), published_only).await?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    match args.format {
        ExportFormat::Csv => portfolio::write_csv(&models, &mut out)?,
        ExportFormat::Json => {
            let owners = organization::Entity::find().all(&database).await?.into_iter().map(|o| (o.id, o)).collect();
            serde_json::to_writer_pretty(&mut out, &portfolio::to_json(&models, &owners))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    tracing::info!(count = models.len(), "exported achievements");
    Ok(())
}

/// `techex reindex`
pub async fn reindex(settings: Settings) -> anyhow::Result<()> {
    let database = open(&settings).await?;
    let root = settings.index_root();
    let progress = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} indexing [{bar:40}] {pos}/{len} documents ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let (name, documents) = techex_search::rebuild::rebuild(&database, &root, |done, total| {
        progress.set_length(total);
        progress.set_position(done);
    })
    .await?;
    progress.finish_and_clear();
    tracing::info!(
        documents,
        index = %root.join(&name).display(),
        seconds = started.elapsed().as_secs_f64(),
        "search index rebuilt and made current"
    );
    Ok(())
}

/// A domain message in English, for the operator's terminal and report files.
pub(crate) fn english(message: &techex_core::Message) -> String {
    techex_server::locale::message(techex_server::i18n::Lang::En, message)
}

/// A domain error for the terminal, in English: a refusal's reason worded from its key.
pub(crate) fn explained(error: &techex_listings::ListingsError) -> String {
    use techex_listings::ListingsError::{Conflict, Forbidden, Gone};
    match error {
        Conflict(why) | Forbidden(why) | Gone(why) => english(why),
        other => other.to_string(),
    }
}
