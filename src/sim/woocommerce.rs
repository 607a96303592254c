//! STUB: the woocommerce simulator (to be written).
