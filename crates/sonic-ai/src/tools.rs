//! Tool definitions for LLM function calling, generated from the Rust types with `schemars`:
//! Anthropic tools, OpenAI functions, or the plain JSON Schema of [`DawAction`]. The tool
//! descriptions are the doc comments of the parameter types.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::{json, Value};

use crate::action::parameter_schemas;
use crate::DawAction;

/// The shape tool definitions are printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolFormat {
    /// `[{name, description, input_schema}]` (Anthropic Messages API).
    Anthropic,
    /// `[{type: "function", function: {name, description, parameters}}]` (OpenAI-compatible).
    OpenAi,
    /// The JSON Schema of one action (a `oneOf` over the 27 tagged forms).
    Schema,
}

impl std::str::FromStr for ToolFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "anthropic" => Ok(ToolFormat::Anthropic),
            "openai" => Ok(ToolFormat::OpenAi),
            "schema" => Ok(ToolFormat::Schema),
            other => Err(format!(
                "unknown tool format {other:?}: use anthropic, openai or schema"
            )),
        }
    }
}

/// The parameters schema of `T`, with sub-schemas inlined (LLM APIs want one object).
pub(crate) fn schema_of<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator()
        .into_root_schema_for::<T>()
}

/// Doc comments wrap lines; a model reads each description as one line of prose.
fn unwrap_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(text) if key == "description" => *text = text.replace('\n', " "),
                    _ => unwrap_descriptions(item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

/// The names the catalogues allow, by parameter name: an LLM picks from the list instead of
/// guessing. Taken from the embedded registries, so the schema follows the data.
fn catalogue_choices(property: &str) -> Option<Vec<Value>> {
    use sonic_daw::registry;
    let names: Vec<Value> = match property {
        "effect_name" => registry::effects().iter().map(|e| json!(e.name)).collect(),
        "instrument" => registry::instruments()
            .iter()
            .map(|i| json!(i.name))
            .collect(),
        "kit_id" => registry::drum_kits().iter().map(|k| json!(k.id)).collect(),
        _ => return None,
    };
    Some(names)
}

/// Adds `enum` lists of catalogue names to the properties that take one.
fn add_catalogue_choices(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                for (name, schema) in properties.iter_mut() {
                    if let (Some(mut choices), Value::Object(schema)) =
                        (catalogue_choices(name), schema)
                    {
                        let nullable = schema
                            .get("type")
                            .and_then(Value::as_array)
                            .is_some_and(|types| types.contains(&json!("null")));
                        if nullable {
                            choices.push(Value::Null);
                        }
                        schema.insert("enum".into(), Value::Array(choices));
                    }
                }
            }
            map.values_mut().for_each(add_catalogue_choices);
        }
        Value::Array(items) => items.iter_mut().for_each(add_catalogue_choices),
        _ => {}
    }
}

/// One tool: its name, description and parameter schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    /// The action name.
    pub name: &'static str,
    /// What it does (the parameter type's doc comment).
    pub description: String,
    /// JSON Schema of the parameters (an object).
    pub parameters: Value,
}

/// Every action as a tool.
pub fn tools() -> Vec<Tool> {
    parameter_schemas()
        .into_iter()
        .map(|(name, schema)| {
            let mut parameters = schema.to_value();
            unwrap_descriptions(&mut parameters);
            add_catalogue_choices(&mut parameters);
            let description = match parameters.as_object_mut() {
                Some(object) => {
                    object.remove("title");
                    object
                        .remove("description")
                        .and_then(|d| d.as_str().map(str::to_owned))
                        .unwrap_or_default()
                }
                None => String::new(),
            };
            if let Some(object) = parameters.as_object_mut() {
                object.entry("properties").or_insert_with(|| json!({}));
            }
            Tool {
                name,
                description,
                parameters,
            }
        })
        .collect()
}

