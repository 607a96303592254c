//! `ordo sim`: the channel simulators alone on loopback.

use anyhow::Result;
use clap::Args;

#[derive(Args, Debug)]
pub struct SimArgs {
    /// First port: Shopify on P, WooCommerce on P+1, Amazon on P+2 (0 picks free ports).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
}

pub fn run(_args: SimArgs) -> Result<()> {
    anyhow::bail!("not yet")
}
