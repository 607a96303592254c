//! STUB: the shopify simulator (to be written).
