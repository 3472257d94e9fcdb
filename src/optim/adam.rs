//! Adam, `torch.optim.Adam`: momentum on the gradient, scaled by a running root mean square,
//! both bias-corrected; optionally AMSGrad. [`AdamW`](super::AdamW) shares this update with
//! decoupled weight decay.

use super::error::{ConfigError, StepError, betas_in_range, check_lengths, non_negative, positive};
use super::real::{lerp, maximum};
use super::{LearningRate, Optimizer, Real, effective_grad};

/// Adam's hyper-parameters, PyTorch's defaults: `lr = 1e-3`, `betas = (0.9, 0.999)`,
/// `eps = 1e-8`, `weight_decay = 0`, `amsgrad = false`, `maximize = false`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConfig {
    /// Learning rate.
    pub lr: f64,
    /// Decay rates of the first and second moment estimates, each in `[0, 1)`.
    pub betas: (f64, f64),
    /// Added to the denominator for numerical stability.
    pub eps: f64,
    /// Adds `weight_decay · p` to the gradient (for decoupled decay use `AdamW`).
    pub weight_decay: f64,
    /// Use the largest second moment seen so far (AMSGrad).
    pub amsgrad: bool,
    /// Maximise the function instead of minimising it.
    pub maximize: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
            maximize: false,
        }
    }
}

impl AdamConfig {
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
    /// Turns AMSGrad on or off.
    pub fn amsgrad(self, amsgrad: bool) -> Self {
        Self { amsgrad, ..self }
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
    /// As [`AdamConfig::validate`].
    pub fn build<T: Real>(self) -> Result<Adam<T>, ConfigError> {
        self.validate()?;
        Ok(Adam::from_parts(self, false))
    }
}

/// `torch.optim.Adam`, in PyTorch's order of operations.
///
/// Step `t`: `m = lerp(m, g, 1-β₁)`, `v = β₂ v + (1-β₂) g²`,
/// `denom = √v / √(1-β₂ᵗ) + eps` (with `v` replaced by its running maximum for AMSGrad),
/// `p -= lr / (1-β₁ᵗ) · m / denom`.
#[derive(Debug, Clone)]
pub struct Adam<T: Real = f64> {
    config: AdamConfig,
    decoupled: bool,
    exp_avg: Vec<T>,
    exp_avg_sq: Vec<T>,
    max_exp_avg_sq: Vec<T>,
    steps: u64,
}

impl Adam {
    /// A config with learning rate `lr` and PyTorch's defaults, to adjust and `build()`
    /// (the parameter type is inferred from the steps, or named: `build::<f32>()`).
    pub fn builder(lr: f64) -> AdamConfig {
        AdamConfig::default().lr(lr)
    }
}

impl<T: Real> Adam<T> {
    /// Adam with learning rate `lr` and PyTorch's other defaults.
    ///
    /// # Errors
    /// [`ConfigError::LearningRate`] when `lr` is negative or not finite.
    pub fn new(lr: f64) -> Result<Self, ConfigError> {
        AdamConfig::default().lr(lr).build()
    }

    /// The hyper-parameters (with the current learning rate).
    pub fn config(&self) -> &AdamConfig {
        &self.config
    }

    /// An Adam core; `decoupled` makes the weight decay AdamW's.
    pub(crate) fn from_parts(config: AdamConfig, decoupled: bool) -> Self {
        Self {
            config,
            decoupled,
            exp_avg: Vec::new(),
            exp_avg_sq: Vec::new(),
            max_exp_avg_sq: Vec::new(),
            steps: 0,
        }
    }
}

impl<T: Real> LearningRate for Adam<T> {
    fn lr(&self) -> f64 {
        self.config.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.config.lr = lr;
    }
}

impl<T: Real> Optimizer<T> for Adam<T> {
    fn step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), StepError> {
        let state = (self.steps > 0).then_some(self.exp_avg.len());
        check_lengths(params.len(), grads.len(), state)?;
        let c = self.config;
        let n = params.len();
        if self.steps == 0 {
            self.exp_avg = vec![T::ZERO; n];
            self.exp_avg_sq = vec![T::ZERO; n];
            self.max_exp_avg_sq = if c.amsgrad {
                vec![T::ZERO; n]
            } else {
                Vec::new()
            };
        }
        self.steps += 1;
        let t = self.steps as f64;
        let (beta1, beta2) = c.betas;
        // Scalars in f64, as Python floats in PyTorch.
        // `libm`, not the platform's `pow`: the same bits natively and in WebAssembly.
        let bias_correction1 = 1.0 - libm::pow(beta1, t);
        let bias_correction2 = 1.0 - libm::pow(beta2, t);
        let neg_step_size = T::from_f64(-(c.lr / bias_correction1));
        let bias_correction2_sqrt = T::from_f64(bias_correction2.sqrt());
        let w1 = T::from_f64(1.0 - beta1);
        let b2 = T::from_f64(beta2);
        let w2 = T::from_f64(1.0 - beta2);
        let eps = T::from_f64(c.eps);
        let (coupled_wd, shrink) = match (c.weight_decay != 0.0, self.decoupled) {
            (false, _) => (None, None),
            (true, false) => (Some(T::from_f64(c.weight_decay)), None),
            (true, true) => (None, Some(T::from_f64(1.0 - c.lr * c.weight_decay))),
        };
        for i in 0..n {
            if let Some(shrink) = shrink {
                params[i] = params[i] * shrink;
            }
            let g = effective_grad(grads[i], params[i], c.maximize, coupled_wd);
            let m = lerp(self.exp_avg[i], g, w1);
            self.exp_avg[i] = m;
            let v = self.exp_avg_sq[i] * b2 + w2 * g * g;
            self.exp_avg_sq[i] = v;
            let v_used = if c.amsgrad {
                let v_max = maximum(self.max_exp_avg_sq[i], v);
                self.max_exp_avg_sq[i] = v_max;
                v_max
            } else {
                v
            };
            let denom = v_used.sqrt() / bias_correction2_sqrt + eps;
            params[i] = params[i] + neg_step_size * m / denom;
        }
        Ok(())
    }

