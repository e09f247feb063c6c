//! The clip launcher: scenes (rows of a session view) and the slot grid
//! `clip_slots[track index][scene index]` holding clip ids.

use sonic_model::{Composition, Id, Scene, MAX_TEMPO};

use crate::tracks::index_of as track_index;
use crate::{clips, ids, DawError, Result};

fn scene_index(composition: &Composition, id: &Id) -> Result<usize> {
    composition
        .scenes
        .iter()
        .position(|s| &s.id == id)
        .ok_or_else(|| DawError::SceneNotFound(id.clone()))
}

fn check_tempo(tempo: Option<f64>) -> Result<()> {
    match tempo {
        Some(t) if !(t.is_finite() && t > 0.0 && t <= MAX_TEMPO) => {
            Err(DawError::out_of_range("tempo", t, "0 < x <= 300"))
        }
        _ => Ok(()),
    }
}

/// Appends a scene; returns its id.
pub fn add_scene(
    composition: &mut Composition,
    id: Option<&Id>,
    name: &str,
    tempo: Option<f64>,
) -> Result<Id> {
    check_tempo(tempo)?;
    let mut scene = Scene::new(name);
    if id.is_some() {
        scene.id = ids::new_id(composition, id)?;
    }
    scene.tempo = tempo;
    crate::check_name("name", name)?;
    let id = scene.id.clone();
    composition.scenes.push(scene);
    Ok(id)
}

/// Renames a scene.
pub fn rename_scene(composition: &mut Composition, id: &Id, name: &str) -> Result<()> {
    let index = scene_index(composition, id)?;
    crate::check_name("name", name)?;
    composition.scenes[index].name = name.to_owned();
    Ok(())
}

/// Sets or clears the tempo a scene switches to.
pub fn set_scene_tempo(composition: &mut Composition, id: &Id, tempo: Option<f64>) -> Result<()> {
    let index = scene_index(composition, id)?;
    check_tempo(tempo)?;
    composition.scenes[index].tempo = tempo;
    Ok(())
}

/// Removes a scene and its column of slots.
pub fn remove_scene(composition: &mut Composition, id: &Id) -> Result<()> {
    let index = scene_index(composition, id)?;
    composition.scenes.remove(index);
    if let Some(grid) = &mut composition.clip_slots {
        for row in grid {
            if index < row.len() {
                row.remove(index);
            }
        }
    }
    Ok(())
}

/// Puts a clip of the track in the slot of scene `scene_id` (or empties it with `None`).
pub fn set_slot(
    composition: &mut Composition,
    track_id: &Id,
    scene_id: &Id,
    clip_id: Option<&Id>,
) -> Result<()> {
    let row = track_index(composition, track_id)?;
    let column = scene_index(composition, scene_id)?;
    if let Some(clip_id) = clip_id {
        let clip = &composition.clips[clips::index_of(composition, clip_id)?];
        if &clip.track_id != track_id {
            return Err(sonic_model::ModelError::InvalidFormat {
                field: "clip_id".into(),
                value: clip_id.to_string(),
                expected: format!("a clip of track {track_id}"),
            }
            .into());
        }
    }
    let tracks = composition.tracks.len();
    let scenes = composition.scenes.len();
    let grid = composition.clip_slots.get_or_insert_with(Vec::new);
    grid.resize(tracks, Vec::new());
    let cells = &mut grid[row];
    if cells.len() < scenes {
        cells.resize(scenes, None);
    }
    cells[column] = clip_id.cloned();
    Ok(())
}

/// The clips a scene launches: (track id, clip id) for every filled slot in its column.
pub fn scene_clips(composition: &Composition, scene_id: &Id) -> Result<Vec<(Id, Id)>> {
    let column = scene_index(composition, scene_id)?;
    let Some(grid) = &composition.clip_slots else {
        return Ok(Vec::new());
    };
    Ok(composition
        .tracks
        .iter()
        .zip(grid)
        .filter_map(|(track, row)| {
            row.get(column)
                .cloned()
                .flatten()
                .map(|clip| (track.id.clone(), clip))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clips::NewMidiClip;
    use crate::tracks::{self, NewTrack};
    use sonic_model::TrackType;

    #[test]
    fn slots_follow_track_order_deletion_and_clip_deletion() {
        let mut song = Composition::new("Launch");
        let a = tracks::add_track(&mut song, NewTrack::new("a", TrackType::Midi)).unwrap();
        let b = tracks::add_track(&mut song, NewTrack::new("b", TrackType::Midi)).unwrap();
        let clip = |song: &mut Composition, track: &Id| {
            clips::add_midi_clip(
                song,
                NewMidiClip {
                    id: None,
                    track_id: track.clone(),
                    name: None,
                    start_time: 0.0,
                    duration: 4.0,
                    notes: vec![],
                },
            )
            .unwrap()
        };
        let ca = clip(&mut song, &a);
        let cb = clip(&mut song, &b);
        let scene = song.scenes[2].id.clone();
        set_slot(&mut song, &a, &scene, Some(&ca)).unwrap();
        set_slot(&mut song, &b, &scene, Some(&cb)).unwrap();
        assert_eq!(
            set_slot(&mut song, &a, &scene, Some(&cb))
                .unwrap_err()
                .code(),
            "INVALID_VALUE"
        );
        tracks::reorder_tracks(&mut song, &[b.clone(), a.clone()]).unwrap();
        assert_eq!(
            scene_clips(&song, &scene).unwrap(),
            vec![(b.clone(), cb.clone()), (a.clone(), ca.clone())]
        );
        clips::delete_clip(&mut song, &cb).unwrap();
        tracks::delete_track(&mut song, &a).unwrap();
        assert!(scene_clips(&song, &scene).unwrap().is_empty());
        song.validate().unwrap();
    }

    #[test]
    fn scenes_are_added_renamed_retimed_and_removed() {
        let mut song = Composition::new("Scenes");
        let given = Id::parse("chorus").unwrap();
        let id = add_scene(&mut song, Some(&given), "Chorus", Some(128.0)).unwrap();
        assert_eq!(id, given);
        assert_eq!(
            add_scene(&mut song, Some(&given), "Again", None)
                .unwrap_err()
                .code(),
            "DUPLICATE_ID"
        );
        assert_eq!(
            add_scene(&mut song, None, "Fast", Some(900.0))
                .unwrap_err()
                .code(),
            "OUT_OF_RANGE"
        );
        rename_scene(&mut song, &id, "Hook").unwrap();
        assert!(rename_scene(&mut song, &id, " ").is_err());
        set_scene_tempo(&mut song, &id, None).unwrap();
        remove_scene(&mut song, &id).unwrap();
        assert_eq!(song.scenes.len(), 8);
        assert_eq!(
            remove_scene(&mut song, &id).unwrap_err().code(),
            "SCENE_NOT_FOUND"
        );
    }
}
