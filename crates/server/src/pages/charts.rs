//! Bar charts drawn on the server as inline SVG: the geometry is computed here and the
//! `chart.html` macro writes it out (escaped like any template text), with a title, a
//! description and the data as a table, so no script or chart library is needed.

use serde::Serialize;

/// Width of the drawing, in SVG units; the drawing scales to its box.
const WIDTH: u32 = 360;
/// The longest bar, leaving room for the value written after it.
const LONGEST_BAR: u32 = 240;
/// Height of one row: the label line, then the bar.
const ROW: u32 = 40;

/// One bar: its label and value, the text shown for the value, and its geometry.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(super) struct Bar {
    pub(super) label: String,
    pub(super) value: i64,
    pub(super) display: String,
    pub(super) width: u32,
    pub(super) label_y: u32,
    pub(super) bar_y: u32,
    pub(super) value_x: u32,
}

/// A horizontal bar chart ready for the `chart.html` macro.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Chart {
    /// A unique id in the page, for `aria-labelledby`.
    pub(super) id: String,
    pub(super) title: String,
    pub(super) desc: String,
    /// The headers of the data table: the label column and the value column.
    pub(super) label_header: String,
    pub(super) value_header: String,
    pub(super) bars: Vec<Bar>,
    pub(super) width: u32,
    pub(super) height: u32,
}

/// One row of data: label, value (not negative), the value as shown.
pub(super) struct Datum {
    pub(super) label: String,
    pub(super) value: i64,
    pub(super) display: String,
}

/// The length of a bar for `value` when the largest value is `max`; a value above zero
/// is always at least one unit long, so that it can be seen.
fn bar_length(value: i64, max: i64) -> u32 {
    if value <= 0 || max <= 0 {
        return 0;
    }
    let scaled = i128::from(value) * i128::from(LONGEST_BAR) / i128::from(max);
    u32::try_from(scaled.clamp(1, i128::from(LONGEST_BAR))).unwrap_or(LONGEST_BAR)
}

/// Lays out a chart. `describe` writes the description from the number of rows and the
/// largest row (none when there is no data).
pub(super) fn bar_chart(
    id: &str,
    title: String,
    headers: (String, String),
    data: Vec<Datum>,
    describe: impl FnOnce(usize, Option<&Datum>) -> String,
) -> Chart {
    let max = data.iter().map(|d| d.value).max().unwrap_or(0);
    let largest = data.iter().filter(|d| d.value > 0).max_by_key(|d| d.value);
    let desc = describe(data.len(), largest);
    let bars: Vec<Bar> = data
        .into_iter()
        .zip(0u32..)
        .map(|(datum, index)| {
            let top = index * ROW;
            let width = bar_length(datum.value, max);
            Bar {
                label: datum.label,
                value: datum.value,
                display: datum.display,
                width,
                label_y: top + 14,
                bar_y: top + 19,
                value_x: width + 6,
            }
        })
        .collect();
    let rows = u32::try_from(bars.len()).unwrap_or(u32::MAX).max(1);
    Chart {
        id: id.to_string(),
        title,
        desc,
        label_header: headers.0,
        value_header: headers.1,
        bars,
        width: WIDTH,
        height: rows.saturating_mul(ROW).saturating_add(4),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datum(label: &str, value: i64) -> Datum {
        Datum { label: label.into(), value, display: value.to_string() }
    }

    #[test]
    fn bars_are_scaled_to_the_largest_value() {
        let chart = bar_chart(
            "c",
            "t".into(),
            ("k".into(), "v".into()),
            vec![datum("a", 1000), datum("b", 500), datum("c", 0), datum("d", 1)],
            |n, largest| format!("{n} {}", largest.map(|d| d.label.as_str()).unwrap_or("-")),
        );
        let widths: Vec<u32> = chart.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, vec![LONGEST_BAR, LONGEST_BAR / 2, 0, 1]);
        assert_eq!(chart.desc, "4 a");
        assert_eq!(chart.bars[1].bar_y, ROW + 19);
        assert_eq!(chart.height, 4 * ROW + 4);
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        assert_eq!(bar_length(i64::MAX, i64::MAX), LONGEST_BAR);
        assert_eq!(bar_length(1, i64::MAX), 1);
        assert_eq!(bar_length(-5, 10), 0);
        let empty = bar_chart("e", "t".into(), ("k".into(), "v".into()), Vec::new(), |n, _| n.to_string());
        assert!(empty.bars.is_empty());
        assert_eq!(empty.desc, "0");
    }
}
