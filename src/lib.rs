//! ordo: a multichannel order management system. See DESIGN.md's module map: `model` at the
//! bottom, `routing` (pure), `store` and `ledger` (the single writer), `engine` wiring them, and
//! the command line on top.

pub mod channels;
pub mod cli;
pub mod client;
pub mod config;
pub mod console;
pub mod engine;
pub mod inventory;
pub mod ledger;
pub mod model;
pub mod routing;
pub mod sim;
pub mod store;
#[cfg(test)]
mod test_support;
pub mod whatif;
