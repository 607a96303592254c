//! The console socket's protocol, shared by `ordo serve` (src/engine/socket.rs) and the remote
//! client (remote.rs).
//!
//! **Frames:** a 4-byte big-endian length, then that many bytes (tokio-util's
//! `LengthDelimitedCodec` reads them; [`write_frame`] writes the same format). Requests are
//! limited to [`MAX_REQUEST_FRAME`], answers to [`MAX_ANSWER_FRAME`].
//!
//! **Body: JSON.** Postcard is smaller (an order takes about 450 bytes against 1.1 kB), but it
//! is positional and not self-describing: a console and a server whose types differ by one
//! field would read garbage or fail with "unexpected end of input", where JSON names the field.
//! The handshake in particular must stay readable by every version to say "wrong version"
//! clearly; JSON also lets an operator debug the socket with `socat` and a hex dump, and the
//! console's refreshes are a page of rows (tens of kB) at most every 50 ms.
//!
//! **Conversation:** the client sends `{"hello": {"protocol": 3, "ordo": "0.1.0", "subscribe":
//! true}}`; the server answers `{"welcome": {...}}` or `{"refused": "why"}` and closes. Then
//! requests `{"id": 7, "call": {...}}` are answered by `{"answer": {"id": 7, "result": {"Ok":
//! ...}}}`, in any order (each request is served concurrently); committed changes arrive as
//! `{"changes": {"events": [...]}}`, and `{"resync": {"missed": n}}` when the connection fell
//! behind and changes were dropped (read everything again). A frame the server cannot read is
//! answered `{"error": {"message": "..."}}` and the connection is closed.

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio_util::codec::LengthDelimitedCodec;

use super::{
    ChannelControl, Counters, LocationCount, OrderDetail, OrderQuery, Page, StockQuery, StockRow,
};
use crate::ledger::{Command, LedgerError, Outcome, RulesStatus};
use crate::model::{
    ChannelHealth, Event, Location, Order, OrderId, OrderStatus, QuarantineId, Quarantined,
};
use crate::store::StoreError;

/// Bumped on any change of the messages below: both sides insist on the same number.
/// 2: an orders query carries the filter's words, SKU globs and age bounds (matched by the
/// server, which sends the page alone), and a page may say the scan was capped. A protocol-1
/// server would ignore the words and answer unfiltered orders, hence the bump.
/// 3: `location_counts` (the Queues pane's per-location counts), which a protocol-2 server
/// cannot read (it would close the connection); and a stock read carries the Inventory
/// pane's filter ([`super::StockQuery`]), which a protocol-2 server would ignore (every record).
pub const PROTOCOL: u32 = 3;
pub const ORDO_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What a console sends is small (a command, a query); anything bigger is not a console.
pub const MAX_REQUEST_FRAME: usize = 4 << 20;
/// The largest answer. The console asks for a window of rows (its filter is matched by the
/// server since protocol 2), but a script may ask for 20,000 orders at once (about 27 MB of
/// JSON); an answer over this is refused by the server with an error instead.
pub const MAX_ANSWER_FRAME: usize = 128 << 20;

/// The frame reader for a side that accepts frames up to `max` bytes.
pub fn codec(max: usize) -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .length_field_length(4)
        .big_endian()
        .max_frame_length(max)
        .new_codec()
}

/// Writes one frame (in one write, so frames from one writer never interleave).
pub async fn write_frame<W: AsyncWrite + Unpin>(w: &mut W, body: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(body.len())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "frame over 4 GiB"))?;
    let mut buf = Vec::with_capacity(4 + body.len());
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(body);
    w.write_all(&buf).await?;
    w.flush().await
}

/// JSON of a message; the wire types hold no maps with non-string keys and no floats that are
/// not finite (non-finite ones become `null`), so this cannot fail in practice: an error is
/// still reported, never a panic.
pub fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    serde_json::to_vec(value).map_err(|e| format!("cannot encode a message: {e}"))
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    pub ordo: String,
    /// Push committed changes to this connection.
    #[serde(default)]
    pub subscribe: bool,
}

/// The first frame a client sends: `{"hello": {...}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HelloFrame {
    pub hello: Hello,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Welcome {
    pub protocol: u32,
    pub ordo: String,
    /// The server's data dir, for messages.
    pub store: String,
    pub locations: Vec<Location>,
}

