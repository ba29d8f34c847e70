//! Python bindings (placeholder until written below).
