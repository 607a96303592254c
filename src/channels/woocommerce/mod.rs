//! STUB: to be written (connector for woocommerce).

use futures_util::future::BoxFuture;

use super::{
    Channel, ChannelConfig, ChannelError, ChannelKind, EnvLookup, MapContext, Mapped, Page,
    PageRequest,
};
use crate::model::ChannelOrder;

/// Quarantine format names this module can map again.
pub const FORMATS: &[&str] = &["woocommerce-order"];

pub fn map_stored(_format: &str, _raw: &str, _ctx: &MapContext) -> Result<ChannelOrder, String> {
    Err("not implemented".into())
}

pub fn map_saved(_files: &[(String, Vec<u8>)], _ctx: &MapContext) -> Result<Vec<Mapped>, String> {
    Err("not implemented".into())
}

pub struct WooChannel {
    id: String,
}

impl WooChannel {
    pub fn new(config: &ChannelConfig, _env: EnvLookup<'_>) -> Result<WooChannel, String> {
        Ok(WooChannel {
            id: config.id.clone(),
        })
    }
}

impl Channel for WooChannel {
    fn id(&self) -> &str {
        &self.id
    }
    fn kind(&self) -> ChannelKind {
        ChannelKind::Woocommerce
    }
    fn fetch_page(&self, _request: PageRequest) -> BoxFuture<'_, Result<Page, ChannelError>> {
        Box::pin(async {
            Err(ChannelError::Rejected {
                what: "stub".into(),
                detail: "not implemented".into(),
            })
        })
    }
}
