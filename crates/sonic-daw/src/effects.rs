//! Insert effects: chains of at most eight per track, built from the catalogue in
//! [`crate::registry`], with every parameter checked against its definition's range.

use std::collections::BTreeMap;

use sonic_model::{Composition, EffectInstance, Id, TrackEffectChain, MAX_EFFECT_SLOTS};

use crate::tracks::index_of as track_index;
use crate::{ids, registry, DawError, Result};

/// What a new effect looks like.
#[derive(Debug, Clone)]
pub struct NewEffect {
    /// Client-chosen id (unique in the composition), or `None` for a generated one.
    pub id: Option<Id>,
    /// The track whose chain receives it.
    pub track_id: Id,
    /// Definition name, e.g. `reverb`.
    pub effect_name: String,
    /// Slot 0 to 7, or the first free one.
    pub slot_index: Option<u8>,
    /// Label; `<Display Name> <slot+1>` when `None`.
    pub display_name: Option<String>,
    /// Parameters to set instead of their defaults.
    pub parameters: BTreeMap<String, f64>,
}

/// Where effect `id` is: (chain index, index in the chain).
pub fn locate(composition: &Composition, id: &Id) -> Result<(usize, usize)> {
    composition
        .track_effects
        .iter()
        .enumerate()
        .find_map(|(c, chain)| {
            chain
                .effects
                .iter()
                .position(|e| &e.id == id)
                .map(|i| (c, i))
        })
        .ok_or_else(|| DawError::EffectNotFound(id.clone()))
}

/// The effect with id `id`.
pub fn effect<'a>(composition: &'a Composition, id: &Id) -> Result<&'a EffectInstance> {
    let (c, i) = locate(composition, id)?;
    Ok(&composition.track_effects[c].effects[i])
}

/// The chain of a track (empty when it has no effects).
pub fn chain<'a>(composition: &'a Composition, track_id: &Id) -> &'a [EffectInstance] {
    composition
        .track_effects
        .iter()
        .find(|c| &c.track_id == track_id)
        .map_or(&[], |c| &c.effects)
}

fn check_parameter(effect_name: &str, name: &str, value: f64) -> Result<()> {
    let def = registry::effect(effect_name)?;
    let param = def
        .parameter(name)
        .ok_or_else(|| DawError::UnknownParameter {
            effect: effect_name.into(),
            parameter: name.into(),
        })?;
    if value.is_finite() && value >= param.min && value <= param.max {
        Ok(())
    } else {
        Err(DawError::out_of_range(
            &format!("parameters.{name}"),
            value,
            &format!("{} <= x <= {}", param.min, param.max),
        ))
    }
}

/// Adds an effect to a track's chain; returns its id and slot.
pub fn add_effect(composition: &mut Composition, new: NewEffect) -> Result<(Id, u8)> {
    track_index(composition, &new.track_id)?;
    let def = registry::effect(&new.effect_name)?;
    for (name, value) in &new.parameters {
        check_parameter(&def.name, name, *value)?;
    }
    let id = ids::new_id(composition, new.id.as_ref())?;
    let taken: Vec<u8> = chain(composition, &new.track_id)
        .iter()
        .map(|e| e.slot_index)
        .collect();
    if taken.len() >= MAX_EFFECT_SLOTS {
        return Err(DawError::ChainFull(new.track_id));
    }
    let slot = match new.slot_index {
        Some(slot) if usize::from(slot) >= MAX_EFFECT_SLOTS => {
            return Err(DawError::out_of_range(
                "slot_index",
                slot.into(),
                "0 <= x <= 7",
            ))
        }
        Some(slot) if taken.contains(&slot) => {
            return Err(DawError::SlotOccupied {
                track_id: new.track_id,
                slot,
            })
        }
        Some(slot) => slot,
        None => (0..MAX_EFFECT_SLOTS as u8)
            .find(|s| !taken.contains(s))
            .expect("the chain has a free slot"),
    };
    if let Some(name) = &new.display_name {
        crate::check_name("display_name", name)?;
    }
    let mut effect = EffectInstance::new(def, new.track_id.clone(), slot);
    effect.id = id.clone();
    if let Some(name) = new.display_name {
        effect.display_name = name;
    }
    effect.parameters.extend(new.parameters);
    effect.is_bypassed = effect.parameters.get("bypass").is_some_and(|b| *b >= 0.5);

    let position = composition
        .track_effects
        .iter()
        .position(|c| c.track_id == new.track_id);
    let chain_index = match position {
        Some(i) => i,
        None => {
            composition
                .track_effects
                .push(TrackEffectChain::new(new.track_id.clone()));
            composition.track_effects.len() - 1
        }
    };
    let chain = &mut composition.track_effects[chain_index];
    chain.effects.push(effect);
    chain.effects.sort_by_key(|e| e.slot_index);
    Ok((id, slot))
}

/// Removes an effect from its chain (an emptied chain goes too).
pub fn remove_effect(composition: &mut Composition, id: &Id) -> Result<()> {
    let (c, i) = locate(composition, id)?;
    composition.track_effects[c].effects.remove(i);
    if composition.track_effects[c].effects.is_empty() {
        composition.track_effects.remove(c);
    }
    Ok(())
}

