//! Adamax, `torch.optim.Adamax`: Adam with the infinity norm in place of the root mean square.

use super::error::{ConfigError, StepError, betas_in_range, check_lengths, non_negative, positive};
use super::real::{lerp, maximum};
use super::{LearningRate, Optimizer, Real, decay, effective_grad};

/// Adamax's hyper-parameters, PyTorch's defaults: `lr = 2e-3`, `betas = (0.9, 0.999)`,
/// `eps = 1e-8`, `weight_decay = 0`, `maximize = false`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamaxConfig {
    /// Learning rate.
    pub lr: f64,
    /// Decay rates of the first moment and of the infinity norm, each in `[0, 1)`.
    pub betas: (f64, f64),
    /// Added to `|g|` for numerical stability.
    pub eps: f64,
    /// Adds `weight_decay · p` to the gradient.
    pub weight_decay: f64,
    /// Maximise the function instead of minimising it.
    pub maximize: bool,
}

impl Default for AdamaxConfig {
    fn default() -> Self {
        Self {
            lr: 2e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            maximize: false,
        }
    }
}

impl AdamaxConfig {
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
    /// Sets the weight decay.
    pub fn weight_decay(self, weight_decay: f64) -> Self {
        Self {
            weight_decay,
            ..self
        }
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
        positive(self.eps, ConfigError::Epsilon)?;
        betas_in_range(self.betas)?;
        non_negative(self.weight_decay, ConfigError::WeightDecay)
    }

    /// The optimiser with these hyper-parameters.
    ///
    /// # Errors
    /// As [`AdamaxConfig::validate`].
    pub fn build<T: Real>(self) -> Result<Adamax<T>, ConfigError> {
        self.validate()?;
        Ok(Adamax {
            config: self,
            exp_avg: Vec::new(),
            exp_inf: Vec::new(),
            steps: 0,
        })
    }
}

/// `torch.optim.Adamax`.
///
/// Step `t`: `m = lerp(m, g, 1-β₁)`, `u = max(β₂ u, |g| + eps)`, `p -= lr / (1-β₁ᵗ) · m / u`.
#[derive(Debug, Clone)]
pub struct Adamax<T: Real = f64> {
    config: AdamaxConfig,
    exp_avg: Vec<T>,
    exp_inf: Vec<T>,
    steps: u64,
}

impl Adamax {
    /// A config with learning rate `lr` and PyTorch's defaults, to adjust and `build()`
    /// (the parameter type is inferred from the steps, or named: `build::<f32>()`).
    pub fn builder(lr: f64) -> AdamaxConfig {
        AdamaxConfig::default().lr(lr)
    }
}

impl<T: Real> Adamax<T> {
    /// Adamax with learning rate `lr` and PyTorch's other defaults.
    ///
    /// # Errors
    /// [`ConfigError::LearningRate`] when `lr` is negative or not finite.
    pub fn new(lr: f64) -> Result<Self, ConfigError> {
        AdamaxConfig::default().lr(lr).build()
    }

    /// The hyper-parameters (with the current learning rate).
    pub fn config(&self) -> &AdamaxConfig {
        &self.config
    }
}

impl<T: Real> LearningRate for Adamax<T> {
    fn lr(&self) -> f64 {
        self.config.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.config.lr = lr;
    }
}

impl<T: Real> Optimizer<T> for Adamax<T> {
    fn step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), StepError> {
        let state = (self.steps > 0).then_some(self.exp_avg.len());
        check_lengths(params.len(), grads.len(), state)?;
        let c = self.config;
        let n = params.len();
        if self.steps == 0 {
            self.exp_avg = vec![T::ZERO; n];
            self.exp_inf = vec![T::ZERO; n];
        }
        self.steps += 1;
        let (beta1, beta2) = c.betas;
        let neg_clr = T::from_f64(-(c.lr / (1.0 - libm::pow(beta1, self.steps as f64))));
        let w1 = T::from_f64(1.0 - beta1);
        let b2 = T::from_f64(beta2);
        let eps = T::from_f64(c.eps);
        let wd = decay::<T>(c.weight_decay);
        for i in 0..n {
            let g = effective_grad(grads[i], params[i], c.maximize, wd);
            let m = lerp(self.exp_avg[i], g, w1);
            self.exp_avg[i] = m;
            let u = maximum(self.exp_inf[i] * b2, g.abs() + eps);
            self.exp_inf[i] = u;
            params[i] = params[i] + neg_clr * m / u;
        }
        Ok(())
    }

    fn name(&self) -> &'static str {
        "Adamax"
    }

    fn steps(&self) -> u64 {
        self.steps
    }

    fn reset(&mut self) {
        self.exp_avg.clear();
        self.exp_inf.clear();
        self.steps = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{assert_close, two_steps};

    // On f = x² + 3y² from (1, -1), lr 0.1: step 1 has m̂ = g and u = |g| + eps; step 2 has
    // g = (1.8, -5.4), m = (0.36, -1.08), u = max(0.999 · 2, 1.8) = 1.998 for x.
    #[test]
    fn default_steps() {
        let mut opt = Adamax::<f64>::new(0.1).expect("valid");
        let want = [
            [0.9000000005, -0.900000000167],
            [0.805168327169, -0.805168326537],
        ];
        assert_close(two_steps(&mut opt), want, 1e-11);
    }

    #[test]
    fn defaults_are_pytorch_s() {
        let c = AdamaxConfig::default();
        assert_eq!(
            (c.lr, c.betas, c.eps, c.weight_decay),
            (2e-3, (0.9, 0.999), 1e-8, 0.0)
        );
    }

    #[test]
    fn invalid_hyper_parameters_are_errors() {
        let b = || Adamax::builder(2e-3);
        assert_eq!(
            b().lr(-1.0).validate(),
            Err(ConfigError::LearningRate(-1.0))
        );
        assert_eq!(b().eps(-1.0).validate(), Err(ConfigError::Epsilon(-1.0)));
        assert_eq!(
            b().betas(-0.1, 0.9).validate(),
            Err(ConfigError::Beta {
                index: 0,
                value: -0.1
            })
        );
        assert_eq!(
            b().weight_decay(-1.0).validate(),
            Err(ConfigError::WeightDecay(-1.0))
        );
    }
}
