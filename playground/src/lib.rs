//! The optimisation chapter's live playground, the Rust half: `descent`'s own optimisers,
//! schedulers and landscapes (the library without its `native` feature), behind a small
//! `extern "C"` bridge that the page's script (`assets/playground.js`) calls.
//!
//! [`Setting`] is one choice of the page's controls; [`Setting::path`] walks it with
//! `descent::optim::run_scheduled`, the code the chapters run. The script only draws and wires
//! controls: every number it shows comes from here.
#![warn(missing_docs)]

mod bridge;
mod setting;

pub use setting::{Function, Optimiser, Schedule, Setting, SettingError};
