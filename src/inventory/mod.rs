//! Inventory sync: what each channel is told it may sell.
//!
//! - `ats`: available-to-sell per channel, the sum over the locations that serve the channel
//!   and then the channel's buffer rules per SKU pattern (`[[channels.buffers]]` in the config).
//!   Plain data and pure functions.

pub mod ats;

pub use ats::{available_to_sell, channel_ats, serves, Buffer, BufferRule, ChannelBuffers};

#[cfg(test)]
mod tests;
