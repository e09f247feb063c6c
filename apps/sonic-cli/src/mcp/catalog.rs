//! The tools `sonic mcp` offers, with schemas generated from Rust types: every action (its
//! parameters plus the composition id), a batch tool, and tools for compositions, history
//! and samples.

use std::borrow::Cow;
use std::sync::Arc;

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};
use sonic_ai::DawAction;

/// `apply_actions`: a batch on one composition.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchArgs {
    /// The composition to change.
    pub composition_id: String,
    /// The actions, in order; each is `{"action": name, ...its fields}`.
    #[schemars(with = "Vec<DawAction>")]
    pub actions: Vec<Value>,
    /// All or nothing: the first failing action cancels the whole batch (default true).
    #[serde(default = "yes")]
    pub atomic: bool,
    /// History message; the action names are appended.
    #[serde(default)]
    pub message: Option<String>,
}

fn yes() -> bool {
    true
}

/// Tools that name one composition.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompositionArgs {
    /// The composition.
    pub composition_id: String,
}

/// `get_composition_state`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StateArgs {
    /// The composition.
    pub composition_id: String,
    /// `text` (default): the compact rendering made for models; `json`: the whole composition.
    #[serde(default)]
    pub format: StateFormat,
}

/// How `get_composition_state` answers.
#[derive(Deserialize, JsonSchema, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum StateFormat {
    /// The compact text rendering.
    #[default]
    Text,
    /// The composition as JSON.
    Json,
}

/// `create_composition`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArgs {
    /// Name, 1 to 200 characters.
    pub name: String,
    /// Beats per minute, 0 < tempo ≤ 300 (default 120).
    #[serde(default)]
    pub tempo: Option<f64>,
    /// `N/M`, e.g. `4/4` (the default) or `6/8`.
    #[serde(default)]
    pub time_signature: Option<String>,
}

/// `restore_version`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreArgs {
    /// The composition.
    pub composition_id: String,
    /// The history version to make current again (saved as a new version).
    pub version: u32,
}

/// `analyse_sample`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyseArgs {
    /// A sample of the library.
    pub sample_id: String,
    /// Recompute even when a cached analysis is valid.
    #[serde(default)]
    pub force: bool,
}

/// Tools without arguments.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

/// The batch tool's name.
pub const BATCH: &str = "apply_actions";

/// The JSON Schema of `T`, sub-schemas inlined (MCP clients want one object).
fn schema<T: JsonSchema>() -> JsonObject {
    let schema = SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator()
        .into_root_schema_for::<T>();
    match schema.to_value() {
        Value::Object(mut object) => {
            object.remove("title");
            object.remove("description");
            object
        }
        _ => JsonObject::new(),
    }
}

fn tool(
    name: &'static str,
    description: impl Into<Cow<'static, str>>,
    input: JsonObject,
    read_only: bool,
) -> Tool {
    let mut annotations = ToolAnnotations::new();
    annotations.read_only_hint = Some(read_only);
    let mut tool = Tool::new(name, description, Arc::new(input));
    tool.annotations = Some(annotations);
    tool
}

/// An action's parameter schema with a required `composition_id` first.
fn with_composition_id(parameters: Value) -> JsonObject {
    let mut object = match parameters {
        Value::Object(object) => object,
        _ => JsonObject::new(),
    };
    let mut properties = JsonObject::new();
    properties.insert(
        "composition_id".into(),
        json!({"type": "string", "description": "The composition to change."}),
    );
    if let Some(Value::Object(own)) = object.remove("properties") {
        properties.extend(own.into_iter().filter(|(k, _)| k != "composition_id"));
    }
    let mut required = vec![json!("composition_id")];
    if let Some(Value::Array(own)) = object.remove("required") {
        required.extend(own.into_iter().filter(|r| r != "composition_id"));
    }
    object.insert("type".into(), json!("object"));
    object.insert("properties".into(), Value::Object(properties));
    object.insert("required".into(), Value::Array(required));
    object
}

/// Every tool of the server.
pub fn all() -> Vec<Tool> {
    let mut tools: Vec<Tool> = sonic_ai::tools()
        .into_iter()
        .map(|t| {
            let description = format!(
                "{} Saved at once as a history version of source ai.",
                t.description
            );
            tool(
                t.name,
                description,
                with_composition_id(t.parameters),
                false,
            )
        })
        .collect();
    tools.extend([
        tool(
            BATCH,
            "Run several actions on a composition as one history version (and one undo step). \
             Atomic (the default): all or nothing. Each action's result is reported.",
            schema::<BatchArgs>(),
            false,
        ),
        tool(
            "list_compositions",
            "List the compositions, newest first (id, name, tempo, tracks, clips, version).",
            schema::<NoArgs>(),
            true,
        ),
        tool(
            "create_composition",
            "Create an empty composition; returns its id and state.",
            schema::<CreateArgs>(),
            false,
        ),
        tool(
            "open_composition",
            "Open a composition (loading it, recovering from autosave or history if its saved \
             state is damaged) and return its state as text.",
            schema::<CompositionArgs>(),
            true,
        ),
        tool(
            "get_composition_state",
            "The composition now: tracks, clips with note summaries, mixer, effects, samples.",
            schema::<StateArgs>(),
            true,
        ),
        tool(
            "list_history",
            "The composition's history versions (version, time, source, message).",
            schema::<CompositionArgs>(),
            true,
        ),
        tool(
            "restore_version",
            "Make an older version current again, saved as a new version (nothing is lost).",
            schema::<RestoreArgs>(),
            false,
        ),
        tool(
            "list_samples",
            "The audio samples of the library (id, name, category, duration, format).",
            schema::<NoArgs>(),
            true,
        ),
        tool(
            "analyse_sample",
            "Audio features of a library sample (spectrum, envelope, pitch, timbre, tempo, key, \
             loudness, and a summary); cached after the first time.",
            schema::<AnalyseArgs>(),
            false,
        ),
    ]);
    tools
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_tool_requires_a_composition_id() {
        let tools = all();
        assert_eq!(tools.len(), sonic_ai::ACTION_NAMES.len() + 9);
        for name in sonic_ai::ACTION_NAMES {
            let tool = tools.iter().find(|t| t.name == *name).unwrap();
            assert_eq!(tool.input_schema["required"][0], "composition_id", "{name}");
        }
        let play = tools.iter().find(|t| t.name == "play_composition").unwrap();
        assert_eq!(play.input_schema["required"], json!(["composition_id"]));
    }

    #[test]
    fn the_batch_tool_lists_the_actions_schema_without_references() {
        let batch = schema::<BatchArgs>();
        let text = Value::Object(batch.clone()).to_string();
        assert!(!text.contains("$ref"), "{text}");
        assert_eq!(
            batch["properties"]["actions"]["items"]["oneOf"]
                .as_array()
                .map(Vec::len),
            Some(sonic_ai::ACTION_NAMES.len())
        );
        assert_eq!(batch["required"], json!(["composition_id", "actions"]));
    }
}
