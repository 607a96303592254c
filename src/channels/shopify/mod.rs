//! STUB: to be written (connector for shopify).

use futures_util::future::BoxFuture;

use super::{
    Channel, ChannelConfig, ChannelError, ChannelKind, EnvLookup, MapContext, Mapped, Page,
    PageRequest,
};
use crate::model::ChannelOrder;

/// Quarantine format names this module can map again.
pub const FORMATS: &[&str] = &["shopify-order"];

pub fn map_stored(_format: &str, _raw: &str, _ctx: &MapContext) -> Result<ChannelOrder, String> {
    Err("not implemented".into())
}

pub fn map_saved(_files: &[(String, Vec<u8>)], _ctx: &MapContext) -> Result<Vec<Mapped>, String> {
    Err("not implemented".into())
}

pub struct ShopifyChannel {
    id: String,
}

impl ShopifyChannel {
    pub fn new(config: &ChannelConfig, _env: EnvLookup<'_>) -> Result<ShopifyChannel, String> {
        Ok(ShopifyChannel {
            id: config.id.clone(),
        })
    }
}

impl Channel for ShopifyChannel {
    fn id(&self) -> &str {
        &self.id
    }
    fn kind(&self) -> ChannelKind {
        ChannelKind::Shopify
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