/// The server's answer to a hello. Its shape never changes, so that every version can read
/// the refusal of every other.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelloAnswer {
    Welcome(Welcome),
    Refused(String),
}

/// The end of a protocol mismatch message. Two builds of one version number can speak
/// different protocols (the number moves at releases, the protocol with the code), and "run
/// the same version" would then read as nonsense.
fn same_build_advice(theirs: &str) -> &'static str {
    if theirs == ORDO_VERSION {
        "both sides are ordo of the same version number but different builds: run the same ordo build on both sides"
    } else {
        "run the same ordo version on both sides"
    }
}

/// The server's check of a client's first frame: the hello, or why it is refused. Read
/// loosely (any JSON object with `hello.protocol`) so that any version's hello gets a clear
/// answer.
pub fn check_hello(frame: &[u8]) -> Result<Hello, String> {
    let not_hello = || {
        "not an ordo console: the first frame must be {\"hello\": {\"protocol\": N, \"ordo\": VERSION}}"
            .to_string()
    };
    let value: serde_json::Value = serde_json::from_slice(frame).map_err(|_| not_hello())?;
    let hello = value.get("hello").ok_or_else(not_hello)?;
    let protocol = hello
        .get("protocol")
        .and_then(|p| p.as_u64())
        .ok_or_else(not_hello)?;
    let theirs = hello
        .get("ordo")
        .and_then(|v| v.as_str())
        .unwrap_or("unknown");
    if protocol != u64::from(PROTOCOL) {
        return Err(format!(
            "protocol mismatch: this ordo serve (ordo {ORDO_VERSION}) speaks console protocol {PROTOCOL}, the console (ordo {theirs}) speaks protocol {protocol}; {}",
            same_build_advice(theirs)
        ));
    }
    serde_json::from_value(hello.clone()).map_err(|e| format!("a malformed hello: {e}"))
}

/// The client's reading of the server's answer to its hello: the welcome, or why not.
pub fn check_welcome(frame: &[u8], socket: &str) -> Result<Welcome, String> {
    let not_ordo = || format!("{socket} did not answer as an ordo serve (no welcome)");
    let value: serde_json::Value = serde_json::from_slice(frame).map_err(|_| not_ordo())?;
    if let Some(why) = value.get("refused") {
        return Err(format!(
            "ordo serve at {socket} refused the connection: {}",
            why.as_str().unwrap_or("no reason given")
        ));
    }
    let welcome = value.get("welcome").ok_or_else(not_ordo)?;
    let protocol = welcome.get("protocol").and_then(|p| p.as_u64());
    if protocol != Some(u64::from(PROTOCOL)) {
        let theirs = welcome
            .get("ordo")
            .and_then(|v| v.as_str())
            .unwrap_or("unknown");
        return Err(format!(
            "protocol mismatch: ordo serve at {socket} (ordo {theirs}) speaks console protocol {}, this console (ordo {ORDO_VERSION}) speaks protocol {PROTOCOL}; {}",
            protocol.map_or("unknown".to_string(), |p| p.to_string()),
            same_build_advice(theirs)
        ));
    }
    serde_json::from_value(welcome.clone())
        .map_err(|e| format!("a malformed welcome from {socket}: {e}"))
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    pub call: Call,
}

/// Everything [`super::Client`] asks of an engine.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    Orders {
        query: OrderQuery,
        offset: usize,
        limit: usize,
    },
    Order {
        id: OrderId,
    },
    Counters,
    Stock {
        #[serde(default)]
        query: StockQuery,
        offset: usize,
        limit: usize,
    },
    AvailableToSell {
        skus: Vec<String>,
    },
    Channels,
    ControlChannel {
        id: String,
        control: ChannelControl,
    },
    RecentEvents {
        limit: usize,
    },
    Quarantined,
    Quarantine {
        id: QuarantineId,
    },
    Rules,
    Submit {
        command: Command,
    },
    /// Protocol 3.
    LocationCounts {
        locations: Vec<String>,
        bound: usize,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Orders(Page<Order>),
    Order(Option<Box<OrderDetail>>),
    Counters(Counters),
    Stock(Page<StockRow>),
    AvailableToSell(Vec<(String, String, i64)>),
    Channels(Vec<ChannelHealth>),
    Done,
    Events(Vec<Event>),
    Quarantined(Vec<Quarantined>),
    Quarantine(Option<Quarantined>),
    Rules(RulesStatus),
    Outcome(Outcome),
    LocationCounts(Vec<LocationCount>),
}

