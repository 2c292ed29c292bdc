//! Unit tests of the parent module.

use super::*;

#[test]
fn chinese_headers_and_values_are_understood() -> Result<(), String> {
    let csv = "成果名称,申请号,成果类型,领域,成熟度,交易方式,挂牌价,发明人\n\
               一种海水淡化膜,201710601862.3,发明专利,new_materials,中试,转让；独占许可,50万,张三、李四\n";
    let rows = read_rows(csv.as_bytes(), Format::Csv)?;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].line, 2);
    let input = row_to_input(&rows[0]).map_err(|e| e.to_string())?;
    assert_eq!(input.kind, Some(AchievementKind::InventionPatent));
    assert_eq!(input.maturity, Patch::Value(Maturity::Pilot));
    assert_eq!(input.asking_price_minor, Patch::Value(50_000_000));
    assert_eq!(input.transaction_modes, Some(vec![TransactionMode::Assignment, TransactionMode::ExclusiveLicense]));
    assert_eq!(input.inventors, Some(vec!["张三".to_string(), "李四".to_string()]));
    Ok(())
}

#[test]
fn bad_cells_are_reported_by_column() -> Result<(), String> {
    let csv = "title_zh,kind,asking_price,trl\nA,spaceship,-3,ten\n";
    let rows = read_rows(csv.as_bytes(), Format::Csv)?;
    let errors = row_to_input(&rows[0]).err().ok_or("expected errors")?;
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["kind", "trl", "asking_price"]);
    Ok(())
}

#[test]
fn unknown_columns_and_missing_titles_are_refused() {
    assert!(read_rows(b"title_zh,colour\nA,red\n", Format::Csv).is_err());
    assert!(read_rows(b"kind\ninvention_patent\n", Format::Csv).is_err());
    assert!(read_rows(b"", Format::Csv).is_err());
}

#[test]
fn xlsx_rows_are_read_like_csv() -> Result<(), Box<dyn std::error::Error>> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "title_zh")?;
    sheet.write_string(0, 1, "asking_price")?;
    sheet.write_string(0, 2, "trl")?;
    sheet.write_string(1, 0, "高效光伏电池")?;
    sheet.write_number(1, 1, 120000.0)?;
    sheet.write_number(1, 2, 6.0)?;
    let bytes = workbook.save_to_buffer()?;
    let rows = read_rows(&bytes, Format::Xlsx)?;
    assert_eq!(rows[0].cells.get("asking_price").map(String::as_str), Some("120000"));
    assert_eq!(rows[0].cells.get("trl").map(String::as_str), Some("6"));
    Ok(())
}
