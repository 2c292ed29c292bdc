//! Moving achievement portfolios in and out: a technology-transfer office keeps its
//! patents in a spreadsheet (CSV or XLSX); `techex import` and the import route read it
//! within limits (`reading`), then load it row by row, each row in a savepoint of one
//! transaction, and `techex export` writes the same columns back (CSV or JSON). A row
//! whose patent number the organization already listed updates that achievement instead
//! of adding a duplicate.

pub mod jobs;
mod reading;
pub use reading::{ImportLimits, ReadError, read_rows_within};

use crate::achievements::{self, AchievementInput};
use crate::entities::{achievement, organization};
use crate::error::{ListingsError, Result};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Serialize;
use std::collections::HashMap;
use techex_core::domain::{AchievementKind, Maturity, TransactionMode};
use techex_core::money::{format_major, parse_major_amount};
use techex_core::{Actor, Currency, FieldError, FieldErrors, Message, MessageArg, Patch, PatentNumber, msg};
use utoipa::ToSchema;
use uuid::Uuid;

/// The columns of the portfolio format, in order.
pub const COLUMNS: &[&str] = &[
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "abstract_zh",
    "abstract_en",
    "description_zh",
    "description_en",
    "advantage_zh",
    "advantage_en",
    "application_scenarios",
    "kind",
    "patent_number",
    "patent_granted",
    "ipc_codes",
    "field",
    "maturity",
    "trl",
    "transaction_modes",
    "asking_price",
    "floor_price",
    "currency",
    "price_negotiable",
    "inventors",
    "keywords",
    "region",
    "nda_required",
];

/// Chinese headers that tech-transfer offices commonly use, mapped to our columns.
const HEADER_ALIASES: &[(&str, &str)] = &[
    ("成果名称", "title_zh"),
    ("名称", "title_zh"),
    ("专利名称", "title_zh"),
    ("英文名称", "title_en"),
    ("简介", "summary_zh"),
    ("一句话简介", "summary_zh"),
    ("摘要", "abstract_zh"),
    ("成果简介", "abstract_zh"),
    ("技术说明", "description_zh"),
    ("详细说明", "description_zh"),
    ("技术优势", "advantage_zh"),
    ("应用场景", "application_scenarios"),
    ("应用领域", "application_scenarios"),
    ("成果类型", "kind"),
    ("类型", "kind"),
    ("专利号", "patent_number"),
    ("申请号", "patent_number"),
    ("专利申请号", "patent_number"),
    ("是否授权", "patent_granted"),
    ("ipc分类号", "ipc_codes"),
    ("分类号", "ipc_codes"),
    ("行业领域", "field"),
    ("领域", "field"),
    ("成熟度", "maturity"),
    ("技术成熟度", "trl"),
    ("trl", "trl"),
    ("交易方式", "transaction_modes"),
    ("转化方式", "transaction_modes"),
    ("挂牌价", "asking_price"),
    ("价格", "asking_price"),
    ("意向价格", "asking_price"),
    ("底价", "floor_price"),
    ("币种", "currency"),
    ("面议", "price_negotiable"),
    ("价格面议", "price_negotiable"),
    ("发明人", "inventors"),
    ("完成人", "inventors"),
    ("关键词", "keywords"),
    ("地区", "region"),
    ("所在地区", "region"),
    ("需签保密协议", "nda_required"),
];

/// One data row of a portfolio file: its line number (1 = header) and its cells by column.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    pub cells: HashMap<String, String>,
}

/// The file formats a portfolio can come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// Guesses the format from a file name (`.csv`, `.xlsx`).
    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else if lower.ends_with(".xlsx") {
            Some(Format::Xlsx)
        } else {
            None
        }
    }

    /// The format of an uploaded file: CSV unless the name says XLSX; old `.xls` and
    /// `.ods` workbooks are refused (they cannot be read cell by cell within limits).
    pub fn of_upload(name: &str) -> Result<Format, String> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".xls") || lower.ends_with(".ods") {
            return Err("old .xls and .ods workbooks are not read; save the sheet as .xlsx or .csv".into());
        }
        Ok(Format::from_name(name).unwrap_or(Format::Csv))
    }
}

