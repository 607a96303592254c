//! The `/` filter. Parsing and matching moved below the console (src/client/filter.rs and
//! src/client/matcher.rs) so that the engine answers a filtered page itself, in-process and
//! over the socket alike; this re-export keeps the console's imports as they were.

pub use crate::client::filter::Filter;
