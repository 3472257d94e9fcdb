//! What can go wrong when choosing or using a compute device, each error saying what to do.

/// An error of the compute device: choosing it, starting it, or running work on it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeviceError {
    /// `DESCENT_DEVICE` holds a value that names no device.
    #[error(
        "DESCENT_DEVICE={0:?} names no device; use one of: auto (a hardware GPU if present, else \
         the CPU), cpu, gpu (any GPU adapter, software drivers included)"
    )]
    BadChoice(String),
    /// The GPU was asked for, but no adapter exists.
    #[error(
        "the GPU was asked for (DESCENT_DEVICE=gpu) but no GPU adapter was found; install a \
         driver (a vendor driver for NVIDIA, AMD or Intel cards, or the software Vulkan driver: \
         `apt-get install mesa-vulkan-drivers libvulkan1`), or set DESCENT_DEVICE=cpu or auto"
    )]
    NoAdapter,
    /// An adapter exists but a device could not be opened on it.
    #[error(
        "could not start the GPU {adapter}: {message}; update its driver, or set \
         DESCENT_DEVICE=cpu"
    )]
    Start {
        /// Adapter name and backend.
        adapter: String,
        /// What wgpu reported.
        message: String,
    },
    /// The GPU ran out of memory.
    #[error(
        "the GPU {adapter} ran out of memory while {action}; train on fewer samples or a smaller \
         batch, close other GPU programs, or set DESCENT_DEVICE=cpu"
    )]
    OutOfMemory {
        /// Adapter name and backend.
        adapter: String,
        /// What was being done.
        action: String,
    },
    /// The work needs more than a limit of the adapter allows.
    #[error(
        "{action} needs {needed} but the GPU {adapter} allows {allowed} ({limit}); train on fewer \
         samples or a smaller batch, or set DESCENT_DEVICE=cpu"
    )]
    Limit {
        /// Adapter name and backend.
        adapter: String,
        /// What was being done.
        action: String,
        /// Name of the wgpu limit.
        limit: &'static str,
        /// What the work needs.
        needed: u64,
        /// What the adapter allows.
        allowed: u64,
    },
    /// The device was lost (driver reset, GPU removed, or destroyed).
    #[error(
        "the GPU {adapter} was lost ({reason}); its results are gone: run again, check the \
         driver (`nvidia-smi`, `vulkaninfo --summary`), or set DESCENT_DEVICE=cpu"
    )]
    Lost {
        /// Adapter name and backend.
        adapter: String,
        /// Why, as the driver says.
        reason: String,
    },
    /// The GPU did not finish in time.
    #[error(
        "the GPU {adapter} did not finish {action} within {seconds} s; it may be hung or far too \
         slow (a software driver?); set DESCENT_DEVICE=cpu"
    )]
    Timeout {
        /// Adapter name and backend.
        adapter: String,
        /// What was being done.
        action: String,
        /// Seconds waited.
        seconds: u64,
    },
    /// wgpu rejected a command: a bug in descent's GPU code.
    #[error(
        "the GPU {adapter} rejected {action}: {message}; this is a bug in descent's GPU code, \
         please report it; set DESCENT_DEVICE=cpu meanwhile"
    )]
    Rejected {
        /// Adapter name and backend.
        adapter: String,
        /// What was being done.
        action: String,
        /// What wgpu reported.
        message: String,
    },
    /// Input shapes disagree.
    #[error("{0}")]
    Shape(String),
}

impl From<crate::logistic::ShapeError> for DeviceError {
    fn from(e: crate::logistic::ShapeError) -> Self {
        DeviceError::Shape(e.to_string())
    }
}
