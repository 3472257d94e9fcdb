//! [`DeviceChoice`] and its one parser. This file uses `std` only: the `mdbook-descent`
//! preprocessor includes it as it is (`#[path]`), so `book.toml`'s `device` and
//! `DESCENT_DEVICE` are checked there exactly as the library reads them.

/// Which device to use, as `DESCENT_DEVICE` or book.toml names it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeviceChoice {
    /// A hardware GPU if one exists, else the CPU.
    #[default]
    Auto,
    /// The CPU.
    Cpu,
    /// Any GPU adapter, software drivers included; an error when there is none.
    Gpu,
}

impl DeviceChoice {
    /// The accepted values, for messages.
    pub const VALID: &'static str = "\"auto\", \"cpu\" or \"gpu\" (any case; empty means auto)";

    /// Parses `auto`, `cpu` or `gpu` (any case, surrounding spaces ignored; empty means
    /// `auto`); `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Some(Self::Auto),
            "cpu" => Some(Self::Cpu),
            "gpu" => Some(Self::Gpu),
            _ => None,
        }
    }

    /// The canonical spelling: `auto`, `cpu` or `gpu`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Cpu => "cpu",
            Self::Gpu => "gpu",
        }
    }
}
