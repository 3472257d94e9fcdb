//! Optimisers and schedules as plain values: cloneable, comparable settings that a training
//! configuration holds and builds into a fresh optimiser (and scheduler) for each run.
//!
//! ```
//! use descent::optim::{Adam, OptimizerConfig, Schedule};
//!
//! let adam: OptimizerConfig = Adam::builder(1e-3).weight_decay(1e-2).into();
//! let mut opt = adam.build::<f32>()?;
//! let mut cosine = Schedule::cosine(10).build(&*opt)?;
//! assert_eq!(opt.name(), "Adam");
//! cosine.step(&mut opt);
//! assert!(opt.lr() < 1e-3);
//! # Ok::<(), descent::optim::ConfigError>(())
//! ```

use std::fmt;

use super::{
    AdagradConfig, AdamConfig, AdamWConfig, AdamaxConfig, ConfigError, CosineAnnealingLr,
    ExponentialLr, Kind, LearningRate, LrScheduler, Optimizer, Real, RmsPropConfig, SgdConfig,
    StepLr,
};

/// One of `torch.optim`'s optimisers with its hyper-parameters (`Adam::builder(lr)...`
/// converts into it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptimizerConfig {
    /// [`super::Sgd`].
    Sgd(SgdConfig),
    /// [`super::RmsProp`].
    RmsProp(RmsPropConfig),
    /// [`super::Adagrad`].
    Adagrad(AdagradConfig),
    /// [`super::Adam`].
    Adam(AdamConfig),
    /// [`super::AdamW`].
    AdamW(AdamWConfig),
    /// [`super::Adamax`].
    Adamax(AdamaxConfig),
}

impl OptimizerConfig {
    /// Which optimiser this is.
    pub fn kind(&self) -> Kind {
        match self {
            Self::Sgd(_) => Kind::Sgd,
            Self::RmsProp(_) => Kind::RmsProp,
            Self::Adagrad(_) => Kind::Adagrad,
            Self::Adam(_) => Kind::Adam,
            Self::AdamW(_) => Kind::AdamW,
            Self::Adamax(_) => Kind::Adamax,
        }
    }

    /// The (initial) learning rate.
    pub fn lr(&self) -> f64 {
        match self {
            Self::Sgd(c) => c.lr,
            Self::RmsProp(c) => c.lr,
            Self::Adagrad(c) => c.lr,
            Self::Adam(c) => c.lr,
            Self::AdamW(c) => c.lr,
            Self::Adamax(c) => c.lr,
        }
    }

    /// The weight decay (0: none).
    pub fn weight_decay(&self) -> f64 {
        match self {
            Self::Sgd(c) => c.weight_decay,
            Self::RmsProp(c) => c.weight_decay,
            Self::Adagrad(c) => c.weight_decay,
            Self::Adam(c) => c.weight_decay,
            Self::AdamW(c) => c.weight_decay,
            Self::Adamax(c) => c.weight_decay,
        }
    }

    /// Whether the update is `θ ← θ - lr ∇L` and nothing else: SGD without momentum, weight
    /// decay or `maximize`.
    pub fn is_plain_sgd(&self) -> bool {
        matches!(self, Self::Sgd(c) if c.momentum == 0.0 && c.weight_decay == 0.0 && !c.maximize)
    }

    /// A fresh optimiser with these hyper-parameters.
    ///
    /// # Errors
    /// The optimiser's own checks ([`ConfigError`]).
    pub fn build<T: Real>(&self) -> Result<Box<dyn Optimizer<T>>, ConfigError> {
        Ok(match *self {
            Self::Sgd(c) => Box::new(c.build::<T>()?),
            Self::RmsProp(c) => Box::new(c.build::<T>()?),
            Self::Adagrad(c) => Box::new(c.build::<T>()?),
            Self::Adam(c) => Box::new(c.build::<T>()?),
            Self::AdamW(c) => Box::new(c.build::<T>()?),
            Self::Adamax(c) => Box::new(c.build::<T>()?),
        })
    }
}

impl fmt::Display for OptimizerConfig {
    /// `Adam(lr=0.001, weight_decay=0.01)`: the name, the learning rate, and the weight decay
    /// when there is one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(lr={}", self.kind(), self.lr())?;
        if let Self::Sgd(c) = self
            && c.momentum != 0.0
        {
            write!(f, ", momentum={}", c.momentum)?;
            if c.nesterov {
                f.write_str(", nesterov=True")?;
            }
        }
        if self.weight_decay() != 0.0 {
            write!(f, ", weight_decay={}", self.weight_decay())?;
        }
        f.write_str(")")
    }
}

macro_rules! into_optimizer_config {
    ($($config:ident => $variant:ident),* $(,)?) => {$(
        impl From<$config> for OptimizerConfig {
            fn from(config: $config) -> Self {
                Self::$variant(config)
            }
        }
    )*};
}