impl Answer {
    /// For messages about an answer of the wrong kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Answer::Orders(_) => "orders",
            Answer::Order(_) => "order",
            Answer::Counters(_) => "counters",
            Answer::Stock(_) => "stock",
            Answer::AvailableToSell(_) => "available_to_sell",
            Answer::Channels(_) => "channels",
            Answer::Done => "done",
            Answer::Events(_) => "events",
            Answer::Quarantined(_) => "quarantined",
            Answer::Quarantine(_) => "quarantine",
            Answer::Rules(_) => "rules",
            Answer::Outcome(_) => "outcome",
            Answer::LocationCounts(_) => "location_counts",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerMsg {
    Answer {
        id: u64,
        result: Result<Answer, WireError>,
    },
    Changes {
        events: Vec<Event>,
    },
    Resync {
        missed: u64,
    },
    Error {
        message: String,
    },
}

/// [`ServerMsg::Changes`] serialized from a borrowed batch (the same JSON, no copy).
#[derive(Serialize)]
#[serde(rename = "ServerMsg", rename_all = "snake_case")]
pub enum ChangesOut<'a> {
    Changes { events: &'a [Event] },
}

/// An error as it crosses the socket: the ledger's refusals keep their kind (the console words
/// them), everything else is its message.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireError {
    Store(String),
    Ledger(WireLedgerError),
    Channel(String),
    /// Never sent: the connection failed, on the client's side.
    Connection(String),
}

impl WireError {
    pub fn message(&self) -> String {
        match self {
            WireError::Store(m) | WireError::Channel(m) | WireError::Connection(m) => m.clone(),
            WireError::Ledger(e) => LedgerError::from(e.clone()).to_string(),
        }
    }
}

impl From<WireError> for StoreError {
    fn from(e: WireError) -> StoreError {
        StoreError::Remote(e.message())
    }
}

impl From<WireError> for LedgerError {
    fn from(e: WireError) -> LedgerError {
        match e {
            WireError::Ledger(e) => e.into(),
            other => LedgerError::Store(StoreError::Remote(other.message())),
        }
    }
}

/// [`LedgerError`] on the wire: the same variants, a store error as its message.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireLedgerError {
    NoSuchOrder(OrderId),
    UnknownLocation {
        location: String,
        known: String,
    },
    NotAllowed {
        id: OrderId,
        status: OrderStatus,
        why: String,
    },
    Invalid(String),
    Store(String),
    NotSaved(String),
    Stopped,
}

impl From<&LedgerError> for WireLedgerError {
    fn from(e: &LedgerError) -> WireLedgerError {
        match e {
            LedgerError::NoSuchOrder(id) => WireLedgerError::NoSuchOrder(*id),
            LedgerError::UnknownLocation { location, known } => WireLedgerError::UnknownLocation {
                location: location.clone(),
                known: known.clone(),
            },
            LedgerError::NotAllowed { id, status, why } => WireLedgerError::NotAllowed {
                id: *id,
                status: *status,
                why: why.clone(),
            },
            LedgerError::Invalid(m) => WireLedgerError::Invalid(m.clone()),
            LedgerError::Store(e) => WireLedgerError::Store(e.to_string()),
            LedgerError::NotSaved(m) => WireLedgerError::NotSaved(m.clone()),
            LedgerError::Stopped => WireLedgerError::Stopped,
        }
    }
}

