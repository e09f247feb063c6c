//! End-to-end: the real `sonic` binary on a temp data directory.

use sonic_e2e::{Run, Sandbox};

fn new_composition(sandbox: &Sandbox, name: &str) -> String {
    let out = sandbox.sonic(&["new", name, "--tempo", "96", "--time-signature", "7/8"]);
    let id = out.ok().trim().to_string();
    assert_eq!(id.len(), 36, "new prints the id: {out:?}");
    id
}

#[test]
fn a_new_user_creates_lists_renames_restores_and_diffs() {
    let sandbox = Sandbox::new();
    let id = new_composition(&sandbox, "Night drive");

    // The files of the on-disk format appear.
    let folder = sandbox.data_dir().join("compositions").join(&id);
    assert!(folder.join("current.json").is_file());
    assert!(folder.join("metadata.json").is_file());
    let history: Vec<_> = std::fs::read_dir(folder.join("history")).unwrap().collect();
    assert_eq!(history.len(), 1);
    assert!(sandbox.data_dir().join("samples/cache").is_dir());

    let table = sandbox.sonic(&["list"]).ok().to_string();
    assert!(table.starts_with("ID"), "{table}");
    assert!(
        table.contains("Night drive") && table.contains("7/8"),
        "{table}"
    );

    let listed = sandbox.sonic(&["list", "--json"]).json();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["compositions"][0]["tempo"], 96.0);
    assert_eq!(listed["compositions"][0]["latest_version"], 0);

    sandbox.sonic(&["rename", &id, "Night drive II"]).ok();
    let restored = sandbox.sonic(&["--json", "restore", &id, "0"]).json();
    assert_eq!(restored["version"], 2);

    let history = sandbox.sonic(&["history", &id, "--json"]).json();
    let sources: Vec<&str> = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["original", "manual", "restore"]);

    let diff = sandbox.sonic(&["diff", &id, "1", "2"]).ok().to_string();
    assert!(
        diff.contains("name") && diff.contains("Night drive II"),
        "{diff}"
    );
    let diff = sandbox.sonic(&["diff", &id, "0", "2", "--json"]).json();
    assert_eq!(diff["changes"]["properties"].as_array().unwrap().len(), 0);

    let shown = sandbox.sonic(&["show", &id, "--json"]).json();
    assert_eq!(shown["name"], "Night drive");
    assert_eq!(shown["scenes"].as_array().unwrap().len(), 8);
    let old = sandbox
        .sonic(&["show", &id, "--version", "1", "--json"])
        .json();
    assert_eq!(old["name"], "Night drive II");
    assert!(sandbox.sonic(&["show", &id]).ok().contains("96 BPM, 7/8"));

    sandbox.sonic(&["delete", &id]).ok();
    assert_eq!(sandbox.sonic(&["list", "--json"]).json()["total"], 0);
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let sandbox = Sandbox::new();
    let id = new_composition(&sandbox, "Song");
    let long = "a".repeat(65);
    for bad in ["..", "a/b", "/etc/passwd", "a\u{1}b", long.as_str(), ""] {
        let err = sandbox.sonic(&["show", bad]).fails_with(2).to_string();
        assert!(err.contains("invalid id"), "{err}");
    }
    let unknown = "0b7e0c4e-5d7a-4d5e-9f1a-0c4f9b6f2a11";
    assert!(sandbox
        .sonic(&["show", unknown])
        .fails_with(2)
        .contains("not found"));
    assert!(sandbox
        .sonic(&["history", unknown])
        .fails_with(2)
        .contains("not found"));
    assert!(sandbox
        .sonic(&["restore", &id, "7"])
        .fails_with(2)
        .contains("no version 7"));
    assert!(sandbox
        .sonic(&["show", &id, "--version", "3"])
        .fails_with(2)
        .contains("version 3"));
    assert!(sandbox
        .sonic(&["recover", &id])
        .fails_with(2)
        .contains("no autosave"));
    assert!(sandbox
        .sonic(&["new", "x", "--tempo", "0"])
        .fails_with(2)
        .contains("tempo"));
    assert!(sandbox
        .sonic(&["new", "x", "--time-signature", "4/3"])
        .fails_with(2)
        .contains("time_signature"));
    assert!(sandbox
        .sonic(&["rename", &id, " "])
        .fails_with(2)
        .contains("name"));
    // Mistakes in the command line itself: one line too, exit 2.
    let err = sandbox
        .sonic(&["show", &id, "--version", "abc"])
        .fails_with(2)
        .to_string();
    assert!(err.contains("invalid value 'abc'"), "{err}");
    assert!(sandbox
        .sonic(&["frobnicate"])
        .fails_with(2)
        .contains("frobnicate"));
    // Nothing bad was written.
    assert_eq!(sandbox.sonic(&["list", "--json"]).json()["total"], 1);
}

#[test]
fn a_disk_failure_is_one_line_naming_the_os_error_once() {
    let sandbox = Sandbox::new();
    // The data directory's place is taken by a file.
    let file = sandbox.path().join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    let run = Run::from(
        std::process::Command::new(sonic_e2e::sonic_bin())
            .arg("--data-dir")
            .arg(&file)
            .args(["new", "Song"])
            .output()
            .unwrap(),
    );
    let err = run.fails_with(1);
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}

#[test]
fn show_and_list_survive_corruption_and_say_what_they_recovered_from() {
    let sandbox = Sandbox::new();
    let id = new_composition(&sandbox, "Fragile");
    sandbox.sonic(&["rename", &id, "Fragile 2"]).ok();
    let folder = sandbox.data_dir().join("compositions").join(&id);
    std::fs::write(
        folder.join("current.json"),
        b"{\"format_version\":1,\"id\":",
    )
    .unwrap();
    std::fs::write(folder.join("metadata.json"), b"garbage").unwrap();

    let run = sandbox.sonic(&["show", &id, "--json"]);
    assert_eq!(run.json()["name"], "Fragile 2");
    assert!(run.stderr.contains("history version 1"), "{run:?}");

    let run = sandbox.sonic(&["list", "--json"]);
    assert_eq!(run.json()["compositions"][0]["name"], "Fragile 2");
    assert!(run.stderr.contains("rebuilt"), "{run:?}");

    // A corrupt autosave beside a good current state is no work to recover.
    let id = new_composition(&sandbox, "Sturdy");
    let folder = sandbox.data_dir().join("compositions").join(&id);
    std::fs::write(folder.join("autosave.json"), b"{\"format_version\":1,").unwrap();
    let run = sandbox.sonic(&["show", &id]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stdout.contains("autosave"), "{run:?}");
}

#[test]
fn writing_commands_refuse_while_another_process_owns_the_data_dir() {
    let sandbox = Sandbox::new();
    let id = new_composition(&sandbox, "Locked");
    let config = sonic_store::StorageConfig::new(sandbox.data_dir());
    let _held = sonic_store::DataDirLock::acquire(&config, std::time::Duration::ZERO).unwrap();
    let err = sandbox
        .sonic(&["rename", &id, "Other"])
        .fails_with(1)
        .to_string();
    assert!(err.contains("locked"), "{err}");
    // Reading still works.
    assert_eq!(sandbox.sonic(&["list", "--json"]).json()["total"], 1);
}

#[test]
fn list_on_a_missing_data_dir_is_empty_and_creates_nothing() {
    let sandbox = Sandbox::new();
    let out = sandbox.sonic(&["list"]).ok().to_string();
    assert!(out.contains("No compositions"), "{out}");
    assert!(!sandbox.data_dir().exists());
}
