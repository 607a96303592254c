use serde::{Deserialize, Serialize};

/// (sku, location): names one stock level.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StockKey {
    pub sku: String,
    pub location: String,
}

impl StockKey {
    pub fn new(sku: impl Into<String>, location: impl Into<String>) -> Self {
        StockKey {
            sku: sku.into(),
            location: location.into(),
        }
    }
}

/// Counts are signed so that arithmetic on a drifted record can be reported instead of
/// overflowing; the ledger keeps them non-negative (invariant 3) and `ordo check` verifies it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    pub on_hand: i64,
    /// Units held by open allocations (invariant 4: equals their sum).
    pub reserved: i64,
    pub safety_stock: i64,
}

impl StockLevel {
    /// What can still be promised: never negative (invariant 3).
    pub fn available(&self) -> i64 {
        (self.on_hand - self.reserved - self.safety_stock).max(0)
    }

    /// The most that may be reserved here without overselling.
    pub fn reservable(&self) -> i64 {
        (self.on_hand - self.safety_stock).max(0)
    }

    pub fn is_oversold(&self) -> bool {
        self.reserved > self.reservable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn available_subtracts_reservations_and_safety_and_floors_at_zero() {
        let s = StockLevel {
            on_hand: 10,
            reserved: 3,
            safety_stock: 2,
        };
        assert_eq!(s.available(), 5);
        let short = StockLevel {
            on_hand: 1,
            reserved: 0,
            safety_stock: 2,
        };
        assert_eq!(short.available(), 0);
        assert_eq!(short.reservable(), 0);
        assert!(!short.is_oversold());
        let over = StockLevel {
            on_hand: 4,
            reserved: 3,
            safety_stock: 2,
        };
        assert!(over.is_oversold());
    }
}
