//! Record encoding: one format-version byte, then postcard (compact and positional: an order of
//! about 1.1 kB in JSON takes about 450 bytes, and sled's write cost grows with bytes). Exports
//! and the client API use JSON; the version byte lets a later record format be told apart.

use serde::{de::DeserializeOwned, Serialize};

use super::StoreError;

/// 2: order lines carry the channel's line id.
pub const FORMAT_VERSION: u8 = 2;

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.push(FORMAT_VERSION);
    // Serializing plain model types into a Vec cannot fail: postcard only errors on types it
    // cannot express (checked by the model's rules above) or on a full fixed buffer.
    postcard::to_io(value, &mut out).expect("model types always serialize");
    out
}

pub fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
    let corrupt = |why: String| StoreError::Corrupt {
        key: super::describe_key(key),
        why,
    };
    match bytes.split_first() {
        Some((&FORMAT_VERSION, body)) => {
            postcard::from_bytes(body).map_err(|e| corrupt(e.to_string()))
        }
        Some((v, _)) => Err(corrupt(format!(
            "record format version {v}; this ordo reads version {FORMAT_VERSION}"
        ))),
        None => Err(corrupt("empty record".into())),
    }
}

pub fn encode_u64(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

pub fn decode_u64(key: &[u8], bytes: &[u8]) -> Result<u64, StoreError> {
    let arr: [u8; 8] = bytes.try_into().map_err(|_| StoreError::Corrupt {
        key: super::describe_key(key),
        why: format!("expected an 8-byte number, found {} bytes", bytes.len()),
    })?;
    Ok(u64::from_be_bytes(arr))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use chrono::TimeZone;

    fn order() -> Order {
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 11, 28, 9, 30, 0)
            .unwrap();
        let co = ChannelOrder {
            channel: "shopify".into(),
            external_id: "450789469".into(),
            number: "#1001".into(),
            created_at: at,
            updated_at: at,
            cancelled: false,
            financial_status: FinancialStatus::PartiallyRefunded,
            customer: Customer {
                name: Some("Ada".into()),
                email: None,
                phone: Some("+1 555".into()),
            },
            ship_to: Some(Address {
                country: "US".into(),
                lat: Some(40.7),
                ..Address::default()
            }),
            ship_method: "pickup".into(),
            pickup_location: Some("store-nyc".into()),
            lines: vec![Line {
                line: 1,
                sku: "TEE".into(),
                title: None,
                quantity: 2,
                unit_price: "19.99".parse().unwrap(),
                channel_line_id: None,
            }],
            totals: Totals {
                total: "39.98".parse().unwrap(),
                ..Totals::default()
            },
            currency: "USD".into(),
            tags: vec!["vip".into()],
        };
        let mut o = Order::new(7, at, co);
        o.allocations.push(Allocation {
            line: 1,
            sku: "TEE".into(),
            location: "store-nyc".into(),
            qty: 1,
        });
        o.hold_reason = Some("fraud".into());
        o.history = vec![1, 2];
        o.refresh_status();
        o
    }

    #[test]
    fn every_stored_type_round_trips_and_orders_are_compact() {
        let o = order();
        let bytes = encode(&o);
        assert_eq!(decode::<Order>(b"o", &bytes).unwrap(), o);
        let json = serde_json::to_vec(&o).unwrap();
        assert!(
            bytes.len() * 2 < json.len(),
            "{} vs {}",
            bytes.len(),
            json.len()
        );

        let events: Vec<Event> = [
            EventKind::OrderReceived {
                status: OrderStatus::New,
            },
            EventKind::Allocated {
                allocations: o.allocations.clone(),
            },
            EventKind::Held,
            EventKind::StockSet {
                sku: "TEE".into(),
                location: "wh".into(),
                from: 1,
                to: 2,
            },
            EventKind::Quarantined { quarantine_id: 3 },
        ]
        .into_iter()
        .enumerate()
        .map(|(i, kind)| Event {
            seq: i as u64 + 1,
            at: o.received_at,
            actor: [
                Actor::Channel("web".into()),
                Actor::Operator("dana".into()),
                Actor::System,
            ][i % 3]
                .clone(),
            order_id: Some(7).filter(|_| i % 2 == 0),
            kind,
            why: "because".into(),
        })
        .collect();
        assert_eq!(
            decode::<Vec<Event>>(b"e", &encode(&events)).unwrap(),
            events
        );

        let q = Quarantined {
            id: 1,
            received_at: o.received_at,
            source: "file:x:1".into(),
            format: "ordo".into(),
            raw: "{not json".into(),
            reason: "bad".into(),
            resolved_as: Some(3),
        };
        assert_eq!(decode::<Quarantined>(b"z", &encode(&q)).unwrap(), q);
    }

    #[test]
    fn a_damaged_or_foreign_record_is_an_error_naming_the_key() {
        let mut bytes = encode(&order());
        bytes.truncate(bytes.len() / 2);
        let err = decode::<Order>(&[b'o', 0, 0, 0, 0, 0, 0, 0, 7], &bytes).unwrap_err();
        assert!(err.to_string().contains("order 7"), "{err}");
        let err = decode::<Order>(b"o", &[9, 1, 2]).unwrap_err();
        assert!(err.to_string().contains("format version 9"), "{err}");
    }
}
