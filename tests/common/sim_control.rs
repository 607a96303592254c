//! The simulators' control routes as the channel tests use them: `POST /_sim/faults` and
//! `GET /_sim/stats`, the same on every simulated shop.
//!
//! Included by path (`#[path = "common/sim_control.rs"] mod sim_control;`).
#![allow(dead_code)]

use ordo::sim::channel::FaultPlan;

/// `POST /_sim/faults`: the simulator at `base` answers its next requests with `plan`'s faults.
pub async fn set_faults(base: &str, plan: FaultPlan) {
    let r = reqwest::Client::new()
        .post(format!("{base}/_sim/faults"))
        .json(&plan)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// `GET /_sim/stats` of the simulator at `base` (a `serde_json::Value`, or the shop's own
/// stats type).
pub async fn stats<T: serde::de::DeserializeOwned>(base: &str) -> T {
    reqwest::get(format!("{base}/_sim/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
