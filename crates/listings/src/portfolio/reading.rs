//! Reading a portfolio file within limits that are checked before anything is allocated
//! for what the file claims: a spreadsheet is an archive of compressed XML, and a 1.6 KB
//! workbook can declare a 17-billion-cell sheet, a 700 MiB string or twenty million cells.
//!
//! - A workbook's zip entries are measured first by decompressing them into nothing,
//!   counting bytes, and stopping at the limit (declared sizes can lie); shared strings
//!   are counted on the way.
//! - The first sheet is then read cell by cell (calamine's cell reader), never as a
//!   range: a sparse range would allocate rows × columns of its declared corners. A
//!   non-empty cell beyond the row or column limit refuses the file.
//! - CSV files are read record by record with the same row and cell limits.

use super::{Row, rows_from_table};
use calamine::{DataRef, Reader};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// How much one import may hold. The defaults let a tech-transfer office import its whole
/// portfolio in one file while keeping a hostile file's cost to a few seconds and tens of
/// megabytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// Data rows (the header not counted).
    pub max_rows: usize,
    /// Characters in one cell.
    pub max_cell_chars: usize,
    /// Columns of the sheet (the portfolio format has 27).
    pub max_columns: usize,
    /// The bytes a workbook unpacks to, all entries together.
    pub max_unpacked_bytes: u64,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits { max_rows: 5000, max_cell_chars: 20_000, max_columns: 64, max_unpacked_bytes: 32 << 20 }
    }
}

/// Why a file cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The file is larger than a limit allows; nothing of it is imported.
    TooLarge(String),
    /// The file is not a portfolio that can be read.
    Invalid(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::TooLarge(message) | ReadError::Invalid(message) => f.write_str(message),
        }
    }
}

impl From<String> for ReadError {
    fn from(message: String) -> Self {
        ReadError::Invalid(message)
    }
}

fn too_many_rows(limits: &ImportLimits) -> ReadError {
    ReadError::TooLarge(format!(
        "the file has more than {} data rows, the most one import takes; split it into several files",
        limits.max_rows
    ))
}

fn too_long_cell(limits: &ImportLimits, place: &str) -> ReadError {
    ReadError::TooLarge(format!(
        "{place}: a cell is longer than {} characters, the most a cell may hold",
        limits.max_cell_chars
    ))
}

fn check_cell(limits: &ImportLimits, value: &str, place: impl FnOnce() -> String) -> Result<(), ReadError> {
    // Cheap first: a value within the limit in bytes is within it in characters.
    if value.len() > limits.max_cell_chars && value.chars().count() > limits.max_cell_chars {
        return Err(too_long_cell(limits, &place()));
    }
    Ok(())
}

/// Reads CSV records within the limits.
pub(super) fn csv_table(bytes: &[u8], limits: &ImportLimits) -> Result<Vec<Vec<String>>, ReadError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut table = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ReadError::Invalid(format!("line {}: {e}", index + 1)))?;
        if table.len() > limits.max_rows {
            return Err(too_many_rows(limits));
        }
        if record.len() > limits.max_columns {
            return Err(ReadError::TooLarge(format!(
                "line {}: more than {} columns, the most a portfolio may have",
                index + 1,
                limits.max_columns
            )));
        }
        for value in record.iter() {
            check_cell(limits, value, || format!("line {}", index + 1))?;
        }
        table.push(record.iter().map(str::to_string).collect());
    }
    Ok(table)
}