impl From<WireLedgerError> for LedgerError {
    fn from(e: WireLedgerError) -> LedgerError {
        match e {
            WireLedgerError::NoSuchOrder(id) => LedgerError::NoSuchOrder(id),
            WireLedgerError::UnknownLocation { location, known } => {
                LedgerError::UnknownLocation { location, known }
            }
            WireLedgerError::NotAllowed { id, status, why } => {
                LedgerError::NotAllowed { id, status, why }
            }
            WireLedgerError::Invalid(m) => LedgerError::Invalid(m),
            WireLedgerError::Store(m) => LedgerError::Store(StoreError::Remote(m)),
            WireLedgerError::NotSaved(m) => LedgerError::NotSaved(m),
            WireLedgerError::Stopped => LedgerError::Stopped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hello_of_another_protocol_is_refused_with_both_versions() {
        let frame = br#"{"hello": {"protocol": 99, "ordo": "9.9.9"}}"#;
        let why = check_hello(frame).unwrap_err();
        assert!(why.contains("protocol mismatch"), "{why}");
        assert!(why.contains("9.9.9") && why.contains(ORDO_VERSION), "{why}");
        assert!(check_hello(b"{\"hi\": 1}")
            .unwrap_err()
            .contains("not an ordo console"));
        assert!(check_hello(b"\xff\x00")
            .unwrap_err()
            .contains("not an ordo console"));
        let ok = format!(r#"{{"hello": {{"protocol": {PROTOCOL}, "ordo": "x"}}}}"#);
        assert!(!check_hello(ok.as_bytes()).unwrap().subscribe);
    }

    #[test]
    fn a_welcome_of_another_protocol_and_a_refusal_are_told_apart() {
        let refused = to_json(&HelloAnswer::Refused("busy".into())).unwrap();
        let why = check_welcome(&refused, "S").unwrap_err();
        assert!(why.contains("refused the connection: busy"), "{why}");
        let newer =
            br#"{"welcome": {"protocol": 99, "ordo": "0.2.0", "store": "", "locations": []}}"#;
        let why = check_welcome(newer, "S").unwrap_err();
        assert!(
            why.contains("protocol mismatch") && why.contains("0.2.0"),
            "{why}"
        );
        assert!(check_welcome(b"HTTP/1.1 200", "S")
            .unwrap_err()
            .contains("did not answer as an ordo serve"));
    }

    #[test]
    fn a_mismatch_between_builds_of_one_version_says_so() {
        let old = format!(r#"{{"hello": {{"protocol": 1, "ordo": "{ORDO_VERSION}"}}}}"#);
        let why = check_hello(old.as_bytes()).unwrap_err();
        assert!(
            why.contains("protocol mismatch") && why.contains("different builds"),
            "{why}"
        );
        let welcome = format!(
            r#"{{"welcome": {{"protocol": 1, "ordo": "{ORDO_VERSION}", "store": "", "locations": []}}}}"#
        );
        let why = check_welcome(welcome.as_bytes(), "S").unwrap_err();
        assert!(why.contains("different builds"), "{why}");
    }

    #[test]
    fn an_orders_call_carries_the_whole_filter_and_a_page_its_cap() {
        let query =
            super::super::filter::Filter::parse("ada sku:TEE-* age:>2h age:<1d st:held").query;
        let json = to_json(&Request {
            id: 1,
            call: Call::Orders {
                query: query.clone(),
                offset: 3,
                limit: 50,
            },
        })
        .unwrap();
        let back: Request = serde_json::from_slice(&json).unwrap();
        let Call::Orders {
            query: got,
            offset,
            limit,
        } = back.call
        else {
            panic!("not an orders call: {back:?}");
        };
        assert_eq!((got, offset, limit), (query, 3, 50));
        let page: Page<Order> = Page {
            rows: vec![],
            more: false,
            capped: Some(20_000),
        };
        let back: Page<Order> = serde_json::from_slice(&to_json(&page).unwrap()).unwrap();
        assert_eq!(back.capped, Some(20_000));
    }

    #[test]
    fn ledger_refusals_keep_their_kind_across_the_wire() {
        let e = LedgerError::NotAllowed {
            id: 7,
            status: OrderStatus::Shipped,
            why: "already shipped".into(),
        };
        let json = to_json(&WireError::Ledger((&e).into())).unwrap();
        let back: WireError = serde_json::from_slice(&json).unwrap();
        let back = LedgerError::from(back);
        assert!(back.is_user_error());
        assert_eq!(back.to_string(), e.to_string());
        let store = LedgerError::Store(StoreError::Corrupt {
            key: "order 1".into(),
            why: "bad".into(),
        });
        let back = LedgerError::from(WireError::Ledger((&store).into()));
        assert_eq!(back.to_string(), store.to_string());
    }
}
