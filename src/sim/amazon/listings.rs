//! `patchListingsItem`: `PATCH /listings/2021-08-01/items/{sellerId}/{sku}?marketplaceIds=...`
//! (spec §3.7, edge case 24). The simulator takes what ordo sends, a `merge` of
//! `/attributes/fulfillment_availability` with a non-empty `fulfillment_channel_code`, and sets
//! the shop's stock of the SKU to its `DEFAULT` (merchant-fulfilled) quantity; anything else
//! about the attribute is answered 200 `INVALID` with issues, as Amazon answers a patch that
//! passes the request schema but not the product's. A SKU without a listing is 404 with
//! Amazon's error JSON. `mode=VALIDATION_PREVIEW` checks without setting anything (`VALID`).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

use super::lwa::authorized;
use super::{
    errors, fault_answer, fnv, invalid, json_answer, pairs, quota_exceeded, unauthorized,
    with_rate, Sim,
};
use crate::sim::channel::intent_at_ms;
use axum::response::Response;

/// The attribute the simulator reads quantities from.
const FULFILLMENT_AVAILABILITY: &str = "/attributes/fulfillment_availability";

pub(super) async fn patch_listing(
    State(sim): State<Arc<Sim>>,
    Path((seller_id, sku)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let rate = sim.settings.listings_rate;
    let fault = sim.shop.faults.next().await;
    if let Some(spoiled) = fault_answer(&sim, fault, rate) {
        return spoiled;
    }
    if !authorized(&sim, &headers) {
        return unauthorized(&sim);
    }
    if !sim.listings_bucket.take() {
        sim.throttled.fetch_add(1, Ordering::Relaxed);
        return quota_exceeded(rate);
    }
    let answer = |r: Response| with_rate(r, rate);
    if seller_id != sim.settings.seller_id {
        return answer(errors(
            StatusCode::FORBIDDEN,
            "Unauthorized",
            "Access to requested resource is denied.",
        ));
    }
    let q = pairs(query.as_deref().unwrap_or(""));
    let marketplaces: Vec<&str> = q
        .iter()
        .filter(|(k, _)| k == "marketplaceIds")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect();
    if marketplaces.is_empty() {
        return answer(invalid("Missing required parameter: marketplaceIds."));
    }
    if let Some(other) = marketplaces
        .iter()
        .find(|m| **m != sim.settings.marketplace_id)
    {
        return answer(invalid(&format!(
            "Invalid marketplaceIds: the seller does not sell in marketplace {other}."
        )));
    }
    let preview = q
        .iter()
        .any(|(k, v)| k == "mode" && v == "VALIDATION_PREVIEW");
    if !sim.listed(&sku) {
        return answer(errors(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!(
                "SKU '{sku}' not found in marketplace {}",
                sim.settings.marketplace_id
            ),
        ));
    }
    let body: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return answer(invalid(&format!("The request body is not valid JSON: {e}"))),
    };
    let quantity = match check(&body) {
        Ok(q) => q,
        Err(Refusal::Schema(message)) => return answer(invalid(&message)),
        Err(Refusal::Issues(issues)) => {
            sim.listings_invalid.fetch_add(1, Ordering::Relaxed);
            return submission(&sim, &sku, "INVALID", issues, fault, rate);
        }
    };
    if preview {
        sim.listings_accepted.fetch_add(1, Ordering::Relaxed);
        return submission(&sim, &sku, "VALID", Vec::new(), fault, rate);
    }
    sim.shop
        .stock
        .apply_push(&sku, quantity, intent_at_ms(&headers));
    sim.listings_accepted.fetch_add(1, Ordering::Relaxed);
    submission(&sim, &sku, "ACCEPTED", Vec::new(), fault, rate)
}

fn submission(
    sim: &Sim,
    sku: &str,
    status: &str,
    issues: Vec<Value>,
    fault: Option<crate::sim::channel::Fault>,
    rate: f64,
) -> Response {
    let n = sim.next_seq();
    let id = format!("{:016x}{:016x}", fnv(sku.as_bytes()), fnv(&n.to_be_bytes()));
    let body = json!({"sku": sku, "status": status, "submissionId": id, "issues": issues});
    json_answer(body.to_string(), fault, rate)
}

/// Why a patch is refused: a request that breaks the API's schema (400), or a patch the
/// listing cannot take (200 `INVALID` with these issues).
#[derive(Debug, PartialEq)]
enum Refusal {
    Schema(String),
    Issues(Vec<Value>),
}