fn canonical_header(raw: &str) -> String {
    let cleaned = raw.trim().trim_start_matches('\u{feff}').trim().to_lowercase();
    HEADER_ALIASES
        .iter()
        .find(|(alias, _)| *alias == cleaned)
        .map(|(_, column)| (*column).to_string())
        .unwrap_or(cleaned)
}

fn rows_from_table(table: Vec<Vec<String>>) -> Result<Vec<Row>, String> {
    let mut lines = table.into_iter();
    let header: Vec<String> = lines.next().ok_or("the file is empty")?.iter().map(|h| canonical_header(h)).collect();
    let unknown: Vec<&String> = header.iter().filter(|h| !h.is_empty() && !COLUMNS.contains(&h.as_str())).collect();
    if !unknown.is_empty() {
        let names: Vec<&str> = unknown.iter().map(|s| s.as_str()).collect();
        return Err(format!("unknown columns: {} (known: {})", names.join(", "), COLUMNS.join(", ")));
    }
    if !header.iter().any(|h| h == "title_zh" || h == "title_en") {
        return Err("the header needs a title column (title_zh or title_en)".into());
    }
    let mut rows = Vec::new();
    for (index, values) in lines.enumerate() {
        if values.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let cells = header
            .iter()
            .zip(values)
            .filter(|(h, v)| !h.is_empty() && !v.trim().is_empty())
            .map(|(h, v)| (h.clone(), v.trim().to_string()))
            .collect();
        rows.push(Row { line: index + 2, cells });
    }
    Ok(rows)
}

/// Reads the rows of a CSV or XLSX file (the first sheet of a workbook) within the
/// default limits.
pub fn read_rows(bytes: &[u8], format: Format) -> Result<Vec<Row>, String> {
    read_rows_within(bytes, format, &ImportLimits::default()).map_err(|e| e.to_string())
}

/// The most of a cell the import report repeats (titles, patent numbers, messages).
pub const REPORT_EXCERPT_CHARS: usize = 200;

/// The first `REPORT_EXCERPT_CHARS` characters of a text, marked `…` when cut.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(REPORT_EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