    fn name(&self) -> &'static str {
        if self.decoupled { "AdamW" } else { "Adam" }
    }

    fn steps(&self) -> u64 {
        self.steps
    }

    fn reset(&mut self) {
        self.exp_avg.clear();
        self.exp_avg_sq.clear();
        self.max_exp_avg_sq.clear();
        self.steps = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{assert_close, two_steps};

    fn adam(config: AdamConfig) -> Adam<f64> {
        config.build().expect("valid config")
    }

    // On f = x² + 3y² from (1, -1), lr 0.1. Step 1: m̂ = g, √v̂ = |g|, so p moves by
    // 0.1 · sign(g) (less eps's share). Step 2: g = (1.8, -5.4), m = (0.36, -1.08),
    // v = (0.007236, 0.065124), bias corrections 0.19 and 0.001999.
    #[test]
    fn default_steps() {
        let got = two_steps(&mut adam(Adam::builder(0.1)));
        let want = [
            [0.9000000005, -0.900000000167],
            [0.800412228692, -0.800412228011],
        ];
        assert_close(got, want, 1e-11);
    }

    #[test]
    fn weight_decay_enters_the_gradient() {
        let got = two_steps(&mut adam(Adam::builder(0.1).weight_decay(0.5)));
        let want = [
            [0.9000000004, -0.900000000154],
            [0.800412228488, -0.800412227985],
        ];
        assert_close(got, want, 1e-11);
    }

    #[test]
    fn amsgrad_keeps_the_largest_second_moment() {
        // With beta2 = 0.5 the second moment falls at step 3; AMSGrad keeps step 2's.
        let mut ams = adam(Adam::builder(0.1).betas(0.9, 0.5).amsgrad(true));
        let mut plain = adam(Adam::builder(0.1).betas(0.9, 0.5));
        let want = [
            [0.9000000005, -0.900000000167],
            [0.798625463548, -0.798625462849],
        ];
        assert_close(two_steps(&mut ams), want, 1e-11);
        assert_close(two_steps(&mut plain), want, 1e-11);
        let third = |opt: &mut Adam<f64>| {
            let mut p = [0.798625463548, -0.798625462849];
            let g = [2.0 * p[0], 6.0 * p[1]];
            opt.step(&mut p, &g).expect("fits");
            p[0]
        };
        assert!((third(&mut ams) - 0.695472263833).abs() < 1e-9);
        assert!((third(&mut plain) - 0.694788438223).abs() < 1e-9);
    }

    #[test]
    fn maximize_climbs() {
        let got = two_steps(&mut adam(Adam::builder(0.1).maximize(true)));
        assert!((got[0][0] - 1.1).abs() < 1e-8 && (got[0][1] + 1.1).abs() < 1e-8);
    }

    #[test]
    fn invalid_hyper_parameters_are_errors() {
        let b = || Adam::builder(1e-3);
        assert_eq!(
            b().lr(-1e-3).validate(),
            Err(ConfigError::LearningRate(-1e-3))
        );
        assert_eq!(b().eps(-1.0).validate(), Err(ConfigError::Epsilon(-1.0)));
        assert_eq!(
            b().betas(1.0, 0.999).validate(),
            Err(ConfigError::Beta {
                index: 0,
                value: 1.0
            })
        );
        assert_eq!(
            b().betas(0.9, -0.1).validate(),
            Err(ConfigError::Beta {
                index: 1,
                value: -0.1
            })
        );
        assert!(matches!(
            b().betas(f64::NAN, 0.9).validate(),
            Err(ConfigError::Beta { .. })
        ));
        assert_eq!(
            b().weight_decay(-1.0).validate(),
            Err(ConfigError::WeightDecay(-1.0))
        );
        assert!(b().betas(0.0, 0.0).validate().is_ok());
        assert_eq!(b().eps(0.0).validate(), Err(ConfigError::Epsilon(0.0)));
    }
}
