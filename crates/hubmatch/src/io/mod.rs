//! Input and output at the edges: district JSON documents, CSV tables and the
//! JSON Schema. Nothing in the engine reads or writes files.

pub mod csv;
pub mod graph_json;
pub mod json;
pub mod results;
pub mod schema;
pub mod tables;