fn issue(code: &str, message: &str) -> Value {
    json!({"code": code, "message": message, "severity": "ERROR",
        "attributeNames": ["fulfillment_availability"]})
}

/// The `DEFAULT` quantity a patch sets, or why it is refused.
fn check(body: &Value) -> Result<i64, Refusal> {
    let schema = |m: &str| Err(Refusal::Schema(m.to_string()));
    let Some(product_type) = body.get("productType").and_then(Value::as_str) else {
        return schema("productType is required.");
    };
    if product_type.trim().is_empty() {
        return schema("productType must not be empty.");
    }
    let Some(patches) = body.get("patches").and_then(Value::as_array) else {
        return schema("patches is required and must be an array.");
    };
    if patches.is_empty() {
        return schema("patches must contain at least one patch.");
    }
    for p in patches {
        match p.get("op").and_then(Value::as_str) {
            Some("add" | "replace" | "merge" | "delete") => {}
            _ => return schema("Each patch needs an op: add, replace, merge or delete."),
        }
        if p.get("path").and_then(Value::as_str).is_none() {
            return schema("Each patch needs a path.");
        }
    }
    let on_availability: Vec<&Value> = patches
        .iter()
        .filter(|p| p["path"] == FULFILLMENT_AVAILABILITY)
        .collect();
    let Some(merge) = on_availability.iter().find(|p| p["op"] == "merge") else {
        return Err(Refusal::Issues(vec![issue(
            "90000900",
            "This listing's quantity is only updated by a merge of \
             /attributes/fulfillment_availability.",
        )]));
    };
    let Some(values) = merge.get("value").and_then(Value::as_array) else {
        return Err(Refusal::Issues(vec![issue(
            "90220",
            "'fulfillment_availability' needs a value: a list of fulfillment channels.",
        )]));
    };
    let mut issues = Vec::new();
    let mut quantity = None;
    for v in values {
        let code = v
            .get("fulfillment_channel_code")
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("");
        if code.is_empty() {
            issues.push(issue(
                "90220",
                "'fulfillment_channel_code' is required but not supplied: a merge selects \
                 the entry to update by it.",
            ));
            continue;
        }
        if code != "DEFAULT" {
            issues.push(issue(
                "4000005",
                &format!(
                    "fulfillment_channel_code '{code}' is not a channel of this seller's \
                     merchant-fulfilled offer (use DEFAULT)."
                ),
            ));
            continue;
        }
        match v.get("quantity").and_then(Value::as_i64) {
            Some(q) if q >= 0 => quantity = Some(q),
            _ => issues.push(issue(
                "90244",
                "'quantity' must be a whole number of at least 0.",
            )),
        }
    }
    match quantity {
        Some(q) if issues.is_empty() => Ok(q),
        _ if !issues.is_empty() => Err(Refusal::Issues(issues)),
        _ => Err(Refusal::Issues(vec![issue(
            "90220",
            "'fulfillment_availability' has no DEFAULT entry with a quantity.",
        )])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(op: &str, code: &str, quantity: Value) -> Value {
        json!({"productType": "PRODUCT", "patches": [{"op": op,
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": code, "quantity": quantity}]}]})
    }

    #[test]
    fn a_merge_of_the_default_quantity_is_taken() {
        assert_eq!(check(&body("merge", "DEFAULT", json!(7))), Ok(7));
        assert_eq!(check(&body("merge", "DEFAULT", json!(0))), Ok(0));
    }

    #[test]
    fn other_patches_are_invalid_with_issues() {
        for bad in [
            body("replace", "DEFAULT", json!(7)),
            body("merge", "", json!(7)),
            body("merge", "  ", json!(7)),
            body("merge", "AMAZON_NA", json!(7)),
            body("merge", "DEFAULT", json!(-1)),
            body("merge", "DEFAULT", json!("7")),
        ] {
            match check(&bad) {
                Err(Refusal::Issues(issues)) => assert!(!issues.is_empty()),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_body_outside_the_schema_is_a_bad_request() {
        for bad in [
            json!({}),
            json!({"productType": "PRODUCT"}),
            json!({"productType": "PRODUCT", "patches": []}),
            json!({"productType": "PRODUCT", "patches": [{"op": "upsert", "path": "/x"}]}),
        ] {
            assert!(matches!(check(&bad), Err(Refusal::Schema(_))), "{bad}");
        }
    }
}
