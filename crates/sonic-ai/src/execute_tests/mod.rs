//! One success test and the failure modes of every action, with a shared fixture.

use serde_json::json;
use sonic_model::{Composition, Id};

use super::*;

mod clips;
mod effects_and_song;
mod tracks;

/// A song with a MIDI track `keys` (clip `c1` of three notes, effects `fx1` lpf and `fx2`
/// reverb) and an audio track `vox`.
pub(super) fn song() -> Composition {
    let mut song = Composition::new("Fixture");
    for action in [
        json!({"action": "create_track", "id": "keys", "name": "Keys", "instrument": "sine"}),
        json!({"action": "create_track", "id": "vox", "name": "Vox", "type": "audio"}),
        json!({"action": "create_midi_clip", "id": "c1", "track_id": "keys", "start_time": 0, "duration": 4,
               "notes": [{"n": 60, "s": 0, "d": 1}, {"n": 64, "s": 1, "d": 1}, {"n": 67, "s": 2, "d": 2}]}),
        json!({"action": "add_effect", "id": "fx1", "track_id": "keys", "effect_name": "lpf"}),
        json!({"action": "add_effect", "id": "fx2", "track_id": "keys", "effect_name": "reverb"}),
    ] {
        run(&mut song, action).unwrap();
    }
    song
}

pub(super) fn run(song: &mut Composition, action: serde_json::Value) -> Result<Done, ActionError> {
    let action = DawAction::from_value(action).map_err(|e| ActionError {
        code: e.code(),
        message: e.to_string(),
    })?;
    execute(song, &action)
}

/// Runs an action that must fail with `code` and leave the song exactly as it was.
pub(super) fn fails(action: serde_json::Value, code: &str) {
    let mut song = song();
    let before = song.clone();
    let err = run(&mut song, action.clone()).expect_err(&action.to_string());
    assert_eq!(err.code, code, "{action}: {}", err.message);
    assert_eq!(song, before, "{action} changed the song");
}

pub(super) fn id(s: &str) -> Id {
    Id::parse(s).unwrap()
}
