//! [`diff_compositions`]: what changed between two states, structurally.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;
use sonic_model::{Clip, Composition, MidiNote};

/// A field whose value differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Field name (`tempo`, `volume`, `master.fader`, ...).
    pub field: String,
    /// Value before.
    pub from: Value,
    /// Value after.
    pub to: Value,
}

/// An item (track, clip, effect, mixer channel) that exists on one side only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemRef {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// An item present on both sides whose fields differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemChange {
    /// Its id.
    pub id: String,
    /// Its name (after the change).
    pub name: String,
    /// The fields that differ.
    pub changes: Vec<FieldChange>,
}

/// Added, removed and changed items of one kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ItemChanges {
    /// Only in the newer state.
    pub added: Vec<ItemRef>,
    /// Only in the older state.
    pub removed: Vec<ItemRef>,
    /// In both, with different fields.
    pub changed: Vec<ItemChange>,
}

impl ItemChanges {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Notes added, removed and changed in a clip present on both sides.
///
/// Notes have no ids, so a note is the same note when every field matches; of the rest, a
/// note of the older state and one of the newer state that start at the same time on the
/// same channel count as one note changed (its pitch, length or velocity was edited).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteChanges {
    /// Clip id.
    pub clip_id: String,
    /// Clip name.
    pub clip_name: String,
    /// Notes only in the newer state.
    pub added: usize,
    /// Notes only in the older state.
    pub removed: usize,
    /// Notes edited in place (same start and channel, other pitch, length or velocity).
    pub changed: usize,
}

/// Everything that differs between two states of a composition.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CompositionDiff {
    /// Composition-level fields (name, tempo, time signature, loop, ...).
    pub properties: Vec<FieldChange>,
    /// Tracks.
    pub tracks: ItemChanges,
    /// Clips (their notes are reported in `notes`).
    pub clips: ItemChanges,
    /// Note changes in clips present on both sides.
    pub notes: Vec<NoteChanges>,
    /// Mixer channels; master changes are listed with the field `master.<name>`.
    pub mixer: ItemChanges,
    /// Effects of every chain.
    pub effects: ItemChanges,
}

impl CompositionDiff {
    /// True when the two states are musically the same.
    pub fn is_empty(&self) -> bool {
        self.properties.is_empty()
            && self.tracks.is_empty()
            && self.clips.is_empty()
            && self.notes.is_empty()
            && self.mixer.is_empty()
            && self.effects.is_empty()
    }
}

/// Fields never reported: bookkeeping that changes on every save.
const IGNORED: &[&str] = &["updated_at", "created_at", "metadata", "chat_history"];

/// Compares two states of a composition (`a` older, `b` newer).
pub fn diff_compositions(a: &Composition, b: &Composition) -> CompositionDiff {
    let mut diff = CompositionDiff {
        properties: field_changes(&to_value(a), &to_value(b), "", |key| {
            !matches!(
                key,
                "tracks" | "clips" | "mixer_state" | "track_effects" | "id"
            ) && !IGNORED.contains(&key)
        }),
        tracks: items(
            &a.tracks,
            &b.tracks,
            |t| (t.id.to_string(), t.name.clone()),
            |_| true,
        ),
        clips: items(
            &a.clips,
            &b.clips,
            |c| (c.id.to_string(), c.name.clone()),
            |key| key != "midi_events",
        ),
        notes: note_changes(&a.clips, &b.clips),
        mixer: items(
            &a.mixer_state.channels,
            &b.mixer_state.channels,
            |c| (c.id.to_string(), c.name.clone()),
            |key| !key.starts_with("meter_"),
        ),
        effects: items(
            &effects(a),
            &effects(b),
            |e| (e.id.to_string(), e.display_name.clone()),
            |_| true,
        ),
    };
    let master = field_changes(
        &to_value(&a.mixer_state.master),
        &to_value(&b.mixer_state.master),
        "master.",
        |key| !key.starts_with("meter_"),
    );
    if !master.is_empty() {
        diff.mixer.changed.push(ItemChange {
            id: b.mixer_state.master.id.to_string(),
            name: b.mixer_state.master.name.clone(),
            changes: master,
        });
    }
    diff
}

fn effects(c: &Composition) -> Vec<sonic_model::EffectInstance> {
    c.track_effects
        .iter()
        .flat_map(|chain| chain.effects.iter().cloned())
        .collect()
}

