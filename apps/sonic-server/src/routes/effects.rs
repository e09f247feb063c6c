//! Effects: the catalogue (`/api/effects/...`) and each composition's per-track chains.

use std::collections::BTreeMap;

use axum::extract::State;
use serde::{Deserialize, Serialize};
use sonic_daw::{effects, registry, Scope};
use sonic_model::{EffectDefinition, EffectInstance};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{id, Json, Path};
use crate::routes::tracks::Done;
use crate::routes::{edit, read};
use crate::state::{in_memory, SharedState};

pub fn router() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(definitions))
        .routes(routes!(categories))
        .routes(routes!(by_category))
        // The original client's paths for the same catalogue.
        .routes(routes!(definitions_original))
        .routes(routes!(categories_original))
        .routes(routes!(by_category_original))
        .routes(routes!(track_chain, add_effect, clear_chain))
        .routes(routes!(get_effect, update_effect, remove_effect))
        .routes(routes!(move_effect))
}

/// Effect definitions.
#[derive(Serialize, ToSchema)]
pub struct Definitions {
    /// Definitions in catalogue order.
    pub effects: Vec<EffectDefinition>,
}

/// A track's chain.
#[derive(Serialize, ToSchema)]
pub struct Chain {
    /// The track.
    pub track_id: String,
    /// Effects in slot order.
    pub effects: Vec<EffectInstance>,
    /// Always 8.
    pub max_slots: u8,
}

/// `POST .../tracks/{track_id}/effects` body.
#[derive(Deserialize, ToSchema)]
pub struct AddEffect {
    /// Client-chosen id (unique in the composition); generated when absent.
    pub id: Option<String>,
    /// Definition name, e.g. `reverb`.
    pub effect_name: String,
    /// Slot 0 to 7 (first free when absent).
    pub slot_index: Option<u8>,
    /// Label.
    pub display_name: Option<String>,
    /// Parameters to set instead of their defaults (range-checked).
    #[serde(default)]
    pub parameters: BTreeMap<String, f64>,
}

/// `PATCH .../effects/{effect_id}` body.
#[derive(Deserialize, ToSchema)]
pub struct UpdateEffect {
    /// Parameters to change (range-checked, never clamped).
    pub parameters: Option<BTreeMap<String, f64>>,
    /// Bypass (`bypassed` is accepted too, as the original web client sends it).
    #[serde(alias = "bypassed")]
    pub is_bypassed: Option<bool>,
    /// Label.
    pub display_name: Option<String>,
}

/// `POST .../effects/{effect_id}/move` body.
#[derive(Deserialize, ToSchema)]
pub struct MoveEffect {
    /// Target slot, 0 to 7 (must be free).
    pub new_slot_index: u8,
}

/// The 15 built-in effect definitions.
#[utoipa::path(get, path = "/api/effects/definitions", tag = "effects",
    responses((status = 200, body = Definitions)))]
async fn definitions() -> Json<Definitions> {
    Json(Definitions {
        effects: registry::effects().to_vec(),
    })
}

/// Effect categories, sorted.
#[utoipa::path(get, path = "/api/effects/categories", tag = "effects",
    responses((status = 200, body = Vec<String>)))]
async fn categories() -> Json<Vec<String>> {
    let mut names: Vec<String> = registry::effects()
        .iter()
        .map(|e| e.category.clone())
        .collect();
    names.sort();
    names.dedup();
    Json(names)
}

/// The definitions of one category (empty for an unknown one).
#[utoipa::path(get, path = "/api/effects/categories/{category}", tag = "effects",
    params(("category" = String, Path, description = "Category")),
    responses((status = 200, body = Definitions), (status = "default", body = ErrorBody)))]
async fn by_category(Path(category): Path<String>) -> Json<Definitions> {
    let effects = registry::effects()
        .iter()
        .filter(|e| e.category == category)
        .cloned()
        .collect();
    Json(Definitions { effects })
}

/// The 15 built-in effect definitions (the original client's path; same as
/// `/api/effects/definitions`).
#[utoipa::path(get, path = "/api/compositions/effects/definitions", tag = "effects",
    responses((status = 200, body = Definitions)))]
async fn definitions_original() -> Json<Definitions> {
    definitions().await
}

/// Effect categories, sorted (the original client's path; same as `/api/effects/categories`).
#[utoipa::path(get, path = "/api/compositions/effects/categories", tag = "effects",
    responses((status = 200, body = Vec<String>)))]
async fn categories_original() -> Json<Vec<String>> {
    categories().await
}

/// The definitions of one category (the original client's path; same as
/// `/api/effects/categories/{category}`).
#[utoipa::path(get, path = "/api/compositions/effects/categories/{category}", tag = "effects",
    params(("category" = String, Path, description = "Category")),
    responses((status = 200, body = Definitions), (status = "default", body = ErrorBody)))]
async fn by_category_original(path: Path<String>) -> Json<Definitions> {
    by_category(path).await
}

fn chain_of(c: &sonic_model::Composition, track_id: &sonic_model::Id) -> Chain {
    Chain {
        track_id: track_id.to_string(),
        effects: effects::chain(c, track_id).to_vec(),
        max_slots: sonic_model::MAX_EFFECT_SLOTS as u8,
    }
}

/// A track's effect chain.
#[utoipa::path(get, path = "/api/compositions/{id}/tracks/{track_id}/effects", tag = "effects",
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("track_id" = sonic_model::Id, Path, description = "Track id")),
    responses((status = 200, body = Chain), (status = "default", body = ErrorBody)))]
