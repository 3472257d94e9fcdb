//! RMSprop, `torch.optim.RMSprop`: steps scaled by a running root mean square of the gradient,
//! optionally centred and with momentum.

use super::error::{ConfigError, StepError, check_lengths, non_negative, positive};
use super::real::lerp;
use super::{LearningRate, Optimizer, Real, decay, effective_grad};

/// RMSprop's hyper-parameters, PyTorch's defaults: `lr = 1e-2`, `alpha = 0.99`, `eps = 1e-8`,
/// `weight_decay = 0`, `momentum = 0`, `centered = false`, `maximize = false`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RmsPropConfig {
    /// Learning rate.
    pub lr: f64,
    /// Smoothing constant of the running average of squared gradients.
    pub alpha: f64,
    /// Added to the denominator for numerical stability.
    pub eps: f64,
    /// Adds `weight_decay · p` to the gradient.
    pub weight_decay: f64,
    /// Momentum factor (0: none).
    pub momentum: f64,
    /// Divide by the estimated variance (subtract the squared running mean of the gradient).
    pub centered: bool,
    /// Maximise the function instead of minimising it.
    pub maximize: bool,
}

impl Default for RmsPropConfig {
    fn default() -> Self {
        Self {
            lr: 1e-2,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
            maximize: false,
        }
    }
}

impl RmsPropConfig {
    /// Sets the learning rate.
    pub fn lr(self, lr: f64) -> Self {
        Self { lr, ..self }
    }
    /// Sets the smoothing constant.
    pub fn alpha(self, alpha: f64) -> Self {
        Self { alpha, ..self }
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
    /// Sets the momentum factor.
    pub fn momentum(self, momentum: f64) -> Self {
        Self { momentum, ..self }
    }
    /// Turns centring on or off.
    pub fn centered(self, centered: bool) -> Self {
        Self { centered, ..self }
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
        non_negative(self.momentum, ConfigError::Momentum)?;
        non_negative(self.weight_decay, ConfigError::WeightDecay)?;
        non_negative(self.alpha, ConfigError::Alpha)
    }

    /// The optimiser with these hyper-parameters.
    ///
    /// # Errors
    /// As [`RmsPropConfig::validate`].
    pub fn build<T: Real>(self) -> Result<RmsProp<T>, ConfigError> {
        self.validate()?;
        Ok(RmsProp {
            config: self,
            square_avg: Vec::new(),
            grad_avg: Vec::new(),
            momentum_buffer: Vec::new(),
            steps: 0,
        })
    }
}

/// `torch.optim.RMSprop`.
///
/// Each step: `s = α s + (1-α) g²`; the denominator is `√s + eps`, or `√(s - ḡ²) + eps` when
/// centred (with `ḡ = lerp(ḡ, g, 1-α)`); then `p -= lr · g / denominator`, or with momentum
/// `b = momentum · b + g / denominator` and `p -= lr · b`.
#[derive(Debug, Clone)]
pub struct RmsProp<T: Real = f64> {
    config: RmsPropConfig,
    square_avg: Vec<T>,
    grad_avg: Vec<T>,
    momentum_buffer: Vec<T>,
    steps: u64,
}

impl RmsProp {
    /// A config with learning rate `lr` and PyTorch's defaults, to adjust and `build()`
    /// (the parameter type is inferred from the steps, or named: `build::<f32>()`).
    pub fn builder(lr: f64) -> RmsPropConfig {
        RmsPropConfig::default().lr(lr)
    }
}

impl<T: Real> RmsProp<T> {
    /// RMSprop with learning rate `lr` and PyTorch's other defaults.
    ///
    /// # Errors
    /// [`ConfigError::LearningRate`] when `lr` is negative or not finite.
    pub fn new(lr: f64) -> Result<Self, ConfigError> {
        RmsPropConfig::default().lr(lr).build()
    }