fn to_value<T: Serialize>(item: &T) -> Value {
    serde_json::to_value(item).expect("model types always serialise")
}

fn field_changes(
    a: &Value,
    b: &Value,
    prefix: &str,
    keep: impl Fn(&str) -> bool,
) -> Vec<FieldChange> {
    let (Value::Object(a), Value::Object(b)) = (a, b) else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|key| keep(key) && !IGNORED.contains(&key.as_str()))
        .filter_map(|key| {
            let from = a.get(key).cloned().unwrap_or(Value::Null);
            let to = b.get(key).cloned().unwrap_or(Value::Null);
            (from != to).then(|| FieldChange {
                field: format!("{prefix}{key}"),
                from,
                to,
            })
        })
        .collect()
}

fn items<T: Serialize>(
    a: &[T],
    b: &[T],
    key: impl Fn(&T) -> (String, String),
    keep: impl Fn(&str) -> bool + Copy,
) -> ItemChanges {
    let before: HashMap<String, &T> = a.iter().map(|item| (key(item).0, item)).collect();
    let after: HashMap<String, &T> = b.iter().map(|item| (key(item).0, item)).collect();
    let mut changes = ItemChanges::default();
    for item in b {
        let (id, name) = key(item);
        match before.get(&id) {
            None => changes.added.push(ItemRef { id, name }),
            Some(old) => {
                let fields = field_changes(&to_value(*old), &to_value(item), "", keep);
                if !fields.is_empty() {
                    changes.changed.push(ItemChange {
                        id,
                        name,
                        changes: fields,
                    });
                }
            }
        }
    }
    for item in a {
        let (id, name) = key(item);
        if !after.contains_key(&id) {
            changes.removed.push(ItemRef { id, name });
        }
    }
    changes
}

type NoteKey = (u8, u64, u64, u8, u8);

fn note_key(n: &MidiNote) -> NoteKey {
    (
        n.note,
        n.start_time.to_bits(),
        n.duration.to_bits(),
        n.velocity,
        n.channel,
    )
}

