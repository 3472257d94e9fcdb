//! Integration tests of `mdbook-descent`: small fixture books built in-process through
//! `mdbook_descent::build` (no `mdbook` binary needed), one module per feature.

mod cache;
mod cells;
mod errors;
mod maths;
mod protocol;
mod settings;
mod source;
mod support;
