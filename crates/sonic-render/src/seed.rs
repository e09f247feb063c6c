//! Random seeds from the composition's ids (sound.md §6.10, docs/SOUND.md): every note's voice
//! draws its randomness from a seed fixed by its track, its clip and its place in the clip, so
//! the same composition renders to the same bytes on every run and any number of threads.

use sonic_model::Id;

/// The seed of note `index` of clip `clip` on track `track`: the first 64 bits of BLAKE3 over
/// the three (with a version tag, so a change of the rule is a visible choice).
pub fn note_seed(track: &Id, clip: &Id, index: usize) -> u64 {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"sonic-render note seed v1\0");
    hasher.update(track.as_str().as_bytes());
    hasher.update(&[0]);
    hasher.update(clip.as_str().as_bytes());
    hasher.update(&[0]);
    hasher.update(&(index as u64).to_le_bytes());
    let bytes = hasher.finalize();
    u64::from_le_bytes(
        bytes.as_bytes()[..8]
            .try_into()
            .expect("a BLAKE3 hash has 32 bytes"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_stable_and_tell_notes_apart() {
        let (t, c) = (Id::parse("bass").unwrap(), Id::parse("riff").unwrap());
        assert_eq!(note_seed(&t, &c, 0), note_seed(&t, &c, 0));
        assert_ne!(note_seed(&t, &c, 0), note_seed(&t, &c, 1));
        assert_ne!(note_seed(&t, &c, 0), note_seed(&c, &t, 0));
        // "ab" + "c" and "a" + "bc" are different ids, so different seeds.
        let (ab, bc) = (Id::parse("ab").unwrap(), Id::parse("bc").unwrap());
        let (a, cc) = (Id::parse("a").unwrap(), Id::parse("c").unwrap());
        assert_ne!(note_seed(&ab, &cc, 0), note_seed(&a, &bc, 0));
    }
}
