//! STUB: the amazon simulator (to be written).
