//! Record encoding: one format-version byte, then JSON. JSON keeps records readable in an
//! export and tolerant of added fields; the version byte lets a later format be told apart.

use serde::{de::DeserializeOwned, Serialize};

use super::StoreError;

pub const FORMAT_VERSION: u8 = 1;

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.push(FORMAT_VERSION);
    // Serializing plain model types into a Vec cannot fail: no maps with non-string keys, no
    // custom serializers that error.
    serde_json::to_writer(&mut out, value).expect("model types always serialize");
    out
}

pub fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
    let corrupt = |why: String| StoreError::Corrupt {
        key: super::describe_key(key),
        why,
    };
    match bytes.split_first() {
        Some((&FORMAT_VERSION, body)) => {
            serde_json::from_slice(body).map_err(|e| corrupt(e.to_string()))
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
