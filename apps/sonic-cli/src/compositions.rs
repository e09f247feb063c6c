//! Composition commands: new, list, show, rename, delete, history, restore, diff, recover.

use clap::Args;
use serde_json::json;
use sonic_model::{validate_time_signature, Composition, Id, ModelError};
use sonic_store::{CompositionDiff, ItemChanges, Loaded, RecoverySource};

use crate::outln;
use crate::output::{num, print_json, when, Table};
use crate::Context;

/// `sonic new`.
#[derive(Args)]
pub struct NewArgs {
    /// Name of the composition.
    name: String,
    /// Tempo in BPM (0 < T ≤ 300).
    #[arg(long, default_value_t = 120.0)]
    tempo: f64,
    /// Time signature, e.g. 4/4 or 7/8.
    #[arg(long, default_value = "4/4")]
    time_signature: String,
}

/// A command that takes only a composition id.
#[derive(Args)]
pub struct IdArgs {
    /// Composition id.
    id: String,
}

/// `sonic show`.
#[derive(Args)]
pub struct ShowArgs {
    /// Composition id.
    id: String,
    /// Show this history version instead of the current state.
    #[arg(long)]
    version: Option<u32>,
}

/// `sonic rename`.
#[derive(Args)]
pub struct RenameArgs {
    /// Composition id.
    id: String,
    /// New name.
    name: String,
}

/// `sonic restore`.
#[derive(Args)]
pub struct RestoreArgs {
    /// Composition id.
    id: String,
    /// Version to make current again.
    version: u32,
}

/// `sonic diff`.
#[derive(Args)]
pub struct DiffArgs {
    /// Composition id.
    id: String,
    /// Older version.
    from: u32,
    /// Newer version.
    to: u32,
}

fn id(text: &str) -> Result<Id, ModelError> {
    Id::parse(text)
}

pub fn new(ctx: &Context, args: NewArgs) -> anyhow::Result<()> {
    let mut song = Composition::new(args.name);
    song.tempo = args.tempo;
    validate_time_signature("time_signature", &args.time_signature)?;
    song.time_signature = args.time_signature;
    song.validate()?;
    let listing = ctx.writer()?.create(&mut song)?;
    if ctx.json {
        print_json(&listing)
    } else {
        outln!("{}", song.id);
        Ok(())
    }
}

pub fn list(ctx: &Context) -> anyhow::Result<()> {
    let listing = ctx.reader().list()?;
    for note in &listing.notes {
        let what = if note.rebuilt {
            "rebuilt listing of"
        } else {
            "skipped"
        };
        eprintln!("sonic: {what} {}: {}", note.id, note.reason);
    }
    if ctx.json {
        return print_json(&json!({
            "compositions": listing.compositions,
            "total": listing.compositions.len(),
            "notes": listing.notes,
        }));
    }
    if listing.compositions.is_empty() {
        outln!("No compositions yet. Create one with: sonic new \"My song\"");
        return Ok(());
    }
    let mut table = Table::new(&[
        "ID", "NAME", "TEMPO", "SIG", "TRACKS", "CLIPS", "BEATS", "VERSION", "UPDATED",
    ]);
    for c in &listing.compositions {
        let version = if c.has_autosave {
            format!("{} +autosave", c.latest_version)
        } else {
            c.latest_version.to_string()
        };
        table.row(vec![
            c.id.to_string(),
            c.name.clone(),
            num(c.tempo),
            c.time_signature.clone(),
            c.track_count.to_string(),
            c.clip_count.to_string(),
            num(c.duration_beats),
            version,
            when(&c.updated_at),
        ]);
    }
    outln!("{}", table.render());
    Ok(())
}

pub fn show(ctx: &Context, args: ShowArgs) -> anyhow::Result<()> {
    let id = id(&args.id)?;
    let store = ctx.reader();
    let loaded = match args.version {
        Some(version) => Loaded {
            composition: store.load_version(&id, version)?,
            recovered_from: None,
            has_autosave: false,
        },
        None => store.load(&id)?,
    };
    if let Some(recovery) = &loaded.recovered_from {
        let from = match (recovery.source, recovery.version) {
            (RecoverySource::History, Some(v)) => format!("history version {v}"),
            (RecoverySource::History, None) => "history".into(),
            (RecoverySource::Autosave, _) => "autosave.json".into(),
        };
        eprintln!("sonic: loaded from {from} because {}", recovery.reason);
    }
    if ctx.json {
        return print_json(&loaded.composition);
    }
    print_composition(&loaded.composition);
    if loaded.has_autosave && args.version.is_none() {
        outln!("\nAn autosave with unsaved changes exists: `sonic recover {id}` promotes it.");
    }
    Ok(())
}

