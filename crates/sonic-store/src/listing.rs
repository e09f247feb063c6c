//! [`CompositionStore::list`]: every composition's listing record, from `metadata.json`
//! files only.

use serde::Serialize;
use sonic_model::{CompositionMetadata, Id};

use crate::error::{Result, StoreError};
use crate::format;
use crate::store::{lock, metadata_key, CompositionStore};

/// The compositions, newest first, and what the listing had to repair or skip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listing {
    /// Listing records, most recently updated first.
    pub compositions: Vec<CompositionMetadata>,
    /// Folders whose `metadata.json` was rebuilt or that could not be listed.
    pub notes: Vec<ListingNote>,
}

/// A folder the listing could not take at face value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListingNote {
    /// The folder name (the composition id when valid).
    pub id: String,
    /// True when the record was rebuilt from the files (and listed), false when skipped.
    pub rebuilt: bool,
    /// What was wrong.
    pub reason: String,
}

impl CompositionStore {
    /// Lists every composition from its `metadata.json`, never reading `current.json`
    /// unless a metadata file is missing or corrupt, in which case the record is rebuilt
    /// (and written back when the store is writable). One bad folder never fails the listing.
    pub fn list(&self) -> Result<Listing> {
        let mut compositions = Vec::new();
        let mut notes = Vec::new();
        for name in self.backend.list("compositions")? {
            let Ok(id) = Id::parse(&name) else {
                continue;
            };
            let key = metadata_key(&id);
            let path = self.config.data_dir.join(&key);
            let fast = match self.backend.read(&key)? {
                Some(bytes) => format::decode_listing(&path, &bytes),
                None if !self.backend.exists(&crate::store::dir_key(&id)) => continue,
                None => Err(format::corrupt(&path, "missing")),
            };
            match fast {
                Ok(listing) if listing.id == id => compositions.push(listing),
                Ok(_) | Err(_) => match self.rebuilt_listing(&id) {
                    Ok((listing, reason)) => {
                        compositions.push(listing);
                        notes.push(ListingNote {
                            id: name,
                            rebuilt: true,
                            reason,
                        });
                    }
                    Err(StoreError::CompositionNotFound(_)) => {}
                    Err(e) => notes.push(ListingNote {
                        id: name,
                        rebuilt: false,
                        reason: e.to_string(),
                    }),
                },
            }
        }
        compositions.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(a.id.cmp(&b.id)));
        Ok(Listing {
            compositions,
            notes,
        })
    }

    fn rebuilt_listing(&self, id: &Id) -> Result<(CompositionMetadata, String)> {
        let slot = self.slot(id);
        let mut slot = lock(&slot);
        slot.meta = None;
        let reason = self
            .ensure_meta(id, &mut slot)?
            .unwrap_or_else(|| "metadata.json changed while listing".into());
        let meta = slot.meta.as_ref().expect("ensure_meta filled the slot");
        Ok((meta.listing.clone(), reason))
    }
}
