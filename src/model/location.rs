use serde::{Deserialize, Serialize};

/// Where stock sits and orders can be fulfilled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    Warehouse,
    Store,
    Dropship,
}

impl LocationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LocationKind::Warehouse => "warehouse",
            LocationKind::Store => "store",
            LocationKind::Dropship => "dropship",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub id: String,
    pub name: String,
    pub kind: LocationKind,
    /// 1 is the most preferred; `None` ranks after every location that has one.
    pub priority: Option<u32>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub tags: Vec<String>,
    /// Channels this location may serve; empty means every channel.
    pub channels: Vec<String>,
    /// Orders per local day; `None` is unlimited.
    pub daily_capacity: Option<u32>,
}

impl Location {
    pub fn serves(&self, channel: &str) -> bool {
        self.channels.is_empty() || self.channels.iter().any(|c| c == channel)
    }
}
