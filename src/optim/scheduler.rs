//! Learning-rate schedulers with PyTorch's (chainable) semantics: made from an optimiser,
//! stepped once after each optimiser step, each step computing the next learning rate from the
//! optimiser's current one.

use std::f64::consts::PI;

use super::LearningRate;
use super::error::{ConfigError, non_negative};

/// A learning-rate schedule, `torch.optim.lr_scheduler`'s `LRScheduler`.
///
/// ```
/// use descent::optim::{ExponentialLr, LearningRate, LrScheduler, Optimizer, Sgd};
///
/// let mut opt = Sgd::new(0.1)?;
/// let mut schedule = ExponentialLr::new(&opt, 0.5)?;
/// let mut p = [1.0, 1.0];
/// let mut used = Vec::new();
/// for _ in 0..3 {
///     used.push(opt.lr());
///     let gradient = [2.0 * p[0], 2.0 * p[1]];
///     opt.step(&mut p, &gradient)?;
///     schedule.step(&mut opt); // after the optimiser's step, as in PyTorch
/// }
/// assert_eq!(used, [0.1, 0.05, 0.025]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait LrScheduler {
    /// Advances one epoch and sets the optimiser's learning rate for the next step.
    fn step(&mut self, opt: &mut dyn LearningRate);

    /// The learning rate this scheduler set last (PyTorch's `get_last_lr()`).
    fn last_lr(&self) -> f64;

    /// How many times [`LrScheduler::step`] was called (PyTorch's `last_epoch`).
    fn last_epoch(&self) -> u64;

    /// The learning rates of the next `steps` optimiser steps, stepping the scheduler after
    /// each as a training loop would: the schedule for a plot.
    fn schedule(&mut self, opt: &mut dyn LearningRate, steps: usize) -> Vec<f64> {
        (0..steps)
            .map(|_| {
                let lr = opt.lr();
                self.step(opt);
                lr
            })
            .collect()
    }
}

/// `StepLR`: multiplies the learning rate by `gamma` every `step_size` epochs.
#[derive(Debug, Clone, PartialEq)]
pub struct StepLr {
    step_size: u64,
    gamma: f64,
    last_epoch: u64,
    last_lr: f64,
}

impl StepLr {
    /// Decays `opt`'s learning rate by `gamma` every `step_size` epochs (PyTorch's default
    /// `gamma` is 0.1).
    ///
    /// # Errors
    /// [`ConfigError::Period`] for `step_size == 0`; [`ConfigError::Gamma`] for a negative or
    /// non-finite `gamma`.
    pub fn new(
        opt: &(impl LearningRate + ?Sized),
        step_size: u64,
        gamma: f64,
    ) -> Result<Self, ConfigError> {
        if step_size == 0 {
            return Err(ConfigError::Period { name: "step_size" });
        }
        non_negative(gamma, ConfigError::Gamma)?;
        Ok(Self {
            step_size,
            gamma,
            last_epoch: 0,
            last_lr: opt.lr(),
        })
    }
}

impl LrScheduler for StepLr {
    fn step(&mut self, opt: &mut dyn LearningRate) {
        self.last_epoch += 1;
        let lr = if self.last_epoch.is_multiple_of(self.step_size) {
            opt.lr() * self.gamma
        } else {
            opt.lr()
        };
        opt.set_lr(lr);
        self.last_lr = lr;
    }
    fn last_lr(&self) -> f64 {
        self.last_lr
    }
    fn last_epoch(&self) -> u64 {
        self.last_epoch
    }
}

/// `ExponentialLR`: multiplies the learning rate by `gamma` every epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct ExponentialLr {
    gamma: f64,
    last_epoch: u64,
    last_lr: f64,
}

impl ExponentialLr {
    /// Decays `opt`'s learning rate by `gamma` every epoch.
    ///
    /// # Errors
    /// [`ConfigError::Gamma`] for a negative or non-finite `gamma`.
    pub fn new(opt: &(impl LearningRate + ?Sized), gamma: f64) -> Result<Self, ConfigError> {
        non_negative(gamma, ConfigError::Gamma)?;
        Ok(Self {
            gamma,
            last_epoch: 0,
            last_lr: opt.lr(),
        })
    }
}

impl LrScheduler for ExponentialLr {
    fn step(&mut self, opt: &mut dyn LearningRate) {
        self.last_epoch += 1;
        let lr = opt.lr() * self.gamma;
        opt.set_lr(lr);
        self.last_lr = lr;
    }
    fn last_lr(&self) -> f64 {
        self.last_lr
    }
    fn last_epoch(&self) -> u64 {
        self.last_epoch
    }
}

/// `CosineAnnealingLR`: the learning rate follows half a cosine from its initial value down to
/// `eta_min` over `t_max` epochs (and back up over the next `t_max`, as in PyTorch).
///
/// Uses PyTorch's recursive form (each value from the previous one), which equals the closed
/// form `eta_min + (base - eta_min)(1 + cos(π t / t_max)) / 2` up to rounding when nothing else
/// changes the learning rate.
#[derive(Debug, Clone, PartialEq)]
pub struct CosineAnnealingLr {
    t_max: u64,
    eta_min: f64,
    base_lr: f64,
    last_epoch: u64,
    last_lr: f64,
}

