//! Stochastic gradient descent, `torch.optim.SGD`: plain steps, momentum (with dampening),
//! Nesterov momentum and weight decay.

use super::error::{ConfigError, StepError, check_lengths, non_negative};
use super::{LearningRate, Optimizer, Real, decay, effective_grad};

/// SGD's hyper-parameters, PyTorch's defaults: `lr = 1e-3`, `momentum = 0`, `dampening = 0`,
/// `weight_decay = 0`, `nesterov = false`, `maximize = false`.
///
/// ```
/// use descent::optim::{ConfigError, Sgd};
///
/// let sgd: Sgd = Sgd::builder(0.01).momentum(0.9).nesterov(true).build()?;
/// assert_eq!(sgd.config().momentum, 0.9);
/// // PyTorch's condition: Nesterov needs momentum and no dampening.
/// let bad = Sgd::builder(0.01).nesterov(true).build::<f64>();
/// assert!(matches!(bad, Err(ConfigError::Nesterov { .. })));
/// # Ok::<(), ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdConfig {
    /// Learning rate.
    pub lr: f64,
    /// Momentum factor (0: none).
    pub momentum: f64,
    /// Dampening of the gradient's share in the momentum buffer.
    pub dampening: f64,
    /// Adds `weight_decay · p` to the gradient (L2 penalty `(weight_decay/2)‖p‖²`).
    pub weight_decay: f64,
    /// Nesterov momentum (needs `momentum > 0` and `dampening == 0`).
    pub nesterov: bool,
    /// Maximise the function instead of minimising it.
    pub maximize: bool,
}

impl Default for SgdConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            momentum: 0.0,
            dampening: 0.0,
            weight_decay: 0.0,
            nesterov: false,
            maximize: false,
        }
    }
}

impl SgdConfig {
    /// Sets the learning rate.
    pub fn lr(self, lr: f64) -> Self {
        Self { lr, ..self }
    }
    /// Sets the momentum factor.
    pub fn momentum(self, momentum: f64) -> Self {
        Self { momentum, ..self }
    }
    /// Sets the dampening.
    pub fn dampening(self, dampening: f64) -> Self {
        Self { dampening, ..self }
    }
    /// Sets the weight decay.
    pub fn weight_decay(self, weight_decay: f64) -> Self {
        Self {
            weight_decay,
            ..self
        }
    }
    /// Turns Nesterov momentum on or off.
    pub fn nesterov(self, nesterov: bool) -> Self {
        Self { nesterov, ..self }
    }
    /// Maximise instead of minimise.
    pub fn maximize(self, maximize: bool) -> Self {
        Self { maximize, ..self }
    }

    /// Checks the hyper-parameters with PyTorch's conditions.
    ///
    /// # Errors
    /// [`ConfigError`] naming the first value that makes no sense.
    pub fn validate(&self) -> Result<(), ConfigError> {
        non_negative(self.lr, ConfigError::LearningRate)?;
        non_negative(self.momentum, ConfigError::Momentum)?;
        non_negative(self.weight_decay, ConfigError::WeightDecay)?;
        if !self.dampening.is_finite() {
            return Err(ConfigError::Dampening(self.dampening));
        }
        if self.nesterov && (self.momentum <= 0.0 || self.dampening != 0.0) {
            return Err(ConfigError::Nesterov {
                momentum: self.momentum,
                dampening: self.dampening,
            });
        }
        Ok(())
    }

    /// The optimiser with these hyper-parameters.
    ///
    /// # Errors
    /// As [`SgdConfig::validate`].
    pub fn build<T: Real>(self) -> Result<Sgd<T>, ConfigError> {
        self.validate()?;
        Ok(Sgd {
            config: self,
            momentum_buffer: Vec::new(),
            state_len: None,
            steps: 0,
        })
    }
}

/// `torch.optim.SGD`.
///
/// Each step, with `g` the gradient (negated if maximising) plus `weight_decay · p`:
/// `b = g` at the first step, then `b = momentum · b + (1 - dampening) g`; the update direction
/// is `g + momentum · b` (Nesterov) or `b` (momentum) or `g` (none), and `p -= lr · direction`.
#[derive(Debug, Clone)]
pub struct Sgd<T: Real = f64> {
    config: SgdConfig,
    momentum_buffer: Vec<T>,
    state_len: Option<usize>,
    steps: u64,
}

impl Sgd {
    /// A config with learning rate `lr` and PyTorch's defaults, to adjust and `build()`
    /// (the parameter type is inferred from the steps, or named: `build::<f32>()`).
    pub fn builder(lr: f64) -> SgdConfig {
        SgdConfig::default().lr(lr)
    }
}

impl<T: Real> Sgd<T> {
    /// SGD with learning rate `lr` and PyTorch's other defaults (no momentum).
    ///
    /// # Errors
    /// [`ConfigError::LearningRate`] when `lr` is negative or not finite.
    pub fn new(lr: f64) -> Result<Self, ConfigError> {
        SgdConfig::default().lr(lr).build()
    }

    /// The hyper-parameters (with the current learning rate).
    pub fn config(&self) -> &SgdConfig {
        &self.config
    }
}

impl<T: Real> LearningRate for Sgd<T> {
    fn lr(&self) -> f64 {
        self.config.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.config.lr = lr;
    }
}

