//! Helpers shared by the end-to-end tests: find (or build) the real binaries, make a temp
//! data directory, run a command and capture what it printed.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

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

/// A running `sonic-server` on an ephemeral port of 127.0.0.1; killed when dropped.
pub struct Server {
    child: std::process::Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl Server {
    /// Starts `sonic-server --data-dir <data> --addr 127.0.0.1:0 ARGS...` with `env`, and
    /// waits until it listens.
    pub fn start(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        use std::io::BufRead;
        static BIN: OnceLock<PathBuf> = OnceLock::new();
        let bin = BIN.get_or_init(|| workspace_bin("sonic-server", "sonic-server"));
        let mut command = Command::new(bin);
        command
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("SONIC_API_TOKEN")
            .env_remove("SONIC_DATA_DIR")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("start sonic-server");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let base = line
            .trim()
            .strip_prefix("sonic-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Server { child, base }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits for the exit code.
    pub fn terminate(mut self) -> Option<i32> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let code = self.child.wait().expect("wait").code();
        std::mem::forget(self);
        code
    }

    /// Sends signal `name` (`INT`, `TERM`, ...) to the server.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits up to `limit` for the server to exit: its exit code (-1 when killed by a
    /// signal), or None when it is still running (it is then killed when dropped).
    pub fn wait_for_exit(&mut self, limit: std::time::Duration) -> Option<i32> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status.code().unwrap_or(-1));
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// `127.0.0.1:<port>`, for raw TCP clients.
    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response: status and parsed JSON body (Null when not JSON).
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body as JSON.
    pub json: serde_json::Value,
}

/// Sends `method path` with an optional JSON body and optional bearer token; never fails on
/// an HTTP error status.
pub fn call(
    server: &Server,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
    token: Option<&str>,
) -> Reply {
    let mut request = ureq::request(method, &server.url(path));
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    let result = match body {
        Some(body) => request.send_json(body),
        None => request.call(),
    };
    reply(result, &format!("{method} {path}"))
}

/// The [`Reply`] of a sent request, whatever its status; panics when nothing came back.
fn reply(result: Result<ureq::Response, ureq::Error>, what: &str) -> Reply {
    let response = match result {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("{what}: {e}"),
    };
    let status = response.status();
    let text = response.into_string().unwrap_or_default();
    Reply {
        status,
        json: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    }
}

/// The JSON of a 200 reply (asserts the status).
pub fn ok(reply: Reply) -> serde_json::Value {
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json
}

/// The error code of a reply with `status`, which must have Sonic's error shape (a code and
/// a message).
pub fn err(reply: Reply, status: u16) -> String {
    assert_eq!(reply.status, status, "{reply:?}");
    let code = reply.json["error"]["code"]
        .as_str()
        .expect("error code")
        .to_string();
    assert!(reply.json["error"]["message"].is_string(), "{reply:?}");
    code
}

/// Creates a composition named `name`; returns its id and `/api/compositions/<id>`.
pub fn create(server: &Server, name: &str) -> (String, String) {
    let created = ok(call(
        server,
        "POST",
        "/api/compositions/",
        Some(serde_json::json!({"name": name})),
        None,
    ));
    let id = created["composition_id"].as_str().unwrap().to_string();
    let base = format!("/api/compositions/{id}");
    (id, base)
}

/// One part of a multipart form.
pub enum Part<'a> {
    /// A text field: name and value.
    Field(&'a str, &'a str),
    /// The `file` field: file name and bytes.
    File(&'a str, &'a [u8]),
}

/// A multipart form of `parts`, in order, POSTed to `path` (with a bearer token if given).
pub fn multipart(server: &Server, path: &str, parts: &[Part], token: Option<&str>) -> Reply {
    let boundary = "sonic-test-boundary-7d3f";
    let mut body = Vec::new();
    for part in parts {
        let (head, bytes) = match part {
            Part::Field(name, value) => (
                format!("Content-Disposition: form-data; name=\"{name}\""),
                value.as_bytes(),
            ),
            Part::File(file_name, bytes) => (
                format!(
                    "Content-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                     Content-Type: application/octet-stream"
                ),
                *bytes,
            ),
        };
        body.extend_from_slice(format!("--{boundary}\r\n{head}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let mut request = ureq::post(&server.url(path)).set(
        "Content-Type",
        &format!("multipart/form-data; boundary={boundary}"),
    );
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    reply(request.send_bytes(&body), &format!("POST {path}"))
}

/// A multipart form of text fields, POSTed to `path`.
pub fn form(server: &Server, path: &str, fields: &[(&str, &str)]) -> Reply {
    let parts: Vec<Part> = fields.iter().map(|&(n, v)| Part::Field(n, v)).collect();
    multipart(server, path, &parts, None)
}

/// A mono 16-bit WAV of `seconds` of a sine at `freq` Hz, 44.1 kHz.
pub fn sine_wav(freq: f64, seconds: f64) -> Vec<u8> {
    let rate = 44_100u32;
    let frames = (seconds * f64::from(rate)) as u32;
    let mut out = Vec::with_capacity(44 + frames as usize * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + frames * 2).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(frames * 2).to_le_bytes());
    for i in 0..frames {
        let t = f64::from(i) / f64::from(rate);
        let v = (0.5 * (2.0 * std::f64::consts::PI * freq * t).sin() * 32767.0) as i16;
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// Uploads `bytes` as `file_name` with multipart form fields `name` and `category` (before
/// the file).
pub fn upload(
    server: &Server,
    file_name: &str,
    bytes: &[u8],
    name: &str,
    token: Option<&str>,
) -> Reply {
    let parts = [
        Part::Field("name", name),
        Part::Field("category", "Tests"),
        Part::File(file_name, bytes),
    ];
    multipart(server, "/api/samples/upload", &parts, token)
}

/// A small xorshift generator for the kill tests' random moments.
pub struct Xorshift(u64);

impl Xorshift {
    /// Seeded from the clock, so every run kills at other moments.
    pub fn from_clock() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("the clock is past 1970")
            .as_nanos() as u64;
        Xorshift(nanos | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Runs `child` (a test child process that prints `READY` once it is working), kills it
/// with SIGKILL `after` that line, and returns everything else it printed.
pub fn run_until_killed(child: &mut Command, after: Duration) -> String {
    let mut child = child
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the child");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut ready = String::new();
    stdout
        .read_line(&mut ready)
        .expect("read the child's first line");
    assert_eq!(ready.trim(), "READY", "child failed to start");
    std::thread::sleep(after);
    child.kill().expect("kill the child");
    child.wait().expect("reap the child");
    let mut log = String::new();
    stdout
        .read_to_string(&mut log)
        .expect("read what the child printed");
    log
}