/// Reads the first sheet of an XLSX workbook within the limits.
pub(super) fn xlsx_table(bytes: &[u8], limits: &ImportLimits) -> Result<Vec<Vec<String>>, ReadError> {
    measure_archive(bytes, limits)?;
    let mut workbook: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes))
        .map_err(|e| ReadError::Invalid(format!("not a readable XLSX workbook: {e}")))?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| ReadError::Invalid("the workbook has no sheet".into()))?;
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(|e| ReadError::Invalid(format!("cannot read the first sheet: {e}")))?;
    let max_row = u32::try_from(limits.max_rows).unwrap_or(u32::MAX);
    let max_cells = (limits.max_rows + 1).saturating_mul(limits.max_columns);
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut seen = 0_usize;
    while let Some(cell) =
        cells.next_cell().map_err(|e| ReadError::Invalid(format!("cannot read the first sheet: {e}")))?
    {
        let text = data_text(cell.get_value());
        if text.trim().is_empty() {
            continue;
        }
        seen += 1;
        if seen > max_cells {
            return Err(ReadError::TooLarge(format!("the sheet has more than {max_cells} filled cells")));
        }
        let (row, column) = cell.get_position();
        if row > max_row {
            return Err(too_many_rows(limits));
        }
        let column = usize::try_from(column).unwrap_or(usize::MAX);
        if column >= limits.max_columns {
            return Err(ReadError::TooLarge(format!(
                "row {}: a cell beyond column {}, the most a portfolio may have",
                row + 1,
                limits.max_columns
            )));
        }
        check_cell(limits, &text, || format!("row {}", row + 1))?;
        let values = rows.entry(row).or_default();
        if values.len() <= column {
            values.resize(column + 1, String::new());
        }
        values[column] = text;
    }
    // The table starts at the first filled row (the header), as a sheet's used range
    // does; empty rows in between come back empty, so line numbers stay the sheet's.
    let (Some(first), Some(last)) = (rows.keys().next().copied(), rows.keys().next_back().copied()) else {
        return Ok(Vec::new());
    };
    let mut table = Vec::with_capacity(usize::try_from(last - first).unwrap_or(0) + 1);
    for index in first..=last {
        table.push(rows.remove(&index).unwrap_or_default());
    }
    Ok(table)
}

/// Measures what a workbook unpacks to, entry by entry, without keeping any of it; counts
/// the shared strings on the way. Refuses an archive past the limits.
fn measure_archive(bytes: &[u8], limits: &ImportLimits) -> Result<(), ReadError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ReadError::Invalid(format!("not a readable XLSX workbook: {e}")))?;
    let too_large = || {
        ReadError::TooLarge(format!(
            "the workbook unpacks to more than {} MiB, the most one import takes",
            limits.max_unpacked_bytes >> 20
        ))
    };
    if archive.len() > 10_000 {
        return Err(ReadError::TooLarge("the workbook has more than 10000 parts".into()));
    }
    let declared: u64 = (0..archive.len())
        .filter_map(|index| archive.by_index_raw(index).ok().map(|entry| entry.size()))
        .fold(0_u64, u64::saturating_add);
    if declared > limits.max_unpacked_bytes {
        return Err(too_large());
    }
    let max_strings = (limits.max_rows + 1).saturating_mul(limits.max_columns);
    let mut remaining = limits.max_unpacked_bytes;
    for index in 0..archive.len() {
        let mut entry =
            archive.by_index(index).map_err(|e| ReadError::Invalid(format!("not a readable XLSX workbook: {e}")))?;
        let shared_strings = entry.name().eq_ignore_ascii_case("xl/sharedStrings.xml");
        let mut counter = StringCounter::default();
        let mut chunk = vec![0_u8; 64 * 1024];
        let mut limited = (&mut entry).take(remaining.saturating_add(1));
        loop {
            let read = limited
                .read(&mut chunk)
                .map_err(|e| ReadError::Invalid(format!("a part of the workbook does not unpack: {e}")))?;
            if read == 0 {
                break;
            }
            let read_bytes = u64::try_from(read).unwrap_or(u64::MAX);
            if read_bytes > remaining {
                return Err(too_large());
            }
            remaining -= read_bytes;
            if shared_strings {
                counter.feed(&chunk[..read]);
                if counter.count > max_strings {
                    return Err(ReadError::TooLarge(format!(
                        "the workbook has more than {max_strings} shared strings"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Counts `<si>` / `<si …>` elements across chunk boundaries.
#[derive(Default)]
struct StringCounter {
    count: usize,
    tail: Vec<u8>,
}

impl StringCounter {
    fn feed(&mut self, chunk: &[u8]) {
        let mut joined = std::mem::take(&mut self.tail);
        joined.extend_from_slice(chunk);
        self.count += joined.windows(4).filter(|w| w[..3] == *b"<si" && matches!(w[3], b'>' | b' ' | b'/')).count();
        let keep = joined.len().min(3);
        self.tail = joined[joined.len() - keep..].to_vec();
    }
}

fn data_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => d.to_string(),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// Reads the rows of a file in `format` within `limits`.
pub fn read_rows_within(bytes: &[u8], format: super::Format, limits: &ImportLimits) -> Result<Vec<Row>, ReadError> {
    let table = match format {
        super::Format::Csv => csv_table(bytes, limits)?,
        super::Format::Xlsx => xlsx_table(bytes, limits)?,
    };
    Ok(rows_from_table(table)?)
}