/// The tool definitions in `format`, as one JSON value.
pub fn tool_definitions(format: ToolFormat) -> Value {
    match format {
        ToolFormat::Anthropic => Value::Array(
            tools()
                .into_iter()
                .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters}))
                .collect(),
        ),
        ToolFormat::OpenAi => Value::Array(
            tools()
                .into_iter()
                .map(|t| {
                    json!({"type": "function", "function": {
                        "name": t.name, "description": t.description, "parameters": t.parameters}})
                })
                .collect(),
        ),
        ToolFormat::Schema => {
            let mut schema = schemars::schema_for!(DawAction).to_value();
            unwrap_descriptions(&mut schema);
            add_catalogue_choices(&mut schema);
            schema
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_becomes_a_described_tool_with_an_object_schema() {
        let tools = tools();
        assert_eq!(tools.len(), 27);
        for tool in &tools {
            assert!(
                !tool.description.is_empty(),
                "{} has no description",
                tool.name
            );
            assert_eq!(tool.parameters["type"], "object", "{}", tool.name);
            assert!(
                !tool.parameters.to_string().contains("$ref"),
                "{} has a $ref",
                tool.name
            );
        }
    }

    #[test]
    fn ranges_from_the_reference_table_are_in_the_schemas() {
        let tools = tools();
        let find = |name: &str| {
            tools
                .iter()
                .find(|t| t.name == name)
                .unwrap()
                .parameters
                .clone()
        };
        let tempo = find("set_tempo");
        assert_eq!(
            (
                tempo["properties"]["tempo"]["minimum"].as_f64(),
                tempo["properties"]["tempo"]["maximum"].as_f64()
            ),
            (Some(20.0), Some(300.0))
        );
        assert_eq!(tempo["required"], json!(["tempo"]));
        let clip = find("create_midi_clip");
        assert_eq!(
            clip["properties"]["notes"]["items"]["properties"]["n"]["maximum"].as_f64(),
            Some(127.0)
        );
        // Read leniently (60.0 is accepted), the integers stay integers in the schemas.
        let note = &clip["properties"]["notes"]["items"]["properties"];
        assert_eq!(
            (&note["n"]["type"], &note["v"]["type"]),
            (&json!("integer"), &json!(["integer", "null"]))
        );
        let slot = &find("add_effect")["properties"]["slot_index"];
        assert_eq!(slot["type"], json!(["integer", "null"]));
        assert_eq!(
            find("set_effect_parameter")["properties"]["parameter"]["type"],
            "string"
        );
        let effects = find("add_effect")["properties"]["effect_name"]["enum"].clone();
        assert_eq!(effects.as_array().map(Vec::len), Some(15));
        let instruments = find("create_track")["properties"]["instrument"]["enum"].clone();
        assert_eq!(
            instruments.as_array().map(Vec::len),
            Some(172),
            "171 names and null"
        );
        assert_eq!(
            find("set_drum_kit")["properties"]["kit_id"]["enum"][0],
            "808-core"
        );
        let param = find("set_track_parameter");
        let choices: Vec<&Value> = param["properties"]["parameter"]["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["const"])
            .collect();
        assert_eq!(
            choices,
            [
                &json!("volume"),
                &json!("pan"),
                &json!("mute"),
                &json!("solo")
            ]
        );
    }

    #[test]
    fn the_three_formats_have_their_shapes() {
        let anthropic = tool_definitions(ToolFormat::Anthropic);
        assert_eq!(anthropic[0]["name"], "create_midi_clip");
        assert!(anthropic[0]["input_schema"].is_object());
        let openai = tool_definitions(ToolFormat::OpenAi);
        assert_eq!(openai[26]["type"], "function");
        assert_eq!(openai[26]["function"]["name"], "stop_playback");
        let schema = tool_definitions(ToolFormat::Schema);
        assert_eq!(schema["oneOf"].as_array().map(Vec::len), Some(27));
        assert_eq!("openai".parse::<ToolFormat>(), Ok(ToolFormat::OpenAi));
        assert!("xml".parse::<ToolFormat>().is_err());
    }
}
