//! Where orders come from. Each source maps its payloads into [`crate::model::ChannelOrder`];
//! a payload that cannot be mapped is handed to the ledger's quarantine with the reason.

pub mod ordo_format;
