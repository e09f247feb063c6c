//! [`SymphoniaProbe`]: the analyzer's [`AudioProbe`] for the sample library, so the store
//! refuses what this decoder cannot read without depending on the analyzer.

use std::path::Path;

use sonic_store::{AudioProbe, ProbedAudio};

use crate::decode::probe_file;

/// Probes files with [`probe_file`] (headers plus one decoded packet). Pass it to
/// `sonic_store::SampleLibrary::open`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SymphoniaProbe;

impl AudioProbe for SymphoniaProbe {
    fn probe(&self, path: &Path) -> Result<ProbedAudio, String> {
        let info = probe_file(path).map_err(|e| match e {
            // The path is the library's temp file: the caller names the file itself.
            crate::AnalyzerError::NotAudio { reason, .. } => reason,
            crate::AnalyzerError::UnsupportedCodec { codec, reason, .. } => {
                format!("unsupported codec {codec}: {reason}")
            }
            crate::AnalyzerError::Decode { reason, .. } => reason,
            crate::AnalyzerError::Io { source, .. } => source.to_string(),
            other => other.to_string(),
        })?;
        Ok(ProbedAudio {
            extension: info.extension().to_string(),
            duration_secs: info.duration_secs,
            sample_rate: info.sample_rate,
            channels: info.channels,
            codec: info.codec,
            container: info.container,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/audio")
            .join(name)
    }

    #[test]
    fn the_extension_comes_from_the_content_not_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let disguised = dir.path().join("recording.mp3");
        std::fs::copy(fixture("tone-opus.webm"), &disguised).unwrap();
        let probed = SymphoniaProbe.probe(&disguised).unwrap();
        assert_eq!(probed.extension, "webm");
        assert_eq!(probed.codec, "opus");
        assert_eq!((probed.sample_rate, probed.channels), (48_000, 1));
        assert_eq!(
            SymphoniaProbe
                .probe(&fixture("tone.opus"))
                .unwrap()
                .extension,
            "opus"
        );
        assert_eq!(
            SymphoniaProbe
                .probe(&fixture("tone-alac.m4a"))
                .unwrap()
                .extension,
            "m4a"
        );
    }

    #[test]
    fn text_is_refused_with_a_reason_and_no_temp_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".tmp-upload");
        std::fs::write(&path, "hello").unwrap();
        let reason = SymphoniaProbe.probe(&path).unwrap_err();
        assert!(!reason.is_empty());
        assert!(!reason.contains(".tmp-upload"), "{reason}");
    }

    #[test]
    fn a_library_with_this_probe_imports_real_audio_and_refuses_text() {
        use std::sync::Arc;
        let dir = tempfile::tempdir().unwrap();
        let config = sonic_store::StorageConfig::new(dir.path().join("data"));
        config.ensure_directories().unwrap();
        let lock = sonic_store::DataDirLock::acquire(&config, std::time::Duration::ZERO).unwrap();
        let library =
            sonic_store::SampleLibrary::open(config.clone(), lock, Arc::new(SymphoniaProbe))
                .unwrap();
        let meta = library
            .import_file(&fixture("tone.flac"), None, None)
            .unwrap();
        assert_eq!(meta.file_name, format!("{}.flac", meta.id));
        assert_eq!(
            (meta.codec.as_str(), meta.sample_rate, meta.channels),
            ("flac", 44_100, 2)
        );
        assert!((meta.duration - 1.0).abs() < 1e-9);
        let text = dir.path().join("notes.wav");
        std::fs::write(&text, "not audio").unwrap();
        let err = library.import_file(&text, None, None).unwrap_err();
        assert!(
            matches!(err, sonic_store::StoreError::NotAudio { .. }),
            "{err}"
        );
    }
}