    /// The hyper-parameters (with the current learning rate).
    pub fn config(&self) -> &RmsPropConfig {
        &self.config
    }
}

impl<T: Real> LearningRate for RmsProp<T> {
    fn lr(&self) -> f64 {
        self.config.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.config.lr = lr;
    }
}

impl<T: Real> Optimizer<T> for RmsProp<T> {
    fn step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), StepError> {
        let state = (self.steps > 0).then_some(self.square_avg.len());
        check_lengths(params.len(), grads.len(), state)?;
        let c = self.config;
        let n = params.len();
        if self.steps == 0 {
            self.square_avg = vec![T::ZERO; n];
            self.grad_avg = if c.centered {
                vec![T::ZERO; n]
            } else {
                Vec::new()
            };
            self.momentum_buffer = if c.momentum > 0.0 {
                vec![T::ZERO; n]
            } else {
                Vec::new()
            };
        }
        let wd = decay::<T>(c.weight_decay);
        let alpha = T::from_f64(c.alpha);
        let one_minus_alpha = T::from_f64(1.0 - c.alpha);
        let eps = T::from_f64(c.eps);
        let momentum = T::from_f64(c.momentum);
        let neg_lr = T::from_f64(-c.lr);
        for i in 0..n {
            let g = effective_grad(grads[i], params[i], c.maximize, wd);
            let s = self.square_avg[i] * alpha + one_minus_alpha * g * g;
            self.square_avg[i] = s;
            let avg = if c.centered {
                let m = lerp(self.grad_avg[i], g, one_minus_alpha);
                self.grad_avg[i] = m;
                (s + -(m * m)).sqrt()
            } else {
                s.sqrt()
            } + eps;
            if c.momentum > 0.0 {
                let b = self.momentum_buffer[i] * momentum + g / avg;
                self.momentum_buffer[i] = b;
                params[i] = params[i] + neg_lr * b;
            } else {
                params[i] = params[i] + neg_lr * g / avg;
            }
        }
        self.steps += 1;
        Ok(())
    }

    fn name(&self) -> &'static str {
        "RMSprop"
    }

    fn steps(&self) -> u64 {
        self.steps
    }

    fn reset(&mut self) {
        self.square_avg.clear();
        self.grad_avg.clear();
        self.momentum_buffer.clear();
        self.steps = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{assert_close, two_steps};

    fn rms(config: RmsPropConfig) -> RmsProp<f64> {
        config.build().expect("valid config")
    }

    // On f = x² + 3y² (gradient (2x, 6y)) from (1, -1), PyTorch's defaults (lr 0.01,
    // alpha 0.99, eps 1e-8), derived by hand: step 1 has s = 0.01 g², so g/(√s + eps) is
    // ±10 (less eps's share) and p moves by 0.1; step 2 has g = (1.8, -5.4),
    // s = (0.072, 0.648), g/√s = ±6.7082039. The digits are from an independent script of
    // the same formulas.
    #[test]
    fn default_steps() {
        let got = two_steps(&mut rms(RmsPropConfig::default()));
        let want = [
            [0.900000005, -0.900000001667],
            [0.83291796797, -0.832917963107],
        ];
        assert_close(got, want, 1e-11);
    }

    #[test]
    fn momentum_accumulates_scaled_gradients() {
        // b₂ = 0.9 · 10 + 6.7082039
        let got = two_steps(&mut rms(RmsPropConfig::default().momentum(0.9)));
        let want = [
            [0.900000005, -0.900000001667],
            [0.74291797247, -0.742917964607],
        ];
        assert_close(got, want, 1e-11);
    }

    #[test]
    fn centering_subtracts_the_squared_mean() {
        // Step 1: ḡ = 0.01 g, denominator √(0.04 - 0.0004) = 0.198997 for x.
        let got = two_steps(&mut rms(RmsPropConfig::default().centered(true)));
        let want = [
            [0.899496223525, -0.899496220158],
            [0.831759379712, -0.831759374784],
        ];
        assert_close(got, want, 1e-11);
    }

    #[test]
    fn invalid_hyper_parameters_are_errors() {
        let b = || RmsProp::builder(0.01);
        assert_eq!(
            b().lr(-1.0).validate(),
            Err(ConfigError::LearningRate(-1.0))
        );
        assert_eq!(b().eps(-1e-8).validate(), Err(ConfigError::Epsilon(-1e-8)));
        assert_eq!(
            b().momentum(-0.1).validate(),
            Err(ConfigError::Momentum(-0.1))
        );
        assert_eq!(
            b().weight_decay(-0.1).validate(),
            Err(ConfigError::WeightDecay(-0.1))
        );
        assert_eq!(b().alpha(-0.5).validate(), Err(ConfigError::Alpha(-0.5)));
        assert_eq!(b().eps(0.0).validate(), Err(ConfigError::Epsilon(0.0)));
    }
}
