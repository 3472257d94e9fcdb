//! AdamW, `torch.optim.AdamW`: Adam with decoupled weight decay (the parameters shrink by
//! `1 - lr · weight_decay` each step instead of the decay entering the gradient).

use super::adam::{Adam, AdamConfig};
use super::error::{ConfigError, StepError};
use super::{LearningRate, Optimizer, Real};

/// AdamW's hyper-parameters, PyTorch's defaults: `lr = 1e-3`, `betas = (0.9, 0.999)`,
/// `eps = 1e-8`, `weight_decay = 1e-2`, `amsgrad = false`, `maximize = false`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamWConfig {
    /// Learning rate.
    pub lr: f64,
    /// Decay rates of the first and second moment estimates, each in `[0, 1)`.
    pub betas: (f64, f64),
    /// Added to the denominator for numerical stability.
    pub eps: f64,
    /// Decoupled weight decay: `p *= 1 - lr · weight_decay` before each Adam step.
    pub weight_decay: f64,
    /// Use the largest second moment seen so far (AMSGrad).
    pub amsgrad: bool,
    /// Maximise the function instead of minimising it.
    pub maximize: bool,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 1e-2,
            amsgrad: false,
            maximize: false,
        }
    }
}

impl AdamWConfig {
    /// Sets the learning rate.
    pub fn lr(self, lr: f64) -> Self {
        Self { lr, ..self }
    }
    /// Sets `(beta1, beta2)`.
    pub fn betas(self, beta1: f64, beta2: f64) -> Self {
        Self {
            betas: (beta1, beta2),
            ..self
        }
    }
    /// Sets epsilon.
    pub fn eps(self, eps: f64) -> Self {
        Self { eps, ..self }
    }
    /// Sets the (decoupled) weight decay.
    pub fn weight_decay(self, weight_decay: f64) -> Self {
        Self {
            weight_decay,
            ..self
        }
    }
    /// Turns AMSGrad on or off.
    pub fn amsgrad(self, amsgrad: bool) -> Self {
        Self { amsgrad, ..self }
    }
    /// Maximise instead of minimise.
    pub fn maximize(self, maximize: bool) -> Self {
        Self { maximize, ..self }
    }

    fn as_adam(&self) -> AdamConfig {
        AdamConfig {
            lr: self.lr,
            betas: self.betas,
            eps: self.eps,
            weight_decay: self.weight_decay,
            amsgrad: self.amsgrad,
            maximize: self.maximize,
        }
    }

    /// Checks the hyper-parameters with PyTorch's conditions (Adam's).
    ///
    /// # Errors
    /// [`ConfigError`] naming the first value that makes no sense.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.as_adam().validate()
    }

    /// The optimiser with these hyper-parameters.
    ///
    /// # Errors
    /// As [`AdamWConfig::validate`].
    pub fn build<T: Real>(self) -> Result<AdamW<T>, ConfigError> {
        self.validate()?;
        Ok(AdamW {
            config: self,
            inner: Adam::from_parts(self.as_adam(), true),
        })
    }
}

/// `torch.optim.AdamW`: [`Adam`]'s update after `p *= 1 - lr · weight_decay`.
#[derive(Debug, Clone)]
pub struct AdamW<T: Real = f64> {
    config: AdamWConfig,
    inner: Adam<T>,
}

impl AdamW {
    /// A config with learning rate `lr` and PyTorch's defaults, to adjust and `build()`
    /// (the parameter type is inferred from the steps, or named: `build::<f32>()`).
    pub fn builder(lr: f64) -> AdamWConfig {
        AdamWConfig::default().lr(lr)
    }
}

impl<T: Real> AdamW<T> {
    /// AdamW with learning rate `lr` and PyTorch's other defaults (weight decay 0.01).
    ///
    /// # Errors
    /// [`ConfigError::LearningRate`] when `lr` is negative or not finite.
    pub fn new(lr: f64) -> Result<Self, ConfigError> {
        AdamWConfig::default().lr(lr).build()
    }

    /// The hyper-parameters (with the current learning rate).
    pub fn config(&self) -> &AdamWConfig {
        &self.config
    }
}

impl<T: Real> LearningRate for AdamW<T> {
    fn lr(&self) -> f64 {
        self.config.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.config.lr = lr;
        self.inner.set_lr(lr);
    }
}

impl<T: Real> Optimizer<T> for AdamW<T> {
    fn step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), StepError> {
        self.inner.step(params, grads)
    }
    fn name(&self) -> &'static str {
        "AdamW"
    }
    fn steps(&self) -> u64 {
        self.inner.steps()
    }
    fn reset(&mut self) {
        self.inner.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{assert_close, two_steps};

    #[test]
    fn defaults_are_pytorch_s() {
        let c = AdamWConfig::default();
        assert_eq!(
            (c.lr, c.betas, c.eps, c.weight_decay),
            (1e-3, (0.9, 0.999), 1e-8, 1e-2)
        );
    }

    // On f = x² + 3y² from (1, -1), lr 0.1, weight decay 0.5: p shrinks by 1 - 0.05 before
    // each Adam step, so step 1 lands at 0.95 - 0.1.
    #[test]
    fn decoupled_decay_shrinks_the_parameters() {
        let mut opt: AdamW = AdamW::builder(0.1)
            .weight_decay(0.5)
            .build()
            .expect("valid");
        let want = [
            [0.8500000005, -0.850000000167],
            [0.70824844336, -0.708248442689],
        ];
        assert_close(two_steps(&mut opt), want, 1e-11);
        assert_eq!(opt.name(), "AdamW");
    }

    #[test]
    fn invalid_hyper_parameters_are_errors() {
        let b = || AdamW::builder(1e-3);
        assert_eq!(
            b().lr(-1.0).validate(),
            Err(ConfigError::LearningRate(-1.0))
        );
        assert_eq!(
            b().betas(0.9, 1.5).validate(),
            Err(ConfigError::Beta {
                index: 1,
                value: 1.5
            })
        );
        assert_eq!(
            b().weight_decay(-0.01).validate(),
            Err(ConfigError::WeightDecay(-0.01))
        );
    }
}
