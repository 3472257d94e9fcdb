//! Integration tests of `mdbook-descent`: small fixture books built in-process through
//! `mdbook_descent::build` (no `mdbook` binary needed), one module per feature.

mod author_api;
mod cache;
mod cache_keys;
mod cells;
mod checks;
mod errors;
mod fences;
mod folders;
mod maths;
mod output;
mod processes;
mod properties;
mod protocol;
mod protocol_forgery;
mod publish;
mod real_book;
mod settings;
mod source;
mod support;
mod verify;
mod watch;
