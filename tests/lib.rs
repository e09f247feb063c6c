//! Helpers shared by the end-to-end tests: find (or build) the real binaries, make a temp
//! data directory, run a command and capture what it printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The `sonic` binary of this build, built first if it is missing.
pub fn sonic_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| workspace_bin("sonic-cli", "sonic"))
}

/// Path of binary `bin` of package `package` in the target directory the tests run from,
/// built with cargo when it is not there yet (e.g. under `cargo test -p sonic-e2e`).
pub fn workspace_bin(package: &str, bin: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test-exe> -> target/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executables live in target/<profile>/deps");
    let path = profile_dir.join(bin);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build.args(["build", "--quiet", "-p", package, "--bin", bin]);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo build");
    assert!(status.success(), "building {bin} failed");
    assert!(
        path.is_file(),
        "{} not found after building",
        path.display()
    );
    path
}

/// A temp folder holding a data directory `data/` (not created: Sonic creates it).
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A fresh temp folder.
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The temp folder itself.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `sonic --data-dir <data> ARGS...`.
    pub fn sonic(&self, args: &[&str]) -> Run {
        let output = Command::new(sonic_bin())
            .arg("--data-dir")
            .arg(self.data_dir())
            .args(args)
            .env_remove("SONIC_DATA_DIR")
            .env("RUST_BACKTRACE", "0")
            .output()
            .expect("run sonic");
        Run::from(output)
    }
}

/// What a command printed and how it exited.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "command failed: {self:?}");
        &self.stdout
    }

    /// Asserts success and parses stdout as exactly one JSON value.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.ok())
            .unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}): {self:?}"))
    }

    /// Asserts the exit code and that stderr is one line; returns it.
    #[track_caller]
    pub fn fails_with(&self, code: i32) -> &str {
        assert_eq!(self.code, code, "unexpected exit code: {self:?}");
        assert_eq!(
            self.stderr.trim_end().lines().count(),
            1,
            "not one line: {self:?}"
        );
        self.stderr.trim_end()
    }
}
