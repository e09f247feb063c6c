//! `sonic tools`: the action tool definitions for LLMs, generated from the Rust types.

use clap::{Args, ValueEnum};
use sonic_ai::{tool_definitions, ToolFormat};

use crate::output::print_json;
use crate::Context;

/// `sonic tools`.
#[derive(Args)]
pub struct ToolsArgs {
    /// Shape of the definitions.
    #[arg(long, value_enum, default_value_t = Format::Anthropic)]
    format: Format,
}

/// Tool definition formats.
#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Anthropic Messages API tools.
    Anthropic,
    /// OpenAI-compatible function definitions.
    Openai,
    /// Plain JSON Schema of one action.
    Schema,
}

/// Prints the definitions as one JSON value (with or without `--json`: they are JSON).
pub fn tools(_ctx: &Context, args: ToolsArgs) -> anyhow::Result<()> {
    let format = match args.format {
        Format::Anthropic => ToolFormat::Anthropic,
        Format::Openai => ToolFormat::OpenAi,
        Format::Schema => ToolFormat::Schema,
    };
    print_json(&tool_definitions(format))
}