fn print_composition(c: &Composition) {
    outln!("{} ({})", c.name, c.id);
    outln!(
        "{} BPM, {}, {} tracks, {} clips, {} notes, {} beats long",
        num(c.tempo),
        c.time_signature,
        c.tracks.len(),
        c.clips.len(),
        c.note_count(),
        num(c.duration_beats())
    );
    if c.loop_enabled {
        outln!("Loop: beats {} to {}", num(c.loop_start), num(c.loop_end));
    }
    if c.tracks.is_empty() {
        return;
    }
    outln!("");
    let mut table = Table::new(&["TRACK", "TYPE", "SOUND", "VOL", "PAN", "STATE", "CLIPS"]);
    for t in &c.tracks {
        let sound = t
            .kit_id
            .clone()
            .or_else(|| t.instrument.clone())
            .or_else(|| t.sample_name.clone())
            .unwrap_or_else(|| "-".into());
        let state = match (t.is_muted, t.is_solo) {
            (true, true) => "muted, solo",
            (true, false) => "muted",
            (false, true) => "solo",
            (false, false) => "",
        };
        let clips = c.clips.iter().filter(|clip| clip.track_id == t.id).count();
        table.row(vec![
            t.name.clone(),
            t.track_type.as_str().into(),
            sound,
            num(t.volume),
            num(t.pan),
            state.into(),
            clips.to_string(),
        ]);
    }
    outln!("{}", table.render());
}

pub fn rename(ctx: &Context, args: RenameArgs) -> anyhow::Result<()> {
    let id = id(&args.id)?;
    let saved = ctx.writer()?.rename(&id, &args.name)?;
    if ctx.json {
        print_json(&json!({"composition_id": id, "name": args.name, "version": saved.version}))
    } else {
        outln!("Renamed to {:?} (version {})", args.name, saved.version);
        Ok(())
    }
}

pub fn delete(ctx: &Context, args: IdArgs) -> anyhow::Result<()> {
    let id = id(&args.id)?;
    ctx.writer()?.delete(&id)?;
    if ctx.json {
        print_json(&json!({"composition_id": id, "deleted": true}))
    } else {
        outln!("Deleted {id}");
        Ok(())
    }
}

pub fn history(ctx: &Context, args: IdArgs) -> anyhow::Result<()> {
    let id = id(&args.id)?;
    let history = ctx.reader().history(&id)?;
    if ctx.json {
        return print_json(&json!({"composition_id": id, "history": history}));
    }
    let mut table = Table::new(&["VERSION", "CREATED", "SOURCE", "MESSAGE"]);
    for e in &history {
        table.row(vec![
            e.version.to_string(),
            when(&e.created_at),
            e.source.to_string(),
            e.message.clone(),
        ]);
    }
    outln!("{}", table.render());
    Ok(())
}

pub fn restore(ctx: &Context, args: RestoreArgs) -> anyhow::Result<()> {
    let id = id(&args.id)?;
    let saved = ctx.writer()?.restore(&id, args.version)?;
    if ctx.json {
        print_json(&json!({
            "composition_id": id,
            "restored_version": args.version,
            "version": saved.version,
        }))
    } else {
        outln!(
            "Restored version {} as version {}",
            args.version,
            saved.version
        );
        Ok(())
    }
}

pub fn recover(ctx: &Context, args: IdArgs) -> anyhow::Result<()> {
    let id = id(&args.id)?;
    let saved = ctx.writer()?.recover_autosave(&id)?;
    if ctx.json {
        print_json(&json!({"composition_id": id, "version": saved.version}))
    } else {
        outln!("Recovered the autosave as version {}", saved.version);
        Ok(())
    }
}

pub fn diff(ctx: &Context, args: DiffArgs) -> anyhow::Result<()> {
    let id = id(&args.id)?;
    let diff = ctx.reader().diff(&id, args.from, args.to)?;
    if ctx.json {
        return print_json(&json!({
            "composition_id": id, "from": args.from, "to": args.to, "changes": diff,
        }));
    }
    print_diff(&diff, args.from, args.to);
    Ok(())
}

fn print_diff(diff: &CompositionDiff, from: u32, to: u32) {
    if diff.is_empty() {
        outln!("No changes from version {from} to version {to}.");
        return;
    }
    outln!("Changes from version {from} to version {to}:");
    for change in &diff.properties {
        outln!("  ~ {}: {} -> {}", change.field, change.from, change.to);
    }
    print_items("track", &diff.tracks);
    print_items("clip", &diff.clips);
    for n in &diff.notes {
        outln!(
            "  ~ clip {:?}: notes +{} -{} ~{}",
            n.clip_name,
            n.added,
            n.removed,
            n.changed
        );
    }
    print_items("mixer channel", &diff.mixer);
    print_items("effect", &diff.effects);
}

fn print_items(kind: &str, items: &ItemChanges) {
    for item in &items.added {
        outln!("  + {kind} {:?} ({})", item.name, item.id);
    }
    for item in &items.removed {
        outln!("  - {kind} {:?} ({})", item.name, item.id);
    }
    for item in &items.changed {
        let fields: Vec<String> = item
            .changes
            .iter()
            .map(|c| format!("{} {} -> {}", c.field, c.from, c.to))
            .collect();
        outln!("  ~ {kind} {:?}: {}", item.name, fields.join(", "));
    }
}
