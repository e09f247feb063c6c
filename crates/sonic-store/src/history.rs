//! History file names: `000_original.json` for the state at creation, then
//! `NNN_YYYYMMDD_HHMMSS.json`, numbered from 0, widening past 999.

use sonic_model::{HistorySource, Timestamp};

/// The file name of version `version` of source `source` written at `at`.
pub(crate) fn file_name(version: u32, source: HistorySource, at: Timestamp) -> String {
    match source {
        HistorySource::Original => format!("{version:03}_original.json"),
        _ => format!("{version:03}_{}.json", at.format("%Y%m%d_%H%M%S")),
    }
}

/// The version number of a history file name, if it is one.
pub(crate) fn parse_file_name(name: &str) -> Option<u32> {
    let stem = name.strip_suffix(".json")?;
    let (number, _) = stem.split_once('_')?;
    if number.len() < 3 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse().ok()
}

/// History files in `names`, sorted by version (numerically, so 1000 follows 999).
pub(crate) fn sorted_files(names: Vec<String>) -> Vec<(u32, String)> {
    let mut files: Vec<(u32, String)> = names
        .into_iter()
        .filter_map(|name| parse_file_name(&name).map(|v| (v, name)))
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_sort_numerically() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-21T10:02:03Z")
            .unwrap()
            .to_utc();
        let manual = HistorySource::Manual;
        assert_eq!(
            file_name(0, HistorySource::Original, at),
            "000_original.json"
        );
        assert_eq!(parse_file_name("000_original.json"), Some(0));
        assert_eq!(
            file_name(1, HistorySource::Ai, at),
            "001_20261121_100203.json"
        );
        assert_eq!(file_name(1234, manual, at), "1234_20261121_100203.json");
        assert_eq!(parse_file_name("007_20261121_100203.json"), Some(7));
        assert_eq!(parse_file_name(".tmp-007_x.json"), None);
        assert_eq!(parse_file_name("notes.json"), None);
        let sorted = sorted_files(vec![
            file_name(1000, manual, at),
            file_name(999, manual, at),
            "junk".into(),
            file_name(2, manual, at),
        ]);
        let versions: Vec<u32> = sorted.iter().map(|(v, _)| *v).collect();
        assert_eq!(versions, [2, 999, 1000]);
    }
}
