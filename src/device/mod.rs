//! The compute device training runs on: a GPU through wgpu ([`gpu`]) or the CPU ([`cpu`]), one
//! API for both, so a cell does not change to run on the GPU.
//!
//! [`Device::auto`] takes a hardware GPU (discrete, then integrated) when one exists and the
//! CPU otherwise; software GPU drivers (llvmpipe) are used only when asked for, since they are
//! slower than the CPU path. `DESCENT_DEVICE=cpu|gpu|auto` chooses ([`Device::from_env`]).
//! Both paths give the same numbers within the tolerances stated in `tests/gpu.rs`.
//!
//! ```
//! use descent::device::Device;
//! let cpu = Device::cpu();
//! assert!(cpu.describe().starts_with("CPU ("));
//! assert!(!cpu.is_gpu());
//! ```

mod choice;
pub mod cpu;
mod error;
pub mod gpu;

pub use choice::DeviceChoice;
pub use error::DeviceError;

use crate::data::Subset;
use crate::logistic::{Evaluation, Inputs, Packed, PixelRows};
use crate::optim::LrScheduler;
use crate::train::{Run, TrainConfig, TrainError};
use cpu::Cpu;
use gpu::{Gpu, GpuOptions, evaluate::Evaluator};
use ndarray::{Array1, Array2, ArrayView1};
use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

/// The environment variable that chooses the device: `auto` (default), `cpu` or `gpu`.
pub const DEVICE_ENV: &str = "DESCENT_DEVICE";

impl FromStr for DeviceChoice {
    type Err = DeviceError;

    /// Parses `auto`, `cpu` or `gpu` (any case; empty means `auto`).
    ///
    /// ```
    /// use descent::device::DeviceChoice;
    /// assert_eq!("GPU".parse::<DeviceChoice>().unwrap(), DeviceChoice::Gpu);
    /// assert!("cuda".parse::<DeviceChoice>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, DeviceError> {
        Self::parse(s).ok_or_else(|| DeviceError::BadChoice(s.to_string()))
    }
}

impl DeviceChoice {
    /// The choice `DESCENT_DEVICE` makes (`Auto` when unset).
    pub fn from_env() -> Result<Self, DeviceError> {
        match std::env::var(DEVICE_ENV) {
            Ok(value) => value.parse(),
            Err(std::env::VarError::NotPresent) => Ok(Self::Auto),
            Err(std::env::VarError::NotUnicode(v)) => {
                Err(DeviceError::BadChoice(v.to_string_lossy().into_owned()))
            }
        }
    }
}

enum Kind {
    Cpu(Cpu),
    Gpu(Box<Gpu>),
}

/// A device that evaluates and trains the logistic regression.
pub struct Device {
    kind: Kind,
    fallback: Option<String>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("describe", &self.describe())
            .finish()
    }
}

static SHARED: OnceLock<Result<Device, DeviceError>> = OnceLock::new();

impl Device {
    /// The CPU path.
    pub fn cpu() -> Device {
        Device {
            kind: Kind::Cpu(Cpu),
            fallback: None,
        }
    }

    /// The best GPU adapter, software ones included (what `DESCENT_DEVICE=gpu` gives).
    pub fn gpu() -> Result<Device, DeviceError> {
        Self::gpu_with(&GpuOptions {
            allow_software: true,
            ..GpuOptions::default()
        })
    }

    /// A GPU opened with `options`.
    pub fn gpu_with(options: &GpuOptions) -> Result<Device, DeviceError> {
        Ok(Device {
            kind: Kind::Gpu(Box::new(Gpu::open(options)?)),
            fallback: None,
        })
    }

    /// A hardware GPU (discrete, then integrated) when one exists and starts, else the CPU.
    pub fn auto() -> Device {
        match Gpu::open(&GpuOptions::default()) {
            Ok(gpu) => Device {
                kind: Kind::Gpu(Box::new(gpu)),
                fallback: None,
            },
            Err(DeviceError::NoAdapter) => Self::cpu(),
            Err(e) => Device {
                kind: Kind::Cpu(Cpu),
                fallback: Some(e.to_string()),
            },
        }
    }

    /// The device `choice` names.
    pub fn new(choice: DeviceChoice) -> Result<Device, DeviceError> {
        match choice {
            DeviceChoice::Auto => Ok(Self::auto()),
            DeviceChoice::Cpu => Ok(Self::cpu()),
            DeviceChoice::Gpu => Self::gpu(),
        }
    }

