//! The insert chain of a track (or the master): its effects in ascending slot order (sound.md
//! B4, fixed), each built with its resolved parameters, bypass as §6.4 decides.

use std::collections::{BTreeMap, BTreeSet};

use sonic_model::{EffectDefinition, EffectInstance};

use super::{Effect, EffectSetup, EffectSpec, StereoBlock};

/// Finds the implementation of an effect name.
pub(crate) type Lookup = fn(&str) -> Option<&'static EffectSpec>;

struct Insert {
    effect: Box<dyn Effect>,
    bypassed: bool,
}

/// A chain of built effects; see the module documentation.
pub(crate) struct InsertChain {
    inserts: Vec<Insert>,
    scratch: Box<StereoBlock>,
}

impl InsertChain {
    /// No effects.
    pub(crate) fn empty() -> Self {
        InsertChain {
            inserts: Vec::new(),
            scratch: Box::default(),
        }
    }

    /// The chain of `effects` (any order; they run by slot). A name the catalogue or the
    /// engine does not know is left out and added to `missing`.
    pub(crate) fn build(
        effects: &[EffectInstance],
        rate: f64,
        lookup: Lookup,
        missing: &mut BTreeSet<String>,
    ) -> Self {
        let mut chain = InsertChain::empty();
        let mut sorted: Vec<&EffectInstance> = effects.iter().collect();
        sorted.sort_by_key(|e| e.slot_index);
        for instance in sorted {
            let bypassed = instance.is_bypassed || !instance.is_enabled;
            chain.add_named(
                &instance.effect_name,
                &instance.parameters,
                bypassed,
                rate,
                lookup,
                missing,
            );
        }
        chain
    }

    /// Appends effect `name` with parameter `values` (resolved against its definition);
    /// `bypassed` also holds when the values' `bypass` is 1 or more.
    pub(crate) fn add_named(
        &mut self,
        name: &str,
        values: &BTreeMap<String, f64>,
        bypassed: bool,
        rate: f64,
        lookup: Lookup,
        missing: &mut BTreeSet<String>,
    ) {
        let (Ok(definition), Some(spec)) = (sonic_catalog::effect(name), lookup(name)) else {
            missing.insert(name.to_string());
            return;
        };
        let params = resolve(definition, values);
        let bypass = params.iter().any(|(n, v)| n == "bypass" && *v >= 1.0);
        let effect = (spec.new)(&EffectSetup::new(rate, &params));
        self.inserts.push(Insert {
            effect,
            bypassed: bypassed || bypass,
        });
    }

    /// The longest silent gap any effect's tail may hold, in seconds.
    pub(crate) fn tail_gap(&self) -> f64 {
        self.inserts
            .iter()
            .map(|i| i.effect.tail_gap())
            .fold(0.0, f64::max)
    }

    /// Runs `block` through the chain in place.
    pub(crate) fn process(&mut self, block: &mut StereoBlock) {
        for insert in &mut self.inserts {
            if insert.bypassed {
                self.scratch.as_mut().clone_from(block);
                insert.effect.process(&mut self.scratch);
            } else {
                insert.effect.process(block);
            }
        }
    }
}