/// Removes every effect of a track.
pub fn clear_effects(composition: &mut Composition, track_id: &Id) -> Result<usize> {
    track_index(composition, track_id)?;
    let removed = chain(composition, track_id).len();
    composition
        .track_effects
        .retain(|c| &c.track_id != track_id);
    Ok(removed)
}

/// Sets parameters of an effect: every name must exist and every value be in range, or
/// nothing changes. Setting `bypass` also sets the bypass flag.
pub fn set_parameters(
    composition: &mut Composition,
    id: &Id,
    values: &BTreeMap<String, f64>,
) -> Result<()> {
    let (c, i) = locate(composition, id)?;
    let effect = &composition.track_effects[c].effects[i];
    for (name, value) in values {
        check_parameter(&effect.effect_name, name, *value)?;
    }
    let effect = &mut composition.track_effects[c].effects[i];
    let before = (effect.parameters.clone(), effect.is_bypassed);
    for (name, value) in values {
        effect.parameters.insert(name.clone(), *value);
        if name == "bypass" {
            effect.is_bypassed = *value >= 0.5;
        }
    }
    stamp_if_changed(effect, before);
    Ok(())
}

/// Sets one parameter of an effect.
pub fn set_parameter(composition: &mut Composition, id: &Id, name: &str, value: f64) -> Result<()> {
    set_parameters(composition, id, &BTreeMap::from([(name.to_owned(), value)]))
}

/// Bypasses an effect or brings it back (the `bypass` parameter follows).
pub fn set_bypass(composition: &mut Composition, id: &Id, bypassed: bool) -> Result<()> {
    let (c, i) = locate(composition, id)?;
    let effect = &mut composition.track_effects[c].effects[i];
    let before = (effect.parameters.clone(), effect.is_bypassed);
    effect.is_bypassed = bypassed;
    effect
        .parameters
        .insert("bypass".into(), if bypassed { 1.0 } else { 0.0 });
    stamp_if_changed(effect, before);
    Ok(())
}

/// Stamps `updated_at` only when the parameters or the bypass flag differ from `before`:
/// setting a value to what it already is leaves the composition exactly as it was.
fn stamp_if_changed(effect: &mut EffectInstance, before: (BTreeMap<String, f64>, bool)) {
    if (&effect.parameters, effect.is_bypassed) != (&before.0, before.1) {
        effect.updated_at = sonic_model::time::now();
    }
}

/// Renames an effect.
pub fn rename_effect(composition: &mut Composition, id: &Id, display_name: &str) -> Result<()> {
    let (c, i) = locate(composition, id)?;
    crate::check_name("display_name", display_name)?;
    let effect = &mut composition.track_effects[c].effects[i];
    crate::set_stamped(
        &mut effect.display_name,
        display_name.to_owned(),
        &mut effect.updated_at,
    );
    Ok(())
}

/// Moves an effect to an empty slot of its chain (0 to 7).
pub fn move_effect(composition: &mut Composition, id: &Id, slot: u8) -> Result<()> {
    let (c, i) = locate(composition, id)?;
    if usize::from(slot) >= MAX_EFFECT_SLOTS {
        return Err(DawError::out_of_range(
            "new_slot_index",
            slot.into(),
            "0 <= x <= 7",
        ));
    }
    let chain = &mut composition.track_effects[c];
    if chain
        .effects
        .iter()
        .any(|e| e.slot_index == slot && &e.id != id)
    {
        return Err(DawError::SlotOccupied {
            track_id: chain.track_id.clone(),
            slot,
        });
    }
    chain.effects[i].slot_index = slot;
    chain.effects.sort_by_key(|e| e.slot_index);
    Ok(())
}

/// Puts a track's effects in `order` (every effect of the chain exactly once); they take
/// slots 0, 1, 2, ... in that order, which is the order the signal goes through them.
pub fn reorder_effects(composition: &mut Composition, track_id: &Id, order: &[Id]) -> Result<()> {
    track_index(composition, track_id)?;
    let current: Vec<Id> = chain(composition, track_id)
        .iter()
        .map(|e| e.id.clone())
        .collect();
    let mut seen = Vec::with_capacity(order.len());
    let is_permutation = order.len() == current.len()
        && order.iter().all(|id| {
            current.contains(id) && !seen.contains(&id) && {
                seen.push(id);
                true
            }
        });
    if !is_permutation {
        return Err(DawError::InvalidOrder {
            what: "effect",
            given: order.to_vec(),
            current,
        });
    }
    if let Some(chain) = composition
        .track_effects
        .iter_mut()
        .find(|c| &c.track_id == track_id)
    {
        for effect in &mut chain.effects {
            let slot = order
                .iter()
                .position(|id| id == &effect.id)
                .expect("a permutation");
            effect.slot_index = slot as u8;
        }
        chain.effects.sort_by_key(|e| e.slot_index);
    }
    Ok(())
}

#[cfg(test)]
#[path = "effects_tests.rs"]
mod tests;