fn split_list(value: &str) -> Vec<String> {
    value.split([';', '；', '、', '\n', '|']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn parse_bool(value: &str) -> Result<bool, Message> {
    match value.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "是" | "已授权" | "面议" => Ok(true),
        "false" | "no" | "n" | "0" | "否" | "未授权" => Ok(false),
        other => Err(msg::CELL_NOT_YES_NO.with("input", other)),
    }
}

/// Turns a row into the achievement input it describes, or the errors of its cells.
pub fn row_to_input(row: &Row) -> Result<AchievementInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    let cell = |name: &str| row.cells.get(name).cloned();
    let text = |name: &str| cell(name).map_or(Patch::Absent, Patch::Value);
    let mut input = AchievementInput {
        title_zh: text("title_zh"),
        title_en: text("title_en"),
        summary_zh: text("summary_zh"),
        summary_en: text("summary_en"),
        abstract_zh: text("abstract_zh"),
        abstract_en: text("abstract_en"),
        description_zh: text("description_zh"),
        description_en: text("description_en"),
        advantage_zh: text("advantage_zh"),
        advantage_en: text("advantage_en"),
        application_scenarios: cell("application_scenarios").map(|v| split_list(&v)),
        patent_number: text("patent_number"),
        ipc_codes: cell("ipc_codes").map(|v| split_list(&v)),
        field: cell("field"),
        inventors: cell("inventors").map(|v| split_list(&v)),
        keywords: cell("keywords").map(|v| split_list(&v)),
        region: cell("region"),
        ..AchievementInput::default()
    };
    if let Some(kind) = cell("kind") {
        input.kind = errors.check("kind", AchievementKind::parse(&kind));
    }
    if let Some(value) = cell("patent_granted") {
        input.patent_granted = errors.check("patent_granted", parse_bool(&value));
    }
    if let Some(value) = cell("maturity") {
        input.maturity = errors.check("maturity", Maturity::parse(&value)).map_or(Patch::Absent, Patch::Value);
    }
    if let Some(value) = cell("trl") {
        let parsed = value.trim().trim_start_matches(['T', 't', 'R', 'r', 'L', 'l']).parse::<i16>();
        match parsed {
            Ok(trl) => input.trl = Patch::Value(trl),
            Err(_) => errors.add("trl", msg::CELL_TRL_INVALID.with("input", value)),
        }
    }
    if let Some(value) = cell("transaction_modes") {
        let mut modes = Vec::new();
        for mode in split_list(&value) {
            if let Some(mode) = errors.check("transaction_modes", TransactionMode::parse(&mode)) {
                modes.push(mode);
            }
        }
        input.transaction_modes = Some(modes);
    }
    for (column, target) in
        [("asking_price", &mut input.asking_price_minor), ("floor_price", &mut input.floor_price_minor)]
    {
        if let Some(value) = cell(column) {
            if ["面议", "negotiable"].contains(&value.trim().to_lowercase().as_str()) {
                input.price_negotiable = Some(true);
            } else if let Some(minor) = errors.check(column, parse_major_amount(&value)) {
                *target = Patch::Value(minor);
            }
        }
    }
    if let Some(value) = cell("currency") {
        input.currency = errors.check("currency", Currency::parse(&value));
    }
    if let Some(value) = cell("price_negotiable") {
        input.price_negotiable = errors.check("price_negotiable", parse_bool(&value));
    }
    if let Some(value) = cell("nda_required") {
        input.nda_required = errors.check("nda_required", parse_bool(&value));
    }
    errors.into_result().map(|()| input)
}

/// What happened to one row.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RowOutcome {
    Created { id: Uuid },
    Updated { id: Uuid },
    Rejected { errors: Vec<FieldError> },
}

/// The report line of one row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowReport {
    /// Line in the file (the header is line 1).
    pub line: usize,
    pub title: Option<String>,
    pub patent_number: Option<String>,
    #[serde(flatten)]
    pub outcome: RowOutcome,
}

/// The result of an import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub rejected: usize,
    pub rows: Vec<RowReport>,
}

/// Options of an import.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Submit every imported achievement for review (needs a verified organization).
    pub submit: bool,
}

fn errors_of(error: ListingsError) -> Vec<FieldError> {
    match error {
        ListingsError::Invalid(errors) => errors.0,
        // A refusal's reason is a message the report words in its reader's language.
        ListingsError::Conflict(why) | ListingsError::Forbidden(why) | ListingsError::Gone(why) => {
            vec![FieldError::new("row", why)]
        }
        other => vec![FieldError::new("row", Message::verbatim(other.to_string()))],
    }
}

/// Cell errors as reported: each message cut to an excerpt, since messages quote cells.
fn reported(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut error| {
            for value in error.message.args.values_mut() {
                if let MessageArg::Text(text) = value {
                    *text = excerpt(text);
                }
            }
            error
        })
        .collect()
}

async fn import_row<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: AchievementInput,
    options: ImportOptions,
) -> Result<RowOutcome> {
    let number = match &input.patent_number {
        Patch::Value(n) => PatentNumber::parse(n).ok().map(|p| p.application_number()),
        _ => None,
    };
    let existing = match &number {
        Some(number) => achievements::find_by_patent_number(db, number).await?,
        None => None,
    };
    let (id, outcome) = match existing {
        Some(found) if found.organization_id != actor.organization_id => {
            return Err(ListingsError::Conflict(
                techex_core::msg::REFUSED_PATENT_NUMBER_LISTED_ELSEWHERE.with("number", number.unwrap_or_default()),
            ));
        }
        Some(found) => {
            let updated = achievements::update(db, actor, found.id, None, input).await?;
            (updated.id, RowOutcome::Updated { id: updated.id })
        }
        None => {
            let mut input = input;
            if input.kind.is_none() {
                input.kind =
                    Some(if number.is_some() { AchievementKind::InventionPatent } else { AchievementKind::Other });
            }
            if input.field.is_none() {
                input.field = Some("other".into());
            }
            let created = achievements::create(db, actor, input).await?;
            (created.id, RowOutcome::Created { id: created.id })
        }
    };
    if options.submit {
        achievements::submit(db, actor, id, None).await?;
    }
    Ok(outcome)
}

