//! Sonic's AI layer (to come): every `DawAction` validated before it runs, atomic batches,
//! tool definitions generated from the Rust types, a compact composition context for a
//! model, and the chat agent for Anthropic and OpenAI-compatible APIs.
//!
//! It holds no HTTP routing: the apps expose it.