async fn track_chain(
    State(state): State<SharedState>,
    Path((raw, raw_track)): Path<(String, String)>,
) -> ApiResult<Json<Chain>> {
    let (cid, tid) = (id(&raw)?, id(&raw_track)?);
    in_memory(state.studio.is_open(&cid), move || {
        read(&state, &cid, |c| {
            sonic_daw::tracks::index_of(c, &tid)?;
            Ok(chain_of(c, &tid))
        })?
    })
    .await
    .map(Json)
}

/// Add an effect to a track's chain (at most 8).
#[utoipa::path(post, path = "/api/compositions/{id}/tracks/{track_id}/effects", tag = "effects", request_body = AddEffect,
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("track_id" = sonic_model::Id, Path, description = "Track id")),
    responses((status = 200, body = EffectInstance), (status = "default", body = ErrorBody)))]
async fn add_effect(
    State(state): State<SharedState>,
    Path((raw, raw_track)): Path<(String, String)>,
    Json(body): Json<AddEffect>,
) -> ApiResult<Json<EffectInstance>> {
    let (cid, tid) = (id(&raw)?, id(&raw_track)?);
    let new = effects::NewEffect {
        id: body.id.as_deref().map(id).transpose()?,
        track_id: tid,
        effect_name: body.effect_name,
        slot_index: body.slot_index,
        display_name: body.display_name,
        parameters: body.parameters,
    };
    in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Settings, |c| {
            let (effect_id, _) = effects::add_effect(c, new)?;
            Ok(effects::effect(c, &effect_id)?.clone())
        })
    })
    .await
    .map(Json)
}

/// Remove every effect of a track.
#[utoipa::path(delete, path = "/api/compositions/{id}/tracks/{track_id}/effects", tag = "effects",
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("track_id" = sonic_model::Id, Path, description = "Track id")),
    responses((status = 200, body = Done), (status = "default", body = ErrorBody)))]
async fn clear_chain(
    State(state): State<SharedState>,
    Path((raw, raw_track)): Path<(String, String)>,
) -> ApiResult<Json<Done>> {
    let (cid, tid) = (id(&raw)?, id(&raw_track)?);
    let removed = in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Settings, |c| {
            effects::clear_effects(c, &tid)
        })
    })
    .await?;
    Ok(Json(Done {
        status: "success",
        message: format!("Removed {removed} effects"),
    }))
}

/// One effect.
#[utoipa::path(get, path = "/api/compositions/{id}/effects/{effect_id}", tag = "effects",
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("effect_id" = sonic_model::Id, Path, description = "Effect id")),
    responses((status = 200, body = EffectInstance), (status = "default", body = ErrorBody)))]
async fn get_effect(
    State(state): State<SharedState>,
    Path((raw, raw_effect)): Path<(String, String)>,
) -> ApiResult<Json<EffectInstance>> {
    let (cid, eid) = (id(&raw)?, id(&raw_effect)?);
    in_memory(state.studio.is_open(&cid), move || {
        read(&state, &cid, |c| Ok(effects::effect(c, &eid)?.clone()))?
    })
    .await
    .map(Json)
}

/// Change parameters, bypass or label (one undo step; out-of-range values are refused).
#[utoipa::path(patch, path = "/api/compositions/{id}/effects/{effect_id}", tag = "effects", request_body = UpdateEffect,
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("effect_id" = sonic_model::Id, Path, description = "Effect id")),
    responses((status = 200, body = EffectInstance), (status = "default", body = ErrorBody)))]
async fn update_effect(
    State(state): State<SharedState>,
    Path((raw, raw_effect)): Path<(String, String)>,
    Json(body): Json<UpdateEffect>,
) -> ApiResult<Json<EffectInstance>> {
    let (cid, eid) = (id(&raw)?, id(&raw_effect)?);
    in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Settings, |c| {
            effects::effect(c, &eid)?;
            if let Some(values) = &body.parameters {
                effects::set_parameters(c, &eid, values)?;
            }
            if let Some(bypassed) = body.is_bypassed {
                effects::set_bypass(c, &eid, bypassed)?;
            }
            if let Some(name) = &body.display_name {
                effects::rename_effect(c, &eid, name)?;
            }
            Ok(effects::effect(c, &eid)?.clone())
        })
    })
    .await
    .map(Json)
}

/// Remove an effect.
#[utoipa::path(delete, path = "/api/compositions/{id}/effects/{effect_id}", tag = "effects",
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("effect_id" = sonic_model::Id, Path, description = "Effect id")),
    responses((status = 200, body = Done), (status = "default", body = ErrorBody)))]
async fn remove_effect(
    State(state): State<SharedState>,
    Path((raw, raw_effect)): Path<(String, String)>,
) -> ApiResult<Json<Done>> {
    let (cid, eid) = (id(&raw)?, id(&raw_effect)?);
    let message = format!("Removed effect {eid}");
    in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Settings, |c| {
            effects::remove_effect(c, &eid)
        })
    })
    .await?;
    Ok(Json(Done {
        status: "success",
        message,
    }))
}

/// Move an effect to a free slot.
#[utoipa::path(post, path = "/api/compositions/{id}/effects/{effect_id}/move", tag = "effects", request_body = MoveEffect,
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("effect_id" = sonic_model::Id, Path, description = "Effect id")),
    responses((status = 200, body = EffectInstance), (status = "default", body = ErrorBody)))]
async fn move_effect(
    State(state): State<SharedState>,
    Path((raw, raw_effect)): Path<(String, String)>,
    Json(body): Json<MoveEffect>,
) -> ApiResult<Json<EffectInstance>> {
    let (cid, eid) = (id(&raw)?, id(&raw_effect)?);
    in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Settings, |c| {
            effects::move_effect(c, &eid, body.new_slot_index)?;
            Ok(effects::effect(c, &eid)?.clone())
        })
    })
    .await
    .map(Json)
}