fn note_changes(a: &[Clip], b: &[Clip]) -> Vec<NoteChanges> {
    let before: HashMap<&sonic_model::Id, &Clip> = a.iter().map(|c| (&c.id, c)).collect();
    let mut out = Vec::new();
    for clip in b {
        let Some(old) = before.get(&clip.id) else {
            continue;
        };
        let mut counts: HashMap<NoteKey, i64> = HashMap::new();
        for n in old.notes() {
            *counts.entry(note_key(n)).or_default() -= 1;
        }
        for n in clip.notes() {
            *counts.entry(note_key(n)).or_default() += 1;
        }
        // Unmatched notes by where they sit: (start, channel) -> (removed, added).
        let mut places: HashMap<(u64, u8), (i64, i64)> = HashMap::new();
        for (&(_, start, _, _, channel), &count) in &counts {
            let place = places.entry((start, channel)).or_default();
            if count < 0 {
                place.0 -= count;
            } else {
                place.1 += count;
            }
        }
        let (mut added, mut removed, mut changed) = (0, 0, 0);
        for (gone, new) in places.into_values() {
            let edited = gone.min(new);
            changed += edited;
            removed += gone - edited;
            added += new - edited;
        }
        if added > 0 || removed > 0 || changed > 0 {
            out.push(NoteChanges {
                clip_id: clip.id.to_string(),
                clip_name: clip.name.clone(),
                added: added as usize,
                removed: removed as usize,
                changed: changed as usize,
            });
        }
    }
    out.sort_by(|x, y| x.clip_id.cmp(&y.clip_id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sonic_model::{MixerChannel, Track, TrackType};

    #[test]
    fn diff_reports_added_removed_and_changed_items() {
        let mut a = Composition::new("A");
        let bass = Track::new(a.id.clone(), "Bass", TrackType::Midi);
        let drums = Track::new(a.id.clone(), "Drums", TrackType::Midi);
        let clip = Clip::midi(
            bass.id.clone(),
            "Riff",
            0.0,
            4.0,
            vec![
                MidiNote::new(40, 0.0, 1.0, 100),
                MidiNote::new(43, 1.0, 1.0, 100),
            ],
        );
        a.mixer_state
            .channels
            .push(MixerChannel::for_track(bass.id.clone(), "Bass"));
        a.tracks = vec![bass.clone(), drums];
        a.clips = vec![clip];

        let mut b = a.clone();
        b.tempo = 128.0;
        b.tracks.remove(1);
        let keys = Track::new(b.id.clone(), "Keys", TrackType::Midi);
        b.tracks.push(keys);
        b.tracks[0].volume = 0.5;
        let notes = b.clips[0].midi_events.as_mut().unwrap();
        notes[1].note = 45;
        notes.push(MidiNote::new(47, 2.0, 1.0, 90));
        b.clips[0].start_time = 4.0;
        b.mixer_state.channels[0].fader = -6.0;
        b.mixer_state.master.fader = -3.0;

        let diff = diff_compositions(&a, &b);
        assert_eq!(diff.properties.len(), 1);
        assert_eq!(diff.properties[0].field, "tempo");
        assert_eq!(diff.tracks.added[0].name, "Keys");
        assert_eq!(diff.tracks.removed[0].name, "Drums");
        assert_eq!(diff.tracks.changed[0].changes[0].field, "volume");
        assert_eq!(diff.clips.changed[0].changes.len(), 1, "{:?}", diff.clips);
        assert_eq!(diff.clips.changed[0].changes[0].field, "start_time");
        // 43 -> 45 at beat 1 is an edit; 47 at beat 2 is new.
        let n = &diff.notes[0];
        assert_eq!((n.added, n.removed, n.changed), (1, 0, 1), "{n:?}");
        assert_eq!(diff.mixer.changed.len(), 2);
        assert_eq!(diff.mixer.changed[1].changes[0].field, "master.fader");
        assert!(diff_compositions(&a, &a).is_empty());
    }

    #[test]
    fn diff_reports_effects_added_removed_and_changed_across_chains() {
        use sonic_model::{EffectInstance, TrackEffectChain};
        let mut a = Composition::new("A");
        let bass = Track::new(a.id.clone(), "Bass", TrackType::Midi);
        let keys = Track::new(a.id.clone(), "Keys", TrackType::Midi);
        let effect = |id: &str, name: &str, track: &Track, slot: u8| -> EffectInstance {
            serde_json::from_value(serde_json::json!({
                "id": id, "effect_name": name, "display_name": name,
                "track_id": track.id, "slot_index": slot,
            }))
            .unwrap()
        };
        let reverb = effect("e1", "reverb", &bass, 0);
        let delay = effect("e2", "delay", &bass, 1);
        let mut bass_chain = TrackEffectChain::new(bass.id.clone());
        bass_chain.effects = vec![reverb.clone(), delay.clone()];
        a.tracks = vec![bass, keys.clone()];
        a.track_effects = vec![bass_chain];

        let mut b = a.clone();
        b.track_effects[0].effects[0].is_bypassed = true;
        b.track_effects[0].effects.remove(1);
        let mut keys_chain = TrackEffectChain::new(keys.id.clone());
        let chorus = effect("e3", "chorus", &keys, 0);
        keys_chain.effects.push(chorus.clone());
        b.track_effects.push(keys_chain);

        let diff = diff_compositions(&a, &b);
        assert_eq!(diff.effects.added[0].id, chorus.id.to_string());
        assert_eq!(diff.effects.removed[0].id, delay.id.to_string());
        assert_eq!(diff.effects.changed[0].id, reverb.id.to_string());
        assert_eq!(diff.effects.changed[0].changes[0].field, "is_bypassed");
        assert!(diff.tracks.is_empty() && diff.clips.is_empty());
    }

    #[test]
    fn note_edits_in_place_are_changes_not_an_add_and_a_remove() {
        let mut a = Composition::new("A");
        let track = Track::new(a.id.clone(), "Bass", TrackType::Midi);
        let notes = (0..4)
            .map(|i| MidiNote::new(40, f64::from(i), 1.0, 100))
            .collect();
        a.clips = vec![Clip::midi(track.id.clone(), "Riff", 0.0, 4.0, notes)];
        a.tracks = vec![track];
        let mut b = a.clone();
        let notes = b.clips[0].midi_events.as_mut().unwrap();
        notes[0].note = 28; // an octave down
        notes[1].velocity = 60;
        notes.remove(3);
        let n = &diff_compositions(&a, &b).notes[0];
        assert_eq!((n.added, n.removed, n.changed), (0, 1, 2), "{n:?}");
    }
}
