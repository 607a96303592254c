use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How far a channel's orders have been taken in, written in the same commit as the orders it
/// covers (invariant 1), so a restart never skips an order that was not stored.
///
/// A poll is a *sweep*: the window from `watermark - overlap` to now, page by page. The
/// watermark moves only when a sweep ends, to the latest change the sweep saw: channels do not
/// all return pages in change order, so a page's latest change says nothing of later pages.
/// While a sweep runs, `sweep` holds its next page token, so a restart can continue it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelCursor {
    /// Every change up to this time has been committed.
    pub watermark: Option<DateTime<Utc>>,
    pub sweep: Option<Sweep>,
    /// When the last sweep ended, ordo's clock.
    pub last_sweep_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// Where the sweep's window started (watermark less the overlap).
    pub from: DateTime<Utc>,
    /// The channel's token for the next page, as it gave it.
    pub next: String,
    /// The latest change committed by this sweep so far.
    pub latest_change: Option<DateTime<Utc>>,
    /// Pages committed in this sweep.
    pub pages: u32,
}