impl CosineAnnealingLr {
    /// Anneals `opt`'s learning rate to `eta_min` (PyTorch's default: 0) over `t_max` epochs.
    ///
    /// # Errors
    /// [`ConfigError::Period`] for `t_max == 0`; [`ConfigError::EtaMin`] for a negative or
    /// non-finite `eta_min`.
    pub fn new(
        opt: &(impl LearningRate + ?Sized),
        t_max: u64,
        eta_min: f64,
    ) -> Result<Self, ConfigError> {
        if t_max == 0 {
            return Err(ConfigError::Period { name: "t_max" });
        }
        non_negative(eta_min, ConfigError::EtaMin)?;
        Ok(Self {
            t_max,
            eta_min,
            base_lr: opt.lr(),
            last_epoch: 0,
            last_lr: opt.lr(),
        })
    }
}

impl LrScheduler for CosineAnnealingLr {
    fn step(&mut self, opt: &mut dyn LearningRate) {
        self.last_epoch += 1;
        let (e, t) = (self.last_epoch as f64, self.t_max as f64);
        let current = opt.lr();
        let restart = (self.last_epoch - 1 + self.t_max).is_multiple_of(2 * self.t_max);
        let lr = if restart {
            // (e - 1 - t_max) is a multiple of 2 t_max: the bottom of the cosine was passed.
            current + (self.base_lr - self.eta_min) * (1.0 - libm::cos(PI / t)) / 2.0
        } else {
            (1.0 + libm::cos(PI * e / t)) / (1.0 + libm::cos(PI * (e - 1.0) / t))
                * (current - self.eta_min)
                + self.eta_min
        };
        opt.set_lr(lr);
        self.last_lr = lr;
    }
    fn last_lr(&self) -> f64 {
        self.last_lr
    }
    fn last_epoch(&self) -> u64 {
        self.last_epoch
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Sgd;

    fn close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len());
        for (k, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                (g - w).abs() <= 1e-12 * w.abs().max(1e-300),
                "epoch {k}: {g} vs {w}"
            );
        }
    }

    fn sgd(lr: f64) -> Sgd<f64> {
        Sgd::new(lr).expect("valid lr")
    }

    #[test]
    fn step_lr_decays_every_step_size_epochs() {
        let mut opt = sgd(0.05);
        let mut s = StepLr::new(&opt, 3, 0.1).expect("valid");
        let lrs = s.schedule(&mut opt, 8);
        close(
            &lrs,
            &[0.05, 0.05, 0.05, 0.005, 0.005, 0.005, 0.0005, 0.0005],
        );
        assert_eq!(s.last_epoch(), 8);
        assert_eq!(s.last_lr(), opt.lr());
    }

    #[test]
    fn exponential_lr_multiplies_every_epoch() {
        let mut opt = sgd(1.0);
        let lrs = ExponentialLr::new(&opt, 0.9)
            .expect("valid")
            .schedule(&mut opt, 4);
        close(&lrs, &[1.0, 0.9, 0.81, 0.729]);
    }

    #[test]
    fn cosine_annealing_matches_the_closed_form_and_turns_back_up() {
        // Closed form eta_min + (base - eta_min)(1 + cos(π e / T)) / 2 with base 0.1, T 10,
        // eta_min 0.001, for e = 0..=20: down to eta_min at e = 10, back to base at e = 20.
        let mut opt = sgd(0.1);
        let mut s = CosineAnnealingLr::new(&opt, 10, 0.001).expect("valid");
        let lrs = s.schedule(&mut opt, 21);
        let want: Vec<f64> = (0..=20)
            .map(|e| 0.001 + 0.099 * (1.0 + (PI * f64::from(e) / 10.0).cos()) / 2.0)
            .collect();
        for (e, (g, w)) in lrs.iter().zip(&want).enumerate() {
            assert!((g - w).abs() < 1e-15, "epoch {e}: {g} vs {w}");
        }
        assert!((lrs[10] - 0.001).abs() < 1e-17);
        assert!((lrs[20] - 0.1).abs() < 1e-15);
    }

    #[test]
    fn cosine_annealing_known_values() {
        // T = 4, base 1, eta_min 0: (1 + cos(π e / 4)) / 2 = 1, 0.853553, 0.5, 0.146447, 0
        let mut opt = sgd(1.0);
        let lrs = CosineAnnealingLr::new(&opt, 4, 0.0)
            .expect("valid")
            .schedule(&mut opt, 5);
        let want = [1.0, 0.8535533905932737, 0.5, 0.14644660940672624, 0.0];
        for (g, w) in lrs.iter().zip(want) {
            assert!((g - w).abs() < 1e-15, "{g} vs {w}");
        }
    }

    #[test]
    fn schedulers_chain_on_the_current_learning_rate() {
        // As PyTorch's chainable form: two schedulers on one optimiser multiply.
        let mut opt = sgd(1.0);
        let mut a = ExponentialLr::new(&opt, 0.5).expect("valid");
        let mut b = StepLr::new(&opt, 2, 0.1).expect("valid");
        a.step(&mut opt);
        b.step(&mut opt);
        a.step(&mut opt);
        b.step(&mut opt);
        assert!((opt.lr() - 0.025).abs() < 1e-16);
    }

    #[test]
    fn invalid_schedules_are_errors() {
        let opt = sgd(0.1);
        assert_eq!(
            StepLr::new(&opt, 0, 0.1),
            Err(ConfigError::Period { name: "step_size" })
        );
        assert_eq!(StepLr::new(&opt, 2, -0.1), Err(ConfigError::Gamma(-0.1)));
        assert!(ExponentialLr::new(&opt, f64::NAN).is_err());
        assert_eq!(
            CosineAnnealingLr::new(&opt, 0, 0.0),
            Err(ConfigError::Period { name: "t_max" })
        );
        assert_eq!(
            CosineAnnealingLr::new(&opt, 5, -1.0),
            Err(ConfigError::EtaMin(-1.0))
        );
    }
}
