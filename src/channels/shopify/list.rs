//! Splitting a saved or fetched list answer (`{"orders":[...]}`) into the exact text of each
//! order, so that the quarantine keeps what the shop sent, byte for byte (invariant 8): the
//! values are read by serde_json itself, only their boundaries are taken from here.

use serde::de::IgnoredAny;

/// The text of each element of the top-level `"orders"` array of a list answer, exactly as
/// it came (the quarantine keeps it raw). Err when the body is not `{"orders":[...]}`.
pub fn order_elements(body: &[u8]) -> Result<Vec<&str>, String> {
    let mut p = Scanner { body, pos: 0 };
    p.expect(b'{')?;
    let mut found = None;
    loop {
        match p.peek() {
            Some(b'}') => break,
            Some(b'"') => {}
            _ => return Err(p.unexpected("a key")),
        }
        let key: String = p.value()?;
        p.expect(b':')?;
        if key == "orders" {
            found = Some(p.array()?);
        } else {
            p.value::<IgnoredAny>()?;
        }
        match p.peek() {
            Some(b',') => p.pos += 1,
            Some(b'}') => break,
            _ => return Err(p.unexpected("`,` or `}`")),
        }
    }
    found.ok_or_else(|| "the JSON object has no \"orders\" list".to_string())
}

struct Scanner<'a> {
    body: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&mut self) -> Option<u8> {
        while self.pos < self.body.len() && self.body[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        self.body.get(self.pos).copied()
    }

    fn unexpected(&self, want: &str) -> String {
        match self.body.get(self.pos) {
            Some(b) => format!(
                "expected {want} at byte {}, found `{}`",
                self.pos, *b as char
            ),
            None => format!("expected {want}, but the body ends at byte {}", self.pos),
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), String> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{}`", b as char)))
        }
    }

    /// One JSON value from here, read by serde_json itself.
    fn value<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, String> {
        self.peek();
        let mut stream =
            serde_json::Deserializer::from_slice(&self.body[self.pos..]).into_iter::<T>();
        match stream.next() {
            Some(Ok(v)) => {
                self.pos += stream.byte_offset();
                Ok(v)
            }
            Some(Err(e)) => Err(format!("at byte {}: {e}", self.pos)),
            None => Err(self.unexpected("a value")),
        }
    }

    fn array(&mut self) -> Result<Vec<&'a str>, String> {
        if self.peek() == Some(b'n') {
            self.value::<IgnoredAny>()?;
            return Ok(Vec::new()); // "orders": null
        }
        self.expect(b'[')?;
        let mut out = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(out);
        }
        loop {
            self.peek();
            let start = self.pos;
            self.value::<IgnoredAny>()?;
            let text = std::str::from_utf8(&self.body[start..self.pos])
                .map_err(|e| format!("order at byte {start} is not UTF-8: {e}"))?;
            out.push(text);
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(out);
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
    }
}
