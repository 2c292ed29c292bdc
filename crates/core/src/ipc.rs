//! International Patent Classification symbols, such as `C02F 1/44` (section C, class 02,
//! subclass F, main group 1, subgroup 44) or the bare subclass `G06N`.

/// Parses and normalizes an IPC symbol to `C02F 1/44` form (upper case, one space).
pub fn normalize_ipc(input: &str) -> Result<String, crate::message::Message> {
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    let bytes = compact.as_bytes();
    let invalid = || crate::message::keys::IPC_INVALID.with("input", input);
    if bytes.len() < 4
        || !(b'A'..=b'H').contains(&bytes[0])
        || !bytes[1].is_ascii_digit()
        || !bytes[2].is_ascii_digit()
        || !bytes[3].is_ascii_uppercase()
    {
        return Err(invalid());
    }
    let subclass = &compact[..4];
    let rest = &compact[4..];
    if rest.is_empty() {
        return Ok(subclass.to_string());
    }
    let Some((group, subgroup)) = rest.split_once('/') else {
        return Err(invalid());
    };
    let digits_ok =
        |s: &str, min: usize, max: usize| (min..=max).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit());
    if !digits_ok(group, 1, 4) || !digits_ok(subgroup, 2, 6) {
        return Err(invalid());
    }
    Ok(format!("{subclass} {group}/{subgroup}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_common_spellings() {
        assert_eq!(normalize_ipc("C02F 1/44"), Ok("C02F 1/44".into()));
        assert_eq!(normalize_ipc("c02f1/44"), Ok("C02F 1/44".into()));
        assert_eq!(normalize_ipc("G06N  3/08"), Ok("G06N 3/08".into()));
        assert_eq!(normalize_ipc("A61K"), Ok("A61K".into()));
        assert_eq!(normalize_ipc("H01L 21/02104"), Ok("H01L 21/02104".into()));
    }

    #[test]
    fn rejects_non_symbols() {
        for bad in ["", "Z01F 1/44", "C2F 1/44", "C02F 1", "C02F 1/4", "C02F x/44", "海水"] {
            assert!(normalize_ipc(bad).is_err(), "{bad}");
        }
    }
}