/// Imports rows for the actor's organization in one transaction, each row in a savepoint
/// of its own: a row that fails leaves nothing behind and the others still land, and the
/// file lands whole at the end — an import interrupted before (a timeout, a crash, a
/// client gone) leaves nothing half-written. The caller has checked the row limit (see
/// `read_rows_within`). `progress` is called after each row.
pub async fn import(
    db: &DatabaseConnection,
    actor: &Actor,
    rows: Vec<Row>,
    options: ImportOptions,
    progress: impl Fn(usize),
) -> Result<ImportReport> {
    let mut report = ImportReport { created: 0, updated: 0, rejected: 0, rows: Vec::with_capacity(rows.len()) };
    let transaction = crate::begin_write(db).await?;
    for (done, row) in rows.into_iter().enumerate() {
        let title = row.cells.get("title_zh").or_else(|| row.cells.get("title_en")).map(|t| excerpt(t));
        let patent_number = row.cells.get("patent_number").map(|n| excerpt(n));
        let outcome = match row_to_input(&row) {
            Err(errors) => RowOutcome::Rejected { errors: reported(errors.0) },
            Ok(input) => {
                let savepoint = transaction.begin().await?;
                match import_row(&savepoint, actor, input, options).await {
                    Ok(outcome) => {
                        savepoint.commit().await?;
                        outcome
                    }
                    Err(ListingsError::Db(error)) => return Err(ListingsError::Db(error)),
                    Err(error) => {
                        savepoint.rollback().await?;
                        RowOutcome::Rejected { errors: reported(errors_of(error)) }
                    }
                }
            }
        };
        match outcome {
            RowOutcome::Created { .. } => report.created += 1,
            RowOutcome::Updated { .. } => report.updated += 1,
            RowOutcome::Rejected { .. } => report.rejected += 1,
        }
        report.rows.push(RowReport { line: row.line, title, patent_number, outcome });
        progress(done + 1);
    }
    transaction.commit().await?;
    Ok(report)
}

/// One achievement in the portfolio format (the same columns the import reads).
pub fn to_record(model: &achievement::Model) -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::Value;
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    let list = |v: &[String]| Value::Array(v.iter().cloned().map(Value::String).collect());
    let price = |v: Option<i64>| v.map_or(Value::Null, |m| Value::String(format_major(m)));
    vec![
        ("title_zh", text(&model.title_zh)),
        ("title_en", text(&model.title_en)),
        ("summary_zh", text(&model.summary_zh)),
        ("summary_en", text(&model.summary_en)),
        ("abstract_zh", text(&model.abstract_zh)),
        ("abstract_en", text(&model.abstract_en)),
        ("description_zh", text(&model.description_zh)),
        ("description_en", text(&model.description_en)),
        ("advantage_zh", text(&model.advantage_zh)),
        ("advantage_en", text(&model.advantage_en)),
        ("application_scenarios", list(&model.application_scenarios.0)),
        ("kind", Value::String(model.kind.clone())),
        ("patent_number", text(&model.patent_number)),
        ("patent_granted", Value::Bool(model.patent_granted)),
        ("ipc_codes", list(&model.ipc_codes.0)),
        ("field", Value::String(model.field_code.clone())),
        ("maturity", text(&model.maturity)),
        ("trl", model.trl.map_or(Value::Null, Value::from)),
        ("transaction_modes", list(&model.transaction_modes.0)),
        ("asking_price", price(model.asking_price_minor)),
        ("floor_price", price(model.floor_price_minor)),
        ("currency", Value::String(model.currency.clone())),
        ("price_negotiable", Value::Bool(model.price_negotiable)),
        ("inventors", list(&model.inventors.0)),
        ("keywords", list(&model.keywords.0)),
        ("region", Value::String(model.region.clone())),
        ("nda_required", Value::Bool(model.nda_required)),
    ]
}