    /// The device `DESCENT_DEVICE` names (`auto` when unset).
    pub fn from_env() -> Result<Device, DeviceError> {
        Self::new(DeviceChoice::from_env()?)
    }

    /// The process-wide device of [`Device::from_env`], opened once and shared by
    /// [`crate::train::train`] and [`describe_default`].
    pub fn shared() -> Result<&'static Device, DeviceError> {
        SHARED
            .get_or_init(Self::from_env)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Where work runs, for the page note: "NVIDIA H100 (Vulkan)" or "CPU (2 threads)".
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Cpu(cpu) => cpu.describe(),
            Kind::Gpu(gpu) => gpu.describe().to_string(),
        }
    }

    /// Whether this is a GPU.
    pub fn is_gpu(&self) -> bool {
        matches!(self.kind, Kind::Gpu(_))
    }

    /// The GPU, if this is one.
    pub fn as_gpu(&self) -> Option<&Gpu> {
        match &self.kind {
            Kind::Gpu(gpu) => Some(gpu),
            Kind::Cpu(_) => None,
        }
    }

    /// Why `auto` fell back to the CPU although a hardware GPU exists (it failed to start).
    pub fn fallback_reason(&self) -> Option<&str> {
        self.fallback.as_deref()
    }

    /// Keeps a batch on the device for repeated evaluations at different θ: `f32` rows, or
    /// pixel bytes (`Subset::inputs()`), which stay bytes there (a quarter of the memory, and
    /// of what each evaluation reads).
    pub fn upload<'x>(
        &self,
        x: impl Into<Inputs<'x>>,
        t: ArrayView1<f32>,
    ) -> Result<Resident<'_>, DeviceError> {
        let x = x.into();
        let rows = x.dim().0;
        if rows == 0 || t.len() != rows {
            return Err(DeviceError::Shape(format!(
                "a batch of {} rows with {} targets; give at least one row and one target per row",
                rows,
                t.len()
            )));
        }
        let inner = match &self.kind {
            Kind::Cpu(_) => Held::Cpu(Batch::from(x), t.to_owned()),
            Kind::Gpu(gpu) => Held::Gpu(gpu, Evaluator::new(gpu, x, t)?),
        };
        Ok(Resident { inner })
    }

    /// Loss, gradient and probabilities of `theta` on `x` (`f32` rows or pixel bytes), `t`.
    pub fn evaluate<'x>(
        &self,
        theta: ArrayView1<f32>,
        x: impl Into<Inputs<'x>>,
        t: ArrayView1<f32>,
    ) -> Result<Evaluation, DeviceError> {
        self.upload(x, t)?.evaluate(theta)
    }

    /// Trains as [`crate::train::train_cpu`] does, on this device. A GPU runs what its
    /// kernels cover (plain SGD at a fixed rate) and hands anything else to the CPU, noting it
    /// for [`describe_default`]: the same config never gives different numbers on a GPU.
    pub fn train(
        &self,
        theta: Array1<f32>,
        train_set: &Subset,
        test_set: &Subset,
        config: &TrainConfig,
    ) -> Result<Run, TrainError> {
        config.check(&theta, train_set, test_set)?;
        if let Kind::Gpu(gpu) = &self.kind {
            match config.gpu_kernels_fit() {
                Ok(()) => return Ok(gpu::train::train(gpu, theta, train_set, test_set, config)?),
                Err(note) => note_cpu_fallback(note),
            }
        }
        let mut optimizer = config.optimizer.build::<f32>()?;
        let mut scheduler = match &config.schedule {
            Some(schedule) => Some(schedule.build(&*optimizer)?),
            None => None,
        };
        let scheduler = scheduler.as_mut().map(|s| &mut **s as &mut dyn LrScheduler);
        cpu::train::train(
            theta,
            train_set,
            test_set,
            config,
            &mut *optimizer,
            scheduler,
            config.optimizer.is_plain_sgd(),
        )
    }
}

/// What ran on the CPU although the shared device is a GPU, for the page's device note.
static CPU_FALLBACKS: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

fn note_cpu_fallback(what: String) {
    if let Ok(mut notes) = CPU_FALLBACKS.lock() {
        notes.insert(what);
    }
}

enum Held<'d> {
    Cpu(Batch, Array1<f32>),
    Gpu(&'d Gpu, Evaluator),
}

/// A batch held by the CPU, in the form it was given (pixels with their packed copy).
enum Batch {
    Values(Array2<f32>),
    Pixels(Array2<u8>, Box<Packed>),
}

