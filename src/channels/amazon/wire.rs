//! Amazon's JSON as the connector reads it: the Orders API v2026-01-01 `searchOrders` answer
//! (camelCase, no `payload` wrapper) and the deprecated v0 `getOrders` / `getOrderItems`
//! answers (PascalCase, inside `payload`). Every field is optional and unknown fields are
//! ignored (vendors add fields without a version bump); what an order cannot do without is
//! checked by the mapping, which names the missing field.

use std::str::FromStr;

use serde::{Deserialize, Deserializer};

use crate::model::Money;

/// A money amount sent as a decimal string (`"74.89"`) or, defensively, as a JSON number;
/// never read through `f64` (edge case 13).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amount(pub Money);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let text = match &value {
            serde_json::Value::String(s) => s.trim().to_string(),
            // A number's textual form, as the JSON had it (no float round trip).
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "a money amount must be a decimal string, not {other}"
                )))
            }
        };
        Money::from_str(&text)
            .or_else(|_| Money::from_scientific(&text))
            .map(Amount)
            .map_err(|e| serde::de::Error::custom(format!("money amount `{text}`: {e}")))
    }
}

// ---------------------------------------------------------------------------------------
// v2026-01-01

/// `{amount, currencyCode}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Money26 {
    pub amount: Option<Amount>,
    pub currency_code: Option<String>,
}

/// The answer of `GET /orders/2026-01-01/orders`. Orders stay raw JSON so that each can be
/// kept as it came when it cannot be mapped.
#[derive(Debug, Deserialize)]
pub struct SearchOrdersResponse {
    pub orders: Vec<serde_json::Value>,
    #[serde(default)]
    pub pagination: Option<Pagination>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Pagination {
    pub next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Order26 {
    pub order_id: Option<String>,
    pub created_time: Option<String>,
    pub last_updated_time: Option<String>,
    pub programs: Vec<String>,
    pub sales_channel: Option<SalesChannel26>,
    pub buyer: Option<Buyer26>,
    pub recipient: Option<Recipient26>,
    pub proceeds: Option<Proceeds26>,
    pub fulfillment: Option<Fulfillment26>,
    pub order_items: Option<Vec<Item26>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SalesChannel26 {
    pub marketplace_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Buyer26 {
    pub buyer_name: Option<String>,
    pub buyer_email: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Recipient26 {
    pub delivery_address: Option<Address26>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Address26 {
    pub name: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub address_line3: Option<String>,
    pub city: Option<String>,
    pub state_or_region: Option<String>,
    pub postal_code: Option<String>,
    pub country_code: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Proceeds26 {
    pub grand_total: Option<Money26>,
    pub breakdowns: Vec<Breakdown26>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Breakdown26 {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub subtotal: Option<Money26>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Fulfillment26 {
    pub fulfillment_status: Option<String>,
    pub fulfilled_by: Option<String>,
    pub fulfillment_service_level: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Item26 {
    pub order_item_id: Option<String>,
    pub quantity_ordered: Option<u32>,
    pub product: Option<Product26>,
    pub proceeds: Option<ItemProceeds26>,
    pub fulfillment: Option<ItemFulfillment26>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Product26 {
    pub asin: Option<String>,
    pub title: Option<String>,
    pub seller_sku: Option<String>,
    pub price: Option<Price26>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Price26 {
    pub unit_price: Option<Money26>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ItemProceeds26 {
    pub breakdowns: Vec<Breakdown26>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ItemFulfillment26 {
    pub packing: Option<Packing26>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Packing26 {
    pub gift_option: Option<serde_json::Value>,
}

// ---------------------------------------------------------------------------------------
// v0 (deprecated)

/// `{CurrencyCode, Amount}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Money0 {
    pub amount: Option<Amount>,
    pub currency_code: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Order0 {
    pub amazon_order_id: Option<String>,
    pub purchase_date: Option<String>,
    pub last_update_date: Option<String>,
    pub order_status: Option<String>,
    pub fulfillment_channel: Option<String>,
    pub marketplace_id: Option<String>,
    pub shipment_service_level_category: Option<String>,
    pub order_total: Option<Money0>,
    pub shipping_address: Option<Address0>,
    pub buyer_info: Option<BuyerInfo0>,
    pub is_prime: Option<bool>,
    pub is_business_order: Option<bool>,
    #[serde(rename = "IsISPU")]
    pub is_ispu: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Address0 {
    pub name: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub address_line3: Option<String>,
    pub city: Option<String>,
    pub state_or_region: Option<String>,
    pub postal_code: Option<String>,
    pub country_code: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BuyerInfo0 {
    pub buyer_email: Option<String>,
    pub buyer_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Item0 {
    #[serde(rename = "ASIN")]
    pub asin: Option<String>,
    #[serde(rename = "SellerSKU")]
    pub seller_sku: Option<String>,
    pub order_item_id: Option<String>,
    pub title: Option<String>,
    pub quantity_ordered: Option<u32>,
    pub item_price: Option<Money0>,
    pub shipping_price: Option<Money0>,
    pub gift_wrap_price: Option<Money0>,
    pub item_tax: Option<Money0>,
    pub shipping_tax: Option<Money0>,
    pub gift_wrap_tax: Option<Money0>,
    pub shipping_discount: Option<Money0>,
    pub promotion_discount: Option<Money0>,
    /// The string `"true"` / `"false"` (or, defensively, a boolean).
    pub is_gift: Option<serde_json::Value>,
}