impl<T: Real> Optimizer<T> for Sgd<T> {
    fn step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), StepError> {
        check_lengths(params.len(), grads.len(), self.state_len)?;
        let c = self.config;
        let wd = decay::<T>(c.weight_decay);
        let neg_lr = T::from_f64(-c.lr);
        let use_momentum = c.momentum != 0.0;
        let momentum = T::from_f64(c.momentum);
        let keep = T::from_f64(1.0 - c.dampening);
        let first = self.momentum_buffer.is_empty();
        if use_momentum && first {
            self.momentum_buffer = vec![T::ZERO; params.len()];
        }
        for (i, (p, &g)) in params.iter_mut().zip(grads).enumerate() {
            let mut d = effective_grad(g, *p, c.maximize, wd);
            if use_momentum {
                let b = &mut self.momentum_buffer[i];
                *b = if first { d } else { *b * momentum + keep * d };
                d = if c.nesterov { d + momentum * *b } else { *b };
            }
            *p = *p + neg_lr * d;
        }
        self.state_len = Some(params.len());
        self.steps += 1;
        Ok(())
    }

    fn name(&self) -> &'static str {
        "SGD"
    }

    fn steps(&self) -> u64 {
        self.steps
    }

    fn reset(&mut self) {
        self.momentum_buffer.clear();
        self.state_len = None;
        self.steps = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{assert_close, two_steps};

    fn sgd(config: SgdConfig) -> Sgd<f64> {
        config.build().expect("valid config")
    }

    // Hand-derived on f = x² + 3y² (gradient (2x, 6y)) from (1, -1), lr 0.1.
    #[test]
    fn plain_steps() {
        let got = two_steps(&mut sgd(Sgd::builder(0.1)));
        assert_close(got, [[0.8, -0.4], [0.64, -0.16]], 1e-15);
    }

    #[test]
    fn momentum_starts_its_buffer_at_the_first_gradient() {
        // b1 = (2, -6); b2 = 0.9 b1 + (1.6, -2.4) = (3.4, -7.8)
        let got = two_steps(&mut sgd(Sgd::builder(0.1).momentum(0.9)));
        assert_close(got, [[0.8, -0.4], [0.46, 0.38]], 1e-15);
    }

    #[test]
    fn dampening_applies_from_the_second_step() {
        // b2 = 0.9 (2, -6) + 0.5 (1.6, -2.4) = (2.6, -6.6)
        let got = two_steps(&mut sgd(Sgd::builder(0.1).momentum(0.9).dampening(0.5)));
        assert_close(got, [[0.8, -0.4], [0.54, 0.26]], 1e-15);
    }

    #[test]
    fn nesterov_looks_ahead() {
        // step 1: d = g + 0.9 g = (3.8, -11.4); step 2: g = (1.24, 0.84), b = (3.04, -4.56),
        // d = (3.976, -3.264)
        let got = two_steps(&mut sgd(Sgd::builder(0.1).momentum(0.9).nesterov(true)));
        assert_close(got, [[0.62, 0.14], [0.2224, 0.4664]], 1e-14);
    }

    #[test]
    fn weight_decay_adds_to_the_gradient() {
        // g1 = (2.5, -6.5); g2 = (1.5 + 0.375, -2.1 - 0.175)
        let got = two_steps(&mut sgd(Sgd::builder(0.1).weight_decay(0.5)));
        assert_close(got, [[0.75, -0.35], [0.5625, -0.1225]], 1e-15);
    }

    #[test]
    fn maximize_climbs() {
        let got = two_steps(&mut sgd(Sgd::builder(0.1).maximize(true)));
        assert_close(got, [[1.2, -1.6], [1.44, -2.56]], 1e-15);
    }

    #[test]
    fn f32_parameters_take_the_same_steps() {
        let mut opt: Sgd<f32> = Sgd::builder(0.1).momentum(0.9).build().expect("valid");
        assert_close(two_steps(&mut opt), [[0.8, -0.4], [0.46, 0.38]], 1e-6);
    }

    #[test]
    fn invalid_hyper_parameters_are_errors() {
        let b = || Sgd::builder(0.1);
        assert_eq!(
            b().lr(-0.1).validate(),
            Err(ConfigError::LearningRate(-0.1))
        );
        assert!(matches!(
            b().lr(f64::NAN).validate(),
            Err(ConfigError::LearningRate(_))
        ));
        assert_eq!(
            b().momentum(-0.5).validate(),
            Err(ConfigError::Momentum(-0.5))
        );
        assert_eq!(
            b().weight_decay(-1.0).validate(),
            Err(ConfigError::WeightDecay(-1.0))
        );
        assert!(matches!(
            b().momentum(0.9).dampening(0.1).nesterov(true).validate(),
            Err(ConfigError::Nesterov { .. })
        ));
        assert!(matches!(
            b().nesterov(true).validate(),
            Err(ConfigError::Nesterov { .. })
        ));
        assert!(b().lr(0.0).momentum(0.9).dampening(0.3).validate().is_ok());
    }

    #[test]
    fn mismatched_slices_are_errors_and_change_nothing() {
        let mut opt = Sgd::<f64>::new(0.1).expect("valid");
        let mut p = [1.0, 2.0];
        assert_eq!(
            opt.step(&mut p, &[1.0]),
            Err(StepError::LengthMismatch {
                params: 2,
                grads: 1
            })
        );
        assert_eq!(p, [1.0, 2.0]);
        opt.step(&mut p, &[1.0, 1.0]).expect("fits");
        let mut q = [0.0; 3];
        assert_eq!(
            opt.step(&mut q, &[0.0; 3]),
            Err(StepError::StateMismatch {
                state: 2,
                params: 3
            })
        );
        opt.reset();
        assert!(opt.step(&mut q, &[0.0; 3]).is_ok());
    }
}
