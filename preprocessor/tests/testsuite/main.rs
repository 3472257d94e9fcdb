//! Integration tests of `mdbook-descent`: small fixture books built in-process through
//! `mdbook_descent::build` (no `mdbook` binary needed), one module per feature.

mod cache;
mod cells;
mod checks;
mod errors;
mod maths;
mod protocol;
mod publish;
mod real_book;
mod settings;
mod source;
mod support;
mod verify;
