//! `techex admin create`: the center and its first platform administrator on a fresh
//! database. Everything else about staff happens in the application, signed in.

use crate::cli::{AdminAction, AdminArgs, AdminCreateArgs};
use crate::commands::english;
use crate::settings::Settings;
use anyhow::{Context, bail};
use std::io::{BufRead, IsTerminal};
use techex_core::CreditCode;
use techex_core::text::{check_password_strength, parse_email};
use techex_listings::center::{self, NewCenter};

/// `techex admin …`
pub async fn run(settings: Settings, args: &AdminArgs) -> anyhow::Result<()> {
    match &args.action {
        AdminAction::Create(create_args) => create(settings, create_args).await,
    }
}

fn how_to_add_staff(center_id: uuid::Uuid) -> String {
    format!(
        "there is one center per installation. To add staff, sign in as one of its platform administrators and \
         invite them: POST /api/v1/organizations/{center_id}/invitations with {{\"email\": …, \"roles\": \
         [\"member\", \"reviewer\"]}} (or registrar, platform_admin); they join with POST /api/v1/invitations/accept"
    )
}

/// `techex admin create`
async fn create(settings: Settings, args: &AdminCreateArgs) -> anyhow::Result<()> {
    // What can be checked without the database is checked before asking for a password.
    let email = parse_email(&args.email).map_err(|message| anyhow::anyhow!("--email: {}", english(&message)))?;
    CreditCode::parse(&args.credit_code).map_err(|message| anyhow::anyhow!("--credit-code: {}", english(&message)))?;
    let database = crate::commands::open(&settings).await?;
    if let Some(existing) = center::existing(&database).await? {
        bail!(
            "a center already exists: {} (credit code {}, id {}); nothing was changed. {}",
            existing.name,
            existing.credit_code,
            existing.id,
            how_to_add_staff(existing.id)
        );
    }
    let password = read_password(&email, args.password_stdin).await?;
    check_password_strength(&password, &email)
        .map_err(|message| anyhow::anyhow!("the password {}", english(&message)))?;

    let transaction = techex_listings::begin_write(&database).await?;
    let installed = center::install(
        &transaction,
        NewCenter {
            name: args.center_name.clone(),
            name_en: args.center_name_en.clone(),
            credit_code: args.credit_code.clone(),
            region: args.region.clone(),
            admin_email: email,
            admin_display_name: args.display_name.clone(),
            admin_password: password,
            admin_language: args.language,
        },
    )
    .await;
    let (organization, admin) = match installed {
        Ok(made) => made,
        Err(techex_listings::ListingsError::Invalid(errors)) => {
            transaction.rollback().await.ok();
            let reasons: Vec<String> =
                errors.0.iter().map(|e| format!("{}: {}", e.field, english(&e.message))).collect();
            bail!("cannot create the center: {}", reasons.join("; "));
        }
        Err(error) => {
            transaction.rollback().await.ok();
            bail!("cannot create the center: {}", crate::commands::explained(&error));
        }
    };
    transaction.commit().await.context("cannot save the center")?;
    println!(
        "created the center {} (kind center, verified; credit code {}, region {}, id {})",
        organization.name, organization.credit_code, organization.region, organization.id
    );
    println!(
        "created its platform administrator {} \"{}\" (language {}, roles {}, id {})",
        admin.email, admin.display_name, admin.language, admin.roles, admin.id
    );
    let site = settings.public_url.clone().unwrap_or_else(|| format!("http://{}", settings.addr));
    println!("start the server (`techex serve --no-demo`) and sign in at {}/sign-in", site.trim_end_matches('/'));
    Ok(())
}

/// The password: the first line of standard input when it is not a terminal (a pipe,
/// `--password-stdin`), else asked for twice on the terminal without echo.
async fn read_password(email: &str, password_stdin: bool) -> anyhow::Result<String> {
    let prompt = format!("password for {email}: ");
    let password = tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            let mut line = String::new();
            stdin.lock().read_line(&mut line).context("cannot read the password from standard input")?;
            return Ok(line.trim_end_matches(['\n', '\r']).to_string());
        }
        if password_stdin {
            bail!("--password-stdin reads a pipe, but standard input is a terminal: leave the flag out to be asked without echo");
        }
        let first = rpassword::prompt_password(&prompt).context("cannot ask for the password on the terminal")?;
        let again = rpassword::prompt_password("the same password again: ")
            .context("cannot ask for the password on the terminal")?;
        if first != again {
            bail!("the two passwords differ; nothing was changed");
        }
        Ok(first)
    })
    .await??;
    if password.is_empty() {
        bail!("no password given; nothing was changed");
    }
    Ok(password)
}