/// Loads the achievements to export: one organization's (all states) or every published one.
pub async fn export_models<C: ConnectionTrait>(
    db: &C,
    organization: Option<Uuid>,
    published_only: bool,
) -> Result<Vec<achievement::Model>> {
    let mut query = achievement::Entity::find().order_by_asc(achievement::Column::Id);
    if let Some(org) = organization {
        query = query.filter(achievement::Column::OrganizationId.eq(org));
    }
    if published_only {
        query = query.filter(achievement::Column::Status.eq("published"));
    }
    Ok(query.all(db).await?)
}

/// Writes achievements as CSV with the portfolio columns (lists joined with `;`).
pub fn write_csv(models: &[achievement::Model], out: impl std::io::Write) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let io = |e: csv::Error| ListingsError::Internal(format!("cannot write CSV: {e}"));
    writer.write_record(COLUMNS).map_err(io)?;
    for model in models {
        let record: Vec<String> = to_record(model)
            .into_iter()
            .map(|(_, value)| match value {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s,
                serde_json::Value::Array(items) => {
                    items.iter().filter_map(|i| i.as_str()).collect::<Vec<_>>().join(";")
                }
                other => other.to_string(),
            })
            .collect();
        writer.write_record(&record).map_err(io)?;
    }
    writer.flush()?;
    Ok(())
}

/// Writes achievements as a JSON array of objects with the portfolio columns.
pub fn to_json(models: &[achievement::Model], owners: &HashMap<Uuid, organization::Model>) -> serde_json::Value {
    serde_json::Value::Array(
        models
            .iter()
            .map(|model| {
                let mut object: serde_json::Map<String, serde_json::Value> =
                    to_record(model).into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                object.insert("id".into(), serde_json::Value::String(model.id.to_string()));
                object.insert("status".into(), serde_json::Value::String(model.status.clone()));
                if let Some(owner) = owners.get(&model.organization_id) {
                    object.insert("owner".into(), serde_json::Value::String(owner.name.clone()));
                    object.insert("owner_credit_code".into(), serde_json::Value::String(owner.credit_code.clone()));
                }
                serde_json::Value::Object(object)
            })
            .collect(),
    )
}

/// Reads a JSON export back into rows, so JSON portfolios import like CSV ones, within
/// the same row and cell limits.
pub fn read_json_rows(bytes: &[u8], limits: &ImportLimits) -> Result<Vec<Row>, ReadError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    let items = value.as_array().ok_or_else(|| "the JSON must be an array of achievements".to_string())?;
    if items.len() > limits.max_rows {
        return Err(ReadError::TooLarge(format!(
            "the file has more than {} achievements, the most one import takes; split it into several files",
            limits.max_rows
        )));
    }
    let mut rows = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let object = item.as_object().ok_or(format!("item {index} is not an object"))?;
        let mut cells = HashMap::new();
        for column in COLUMNS {
            let text = match object.get(*column) {
                None | Some(serde_json::Value::Null) => continue,
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Array(items)) => {
                    items.iter().filter_map(|i| i.as_str()).collect::<Vec<_>>().join(";")
                }
                Some(other) => other.to_string(),
            };
            if text.chars().count() > limits.max_cell_chars {
                return Err(ReadError::TooLarge(format!(
                    "item {index}: `{column}` is longer than {} characters, the most a cell may hold",
                    limits.max_cell_chars
                )));
            }
            if !text.trim().is_empty() {
                cells.insert((*column).to_string(), text);
            }
        }
        rows.push(Row { line: index + 1, cells });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests;