impl From<Inputs<'_>> for Batch {
    fn from(x: Inputs) -> Self {
        match x {
            Inputs::Values(x) => Self::Values(x.to_owned()),
            Inputs::Pixels(p) => {
                let bytes = p.bytes().to_owned();
                let packed = Box::new(
                    p.packed()
                        .cloned()
                        .unwrap_or_else(|| Packed::of(bytes.view())),
                );
                Self::Pixels(bytes, packed)
            }
        }
    }
}

impl Batch {
    fn inputs(&self) -> Inputs<'_> {
        match self {
            Self::Values(x) => Inputs::Values(x.view()),
            Self::Pixels(v, packed) => Inputs::Pixels(PixelRows::with_packed(v.view(), packed)),
        }
    }
}

/// A batch kept on a device ([`Device::upload`]).
pub struct Resident<'d> {
    inner: Held<'d>,
}

impl Resident<'_> {
    fn check(&self, theta: ArrayView1<f32>, cols: usize) -> Result<(), DeviceError> {
        if theta.len() == cols + 1 {
            Ok(())
        } else {
            Err(DeviceError::Shape(format!(
                "θ has {} entries but the batch has {cols} columns; θ needs one per column plus \
                 a bias",
                theta.len()
            )))
        }
    }

    /// Loss, gradient and probabilities at `theta`.
    pub fn evaluate(&self, theta: ArrayView1<f32>) -> Result<Evaluation, DeviceError> {
        match &self.inner {
            Held::Cpu(x, t) => {
                self.check(theta, x.inputs().dim().1)?;
                Ok(crate::logistic::evaluate(theta, x.inputs(), t.view())?)
            }
            Held::Gpu(gpu, eval) => {
                self.check(theta, eval.cols())?;
                let (loss, gradient, probabilities) = eval.run(gpu, &theta.to_vec(), true)?;
                Ok(Evaluation {
                    loss,
                    gradient: Array1::from(gradient),
                    probabilities: Array1::from(probabilities),
                })
            }
        }
    }

    /// Mean loss at `theta`, its gradient written into `gradient` (θ's length).
    pub fn loss_and_gradient(
        &self,
        theta: ArrayView1<f32>,
        gradient: &mut [f32],
    ) -> Result<f32, DeviceError> {
        if gradient.len() != theta.len() {
            return Err(DeviceError::Shape(format!(
                "the gradient buffer has {} entries but θ has {}; make them equal",
                gradient.len(),
                theta.len()
            )));
        }
        match &self.inner {
            Held::Cpu(x, t) => {
                self.check(theta, x.inputs().dim().1)?;
                Ok(crate::logistic::loss_and_gradient(
                    theta,
                    x.inputs(),
                    t.view(),
                    gradient,
                )?)
            }
            Held::Gpu(gpu, eval) => {
                self.check(theta, eval.cols())?;
                let (loss, g, _) = eval.run(gpu, &theta.to_vec(), false)?;
                gradient.copy_from_slice(&g);
                Ok(loss)
            }
        }
    }
}

/// Describes the device training runs on by default (the one `DESCENT_DEVICE`, or `auto`,
/// picks), for the note a page shows: "NVIDIA H100 (Vulkan)" or "CPU (2 threads)", followed by
/// what this program trained on the CPU instead ("; runs with Adam(lr=0.001) trained on the
/// CPU ...").
pub fn describe_default() -> String {
    let mut text = match Device::shared() {
        Ok(device) => device.describe(),
        Err(e) => format!("no device ({e})"),
    };
    if let Ok(notes) = CPU_FALLBACKS.lock() {
        for note in notes.iter() {
            text.push_str("; ");
            text.push_str(note);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_choice_lists_the_valid_ones() {
        let err = "cuda".parse::<DeviceChoice>().unwrap_err().to_string();
        for word in ["cuda", "auto", "cpu", "gpu"] {
            assert!(err.contains(word), "{err}");
        }
    }

    #[test]
    fn choices_ignore_case_and_blanks() {
        assert_eq!(" Cpu ".parse::<DeviceChoice>(), Ok(DeviceChoice::Cpu));
        assert_eq!("".parse::<DeviceChoice>(), Ok(DeviceChoice::Auto));
    }

    #[test]
    fn the_cpu_checks_shapes_instead_of_panicking() {
        let x = Array2::<f32>::zeros((2, 3));
        let t = Array1::<f32>::zeros(2);
        let theta = Array1::<f32>::zeros(3);
        let err = Device::cpu()
            .evaluate(theta.view(), x.view(), t.view())
            .unwrap_err();
        assert!(matches!(err, DeviceError::Shape(_)));
    }
}