into_optimizer_config!(
    SgdConfig => Sgd,
    RmsPropConfig => RmsProp,
    AdagradConfig => Adagrad,
    AdamConfig => Adam,
    AdamWConfig => AdamW,
    AdamaxConfig => Adamax,
);

impl Kind {
    /// This optimiser's config with learning rate `lr` and PyTorch's other defaults.
    pub fn config(self, lr: f64) -> OptimizerConfig {
        match self {
            Kind::Sgd => SgdConfig::default().lr(lr).into(),
            Kind::RmsProp => RmsPropConfig::default().lr(lr).into(),
            Kind::Adagrad => AdagradConfig::default().lr(lr).into(),
            Kind::Adam => AdamConfig::default().lr(lr).into(),
            Kind::AdamW => AdamWConfig::default().lr(lr).into(),
            Kind::Adamax => AdamaxConfig::default().lr(lr).into(),
        }
    }
}

/// A learning-rate schedule of `torch.optim.lr_scheduler`, as a value; stepped once per epoch
/// in training.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Schedule {
    /// [`StepLr`]: times `gamma` every `step_size` epochs.
    Step {
        /// Epochs between decays.
        step_size: u64,
        /// Factor of each decay.
        gamma: f64,
    },
    /// [`ExponentialLr`]: times `gamma` every epoch.
    Exponential {
        /// Factor of each epoch.
        gamma: f64,
    },
    /// [`CosineAnnealingLr`]: half a cosine down to `eta_min` over `t_max` epochs.
    CosineAnnealing {
        /// Epochs of the half cosine.
        t_max: u64,
        /// The lowest learning rate.
        eta_min: f64,
    },
}

impl Schedule {
    /// `StepLR(step_size, gamma)`.
    pub fn step(step_size: u64, gamma: f64) -> Self {
        Self::Step { step_size, gamma }
    }

    /// `ExponentialLR(gamma)`.
    pub fn exponential(gamma: f64) -> Self {
        Self::Exponential { gamma }
    }

    /// `CosineAnnealingLR(t_max)` down to 0.
    pub fn cosine(t_max: u64) -> Self {
        Self::CosineAnnealing {
            t_max,
            eta_min: 0.0,
        }
    }

    /// A scheduler for `opt`, starting from its current learning rate.
    ///
    /// # Errors
    /// The scheduler's own checks ([`ConfigError`]).
    pub fn build(
        &self,
        opt: &(impl LearningRate + ?Sized),
    ) -> Result<Box<dyn LrScheduler>, ConfigError> {
        Ok(match *self {
            Self::Step { step_size, gamma } => Box::new(StepLr::new(opt, step_size, gamma)?),
            Self::Exponential { gamma } => Box::new(ExponentialLr::new(opt, gamma)?),
            Self::CosineAnnealing { t_max, eta_min } => {
                Box::new(CosineAnnealingLr::new(opt, t_max, eta_min)?)
            }
        })
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Step { step_size, gamma } => {
                write!(f, "StepLR(step_size={step_size}, gamma={gamma})")
            }
            Self::Exponential { gamma } => write!(f, "ExponentialLR(gamma={gamma})"),
            Self::CosineAnnealing { t_max, eta_min } => {
                write!(f, "CosineAnnealingLR(T_max={t_max}, eta_min={eta_min})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::{Adam, Sgd};

    #[test]
    fn every_kind_builds_from_its_config() {
        for kind in Kind::ALL {
            let config = kind.config(0.1);
            assert_eq!(config.kind(), kind);
            let opt = config.build::<f32>().expect("valid");
            assert_eq!(opt.name(), kind.name());
            assert_eq!(opt.lr(), 0.1);
        }
    }

    #[test]
    fn only_bare_sgd_is_plain() {
        assert!(OptimizerConfig::from(Sgd::builder(0.1)).is_plain_sgd());
        assert!(!OptimizerConfig::from(Sgd::builder(0.1).momentum(0.9)).is_plain_sgd());
        assert!(!OptimizerConfig::from(Sgd::builder(0.1).weight_decay(1e-3)).is_plain_sgd());
        assert!(!OptimizerConfig::from(Adam::builder(0.1)).is_plain_sgd());
    }

    #[test]
    fn display_names_the_optimizer_and_its_decay() {
        let adam = OptimizerConfig::from(Adam::builder(0.001).weight_decay(0.01));
        assert_eq!(adam.to_string(), "Adam(lr=0.001, weight_decay=0.01)");
        assert_eq!(
            Schedule::cosine(9).to_string(),
            "CosineAnnealingLR(T_max=9, eta_min=0)"
        );
    }

    #[test]
    fn bad_settings_are_caught_when_built() {
        let bad = OptimizerConfig::from(Adam::builder(-1.0));
        assert!(matches!(
            bad.build::<f32>(),
            Err(ConfigError::LearningRate(_))
        ));
        let opt = Sgd::<f32>::new(0.1).expect("valid");
        assert!(Schedule::step(0, 0.5).build(&opt).is_err());
    }
}
