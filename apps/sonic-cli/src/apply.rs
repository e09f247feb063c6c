//! `sonic apply ID ACTIONS.json`: runs an action batch on a composition and saves it as one
//! history version of source `ai`.

use std::path::PathBuf;

use clap::Args;
use serde_json::{json, Value};
use sonic_ai::{apply_batch, parse_actions};
use sonic_daw::{DawError, Studio, StudioConfig};
use sonic_model::Id;

use crate::output::print_json;
use crate::{outln, BadInput, Context};

/// `sonic apply`.
#[derive(Args)]
pub struct ApplyArgs {
    /// Composition id.
    id: String,
    /// JSON file: an array of actions, or `{"actions": [...], "atomic": bool}`. `-` reads stdin.
    actions: PathBuf,
    /// All or nothing: the first failing action cancels the whole batch.
    #[arg(long)]
    atomic: bool,
    /// History message; the names of the actions are appended.
    #[arg(long)]
    message: Option<String>,
}

/// Reads the batch file: the actions, and whether the file asks for an atomic batch.
fn read_batch(path: &PathBuf) -> anyhow::Result<(Vec<Value>, bool)> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| BadInput(format!("cannot read actions from stdin: {e}")))?
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| BadInput(format!("cannot read {}: {e}", path.display())))?
    };
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| BadInput(format!("{} is not JSON: {e}", path.display())))?;
    match value {
        Value::Array(actions) => Ok((actions, false)),
        Value::Object(mut batch) => {
            let atomic = batch
                .get("atomic")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            match batch.remove("actions") {
                Some(Value::Array(actions)) => Ok((actions, atomic)),
                _ if batch.contains_key("action") => Ok((vec![Value::Object(batch)], false)),
                _ => Err(BadInput(format!(
                    "{}: expected an array of actions or {{\"actions\": [...]}}",
                    path.display()
                ))
                .into()),
            }
        }
        _ => Err(BadInput(format!("{}: expected an array of actions", path.display())).into()),
    }
}

/// Keeps the store's own error (and its exit code); other caller mistakes exit with 2.
pub(crate) fn daw_error(e: DawError) -> anyhow::Error {
    match e {
        DawError::Store(e) => e.into(),
        e if e.is_bad_input() => BadInput(e.to_string()).into(),
        e => e.into(),
    }
}

pub fn apply(ctx: &Context, args: ApplyArgs) -> anyhow::Result<()> {
    let id = Id::parse(&args.id)?;
    let (actions, file_atomic) = read_batch(&args.actions)?;
    if actions.is_empty() {
        return Err(BadInput("the batch holds no actions".into()).into());
    }
    let atomic = args.atomic || file_atomic;
    let studio = Studio::new(ctx.writer()?, StudioConfig::default());
    let total = actions.len();
    let applied = apply_batch(
        &studio,
        &id,
        parse_actions(actions),
        atomic,
        args.message.as_deref(),
    )
    .map_err(daw_error)?;

    if ctx.json {
        let mut value = serde_json::to_value(&applied)?;
        value["composition_id"] = json!(id);
        value["atomic"] = json!(atomic);
        print_json(&value)?;
    } else {
        for (i, result) in applied.report.results.iter().enumerate() {
            let status = if result.success { "ok  " } else { "FAIL" };
            let code = result
                .error
                .as_deref()
                .map(|c| format!("[{c}] "))
                .unwrap_or_default();
            let name = if result.action.is_empty() {
                "?"
            } else {
                &result.action
            };
            outln!("{status} {:>3}  {name}: {code}{}", i + 1, result.message);
        }
        match applied.version {
            Some(version) => outln!("saved {id} as version {version}"),
            None => outln!("nothing changed"),
        }
    }
    let failed = applied.report.failed_count;
    if failed > 0 {
        let what = if atomic && applied.version.is_none() {
            ", batch rolled back"
        } else {
            ""
        };
        return Err(BadInput(format!("{failed} of {total} actions failed{what}")).into());
    }
    Ok(())
}
