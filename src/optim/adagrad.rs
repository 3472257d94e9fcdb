//! Adagrad, `torch.optim.Adagrad`: steps scaled by the root of the sum of all squared
//! gradients so far, with an optional decaying learning rate.

use super::error::{ConfigError, StepError, check_lengths, non_negative, positive};
use super::{LearningRate, Optimizer, Real, decay, effective_grad};

/// Adagrad's hyper-parameters, PyTorch's defaults: `lr = 1e-2`, `lr_decay = 0`,
/// `weight_decay = 0`, `initial_accumulator_value = 0`, `eps = 1e-10`, `maximize = false`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdagradConfig {
    /// Learning rate.
    pub lr: f64,
    /// The learning rate of step `t` is `lr / (1 + (t - 1) lr_decay)`.
    pub lr_decay: f64,
    /// Adds `weight_decay · p` to the gradient.
    pub weight_decay: f64,
    /// Starting value of the sum of squared gradients.
    pub initial_accumulator_value: f64,
    /// Added to the denominator for numerical stability.
    pub eps: f64,
    /// Maximise the function instead of minimising it.
    pub maximize: bool,
}

impl Default for AdagradConfig {
    fn default() -> Self {
        Self {
            lr: 1e-2,
            lr_decay: 0.0,
            weight_decay: 0.0,
            initial_accumulator_value: 0.0,
            eps: 1e-10,
            maximize: false,
        }
    }
}

impl AdagradConfig {
    /// Sets the learning rate.
    pub fn lr(self, lr: f64) -> Self {
        Self { lr, ..self }
    }
    /// Sets the learning-rate decay.
    pub fn lr_decay(self, lr_decay: f64) -> Self {
        Self { lr_decay, ..self }
    }
    /// Sets the weight decay.
    pub fn weight_decay(self, weight_decay: f64) -> Self {
        Self {
            weight_decay,
            ..self
        }
    }
    /// Sets the starting value of the accumulator.
    pub fn initial_accumulator_value(self, initial_accumulator_value: f64) -> Self {
        Self {
            initial_accumulator_value,
            ..self
        }
    }
    /// Sets epsilon.
    pub fn eps(self, eps: f64) -> Self {
        Self { eps, ..self }
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
        non_negative(self.lr_decay, ConfigError::LrDecay)?;
        non_negative(self.weight_decay, ConfigError::WeightDecay)?;
        non_negative(
            self.initial_accumulator_value,
            ConfigError::InitialAccumulator,
        )?;
        positive(self.eps, ConfigError::Epsilon)
    }

    /// The optimiser with these hyper-parameters.
    ///
    /// # Errors
    /// As [`AdagradConfig::validate`].
    pub fn build<T: Real>(self) -> Result<Adagrad<T>, ConfigError> {
        self.validate()?;
        Ok(Adagrad {
            config: self,
            sum: Vec::new(),
            steps: 0,
        })
    }
}

/// `torch.optim.Adagrad`.
///
/// Step `t`: `clr = lr / (1 + (t-1) lr_decay)`, `Σ += g²`, `p -= clr · g / (√Σ + eps)`.
#[derive(Debug, Clone)]
pub struct Adagrad<T: Real = f64> {
    config: AdagradConfig,
    sum: Vec<T>,
    steps: u64,
}

impl Adagrad {
    /// A config with learning rate `lr` and PyTorch's defaults, to adjust and `build()`
    /// (the parameter type is inferred from the steps, or named: `build::<f32>()`).
    pub fn builder(lr: f64) -> AdagradConfig {
        AdagradConfig::default().lr(lr)
    }
}

impl<T: Real> Adagrad<T> {
    /// Adagrad with learning rate `lr` and PyTorch's other defaults.
    ///
    /// # Errors
    /// [`ConfigError::LearningRate`] when `lr` is negative or not finite.
    pub fn new(lr: f64) -> Result<Self, ConfigError> {
        AdagradConfig::default().lr(lr).build()
    }

    /// The hyper-parameters (with the current learning rate).
    pub fn config(&self) -> &AdagradConfig {
        &self.config
    }
}

impl<T: Real> LearningRate for Adagrad<T> {
    fn lr(&self) -> f64 {
        self.config.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.config.lr = lr;
    }
}

impl<T: Real> Optimizer<T> for Adagrad<T> {
    fn step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), StepError> {
        let state = (self.steps > 0).then_some(self.sum.len());
        check_lengths(params.len(), grads.len(), state)?;
        let c = self.config;
        if self.steps == 0 {
            self.sum = vec![T::from_f64(c.initial_accumulator_value); params.len()];
        }
        self.steps += 1;
        let wd = decay::<T>(c.weight_decay);
        let clr = c.lr / (1.0 + (self.steps - 1) as f64 * c.lr_decay);
        let neg_clr = T::from_f64(-clr);
        let eps = T::from_f64(c.eps);
        for ((p, &g), s) in params.iter_mut().zip(grads).zip(&mut self.sum) {
            let g = effective_grad(g, *p, c.maximize, wd);
            *s = *s + g * g;
            let std = s.sqrt() + eps;
            *p = *p + neg_clr * g / std;
        }
        Ok(())
    }

    fn name(&self) -> &'static str {
        "Adagrad"
    }

    fn steps(&self) -> u64 {
        self.steps
    }

    fn reset(&mut self) {
        self.sum.clear();
        self.steps = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{assert_close, two_steps};

    fn ada(config: AdagradConfig) -> Adagrad<f64> {
        config.build().expect("valid config")
    }

    // On f = x² + 3y² from (1, -1), lr 0.01: step 1 has Σ = g², so p moves by 0.01 · sign(g);
    // step 2 has g = (1.98, -5.94), Σ = (7.9204, 71.2836), a move of 0.01 · 1.98 / 2.81432.
    #[test]
    fn default_steps() {
        let got = two_steps(&mut ada(AdagradConfig::default()));
        assert_close(
            got,
            [[0.99, -0.99], [0.982964554022, -0.982964554021]],
            1e-11,
        );
    }

    #[test]
    fn lr_decay_divides_the_second_step() {
        // step 2 uses lr / (1 + 0.5)
        let got = two_steps(&mut ada(AdagradConfig::default().lr_decay(0.5)));
        assert_close(
            got,
            [[0.99, -0.99], [0.985309702681, -0.985309702681]],
            1e-11,
        );
    }

    #[test]
    fn the_accumulator_starts_at_its_initial_value() {
        // step 1: Σ = 1 + g² = (5, 37)
        let got = two_steps(&mut ada(
            AdagradConfig::default().initial_accumulator_value(1.0)
        ));
        let want = [
            [0.99105572809, -0.990136060762],
            [0.984422386608, -0.983148958394],
        ];
        assert_close(got, want, 1e-11);
    }

    #[test]
    fn invalid_hyper_parameters_are_errors() {
        let b = || Adagrad::builder(0.01);
        assert_eq!(
            b().lr(-1.0).validate(),
            Err(ConfigError::LearningRate(-1.0))
        );
        assert_eq!(
            b().lr_decay(-1.0).validate(),
            Err(ConfigError::LrDecay(-1.0))
        );
        assert_eq!(
            b().weight_decay(-1.0).validate(),
            Err(ConfigError::WeightDecay(-1.0))
        );
        assert_eq!(
            b().initial_accumulator_value(-1.0).validate(),
            Err(ConfigError::InitialAccumulator(-1.0))
        );
        assert_eq!(b().eps(-1.0).validate(), Err(ConfigError::Epsilon(-1.0)));
    }
}