/// Every parameter of `definition`: the value in `values` clamped to its range, else its
/// default. Names the definition lacks are dropped.
pub(crate) fn resolve(
    definition: &EffectDefinition,
    values: &BTreeMap<String, f64>,
) -> Vec<(String, f64)> {
    definition
        .parameters
        .iter()
        .map(|p| {
            let value = values
                .get(&p.name)
                .copied()
                .filter(|v| v.is_finite())
                .map_or(p.default, |v| v.clamp(p.min, p.max));
            (p.name.clone(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use sonic_model::{EffectInstance, Id};

    /// Test doubles, not sounds: "lpf" clips at ±0.5, "hpf" doubles, "eq3" counts its blocks.
    static CLIP: EffectSpec = EffectSpec {
        name: "lpf",
        new: |_| Box::new(Clip),
    };
    static DOUBLE: EffectSpec = EffectSpec {
        name: "hpf",
        new: |_| Box::new(Double),
    };
    static COUNT: EffectSpec = EffectSpec {
        name: "eq3",
        new: |_| Box::new(Count),
    };
    static COUNTED: AtomicUsize = AtomicUsize::new(0);

    struct Clip;
    struct Double;
    struct Count;

    impl Effect for Clip {
        fn process(&mut self, block: &mut StereoBlock) {
            block.left.iter_mut().for_each(|x| *x = x.clamp(-0.5, 0.5));
        }
    }
    impl Effect for Double {
        fn process(&mut self, block: &mut StereoBlock) {
            block.left.iter_mut().for_each(|x| *x *= 2.0);
        }
    }
    impl Effect for Count {
        fn process(&mut self, block: &mut StereoBlock) {
            COUNTED.fetch_add(1, Ordering::Relaxed);
            block.left.fill(9.0);
        }
    }

    fn lookup(name: &str) -> Option<&'static EffectSpec> {
        [&CLIP, &DOUBLE, &COUNT]
            .into_iter()
            .find(|s| s.name == name)
    }

    fn instance(name: &str, slot: u8) -> EffectInstance {
        let def = sonic_catalog::effect(name).unwrap();
        EffectInstance::new(def, Id::generate(), slot)
    }

    fn run(chain: &mut InsertChain, x: f32) -> f32 {
        let mut block = StereoBlock::default();
        block.left.fill(x);
        chain.process(&mut block);
        block.left[0]
    }

    #[test]
    fn effects_run_in_ascending_slot_order_whatever_order_they_are_stored_in() {
        let mut missing = BTreeSet::new();
        // Slot 0 clips, slot 1 doubles: 0.8 -> 0.5 -> 1.0 (the original's reverse order
        // would give 1.6 -> 0.5).
        let effects = [instance("hpf", 1), instance("lpf", 0)];
        let mut chain = InsertChain::build(&effects, 48_000.0, lookup, &mut missing);
        assert_eq!(run(&mut chain, 0.8), 1.0);
        assert!(missing.is_empty());
    }

    #[test]
    fn a_bypassed_effect_keeps_running_but_passes_the_signal() {
        let mut missing = BTreeSet::new();
        let mut flagged = instance("eq3", 0);
        flagged.is_bypassed = true;
        let mut by_param = instance("eq3", 1);
        by_param.parameters.insert("bypass".into(), 1.0);
        let mut disabled = instance("eq3", 2);
        disabled.is_enabled = false;
        let before = COUNTED.load(Ordering::Relaxed);
        let mut chain = InsertChain::build(
            &[flagged, by_param, disabled],
            48_000.0,
            lookup,
            &mut missing,
        );
        assert_eq!(run(&mut chain, 0.25), 0.25);
        assert_eq!(COUNTED.load(Ordering::Relaxed) - before, 3);
    }

    #[test]
    fn unimplemented_and_unknown_effects_are_named_and_passed_through() {
        let mut missing = BTreeSet::new();
        let mut unknown = instance("lpf", 1);
        unknown.effect_name = "wah".into();
        let effects = [instance("reverb", 0), unknown];
        let mut chain = InsertChain::build(&effects, 48_000.0, lookup, &mut missing);
        assert!(chain.inserts.is_empty());
        assert_eq!(run(&mut chain, 0.3), 0.3);
        assert_eq!(missing.into_iter().collect::<Vec<_>>(), ["reverb", "wah"]);
    }

    #[test]
    fn parameters_are_clamped_to_the_catalogue_and_defaulted() {
        let def = sonic_catalog::effect("lpf").unwrap();
        let values = BTreeMap::from([("cutoff".to_string(), 99_999.0), ("bogus".to_string(), 1.0)]);
        let params = resolve(def, &values);
        let get = |n: &str| params.iter().find(|(k, _)| k == n).map(|p| p.1);
        assert_eq!(get("cutoff"), Some(20_000.0));
        assert_eq!(get("resonance"), Some(0.5));
        assert_eq!(get("bogus"), None);
    }
}
