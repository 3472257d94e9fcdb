//! What can go wrong when configuring or stepping an optimiser or a scheduler.
//!
//! Hyper-parameters are checked with PyTorch's conditions when an optimiser is built, and
//! non-finite values (NaN, ±inf) are refused as well; a step checks that the parameter and
//! gradient slices fit each other and the optimiser's state.

/// A hyper-parameter that makes no sense, with PyTorch's condition for it.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// `lr < 0` or not finite.
    #[error("invalid learning rate {0}: it must be a finite number >= 0, e.g. 0.01")]
    LearningRate(f64),
    /// `eps <= 0` or not finite. Stricter than PyTorch, which accepts `eps = 0`: the
    /// optimisers then divide 0 by 0 wherever a gradient entry stays 0.
    #[error(
        "invalid epsilon value {0}: eps must be a finite number > 0 (it keeps the update from \
         dividing by zero), e.g. 1e-8"
    )]
    Epsilon(f64),
    /// A beta outside `[0, 1)`.
    #[error(
        "invalid beta parameter at index {index}: {value}; each beta must lie in [0, 1), \
         e.g. betas(0.9, 0.999)"
    )]
    Beta {
        /// 0 for `beta1`, 1 for `beta2`.
        index: usize,
        /// The value given.
        value: f64,
    },
    /// `momentum < 0` or not finite.
    #[error("invalid momentum value {0}: momentum must be a finite number >= 0, e.g. 0.9")]
    Momentum(f64),
    /// `weight_decay < 0` or not finite.
    #[error("invalid weight_decay value {0}: it must be a finite number >= 0, e.g. 0.01")]
    WeightDecay(f64),
    /// `dampening` not finite.
    #[error("invalid dampening value {0}: it must be a finite number, usually 0")]
    Dampening(f64),
    /// Nesterov momentum with `momentum <= 0` or `dampening != 0`.
    #[error(
        "Nesterov momentum requires a momentum > 0 and zero dampening (got momentum {momentum}, \
         dampening {dampening}): set a momentum such as 0.9 and dampening 0, or turn nesterov off"
    )]
    Nesterov {
        /// The momentum given.
        momentum: f64,
        /// The dampening given.
        dampening: f64,
    },
    /// RMSprop's `alpha < 0` or not finite.
    #[error(
        "invalid alpha value {0}: the smoothing constant must be a finite number >= 0, e.g. 0.99"
    )]
    Alpha(f64),
    /// Adagrad's `lr_decay < 0` or not finite.
    #[error("invalid lr_decay value {0}: it must be a finite number >= 0, e.g. 0")]
    LrDecay(f64),
    /// Adagrad's `initial_accumulator_value < 0` or not finite.
    #[error("invalid initial_accumulator_value {0}: it must be a finite number >= 0, e.g. 0")]
    InitialAccumulator(f64),
    /// A scheduler period (StepLR's `step_size`, CosineAnnealingLR's `t_max`) of 0.
    #[error("invalid {name} 0: the scheduler's period must be at least 1 step")]
    Period {
        /// `"step_size"` or `"t_max"`.
        name: &'static str,
    },
    /// A scheduler's `gamma < 0` or not finite.
    #[error("invalid gamma {0}: the decay factor must be a finite number >= 0, e.g. 0.95")]
    Gamma(f64),
    /// CosineAnnealingLR's `eta_min < 0` or not finite.
    #[error("invalid eta_min {0}: the smallest learning rate must be a finite number >= 0")]
    EtaMin(f64),
}

/// A step that could not be taken: the slices do not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// `params` and `grads` differ in length.
    #[error(
        "{params} parameters but {grads} gradient entries: pass one gradient entry per parameter"
    )]
    LengthMismatch {
        /// `params.len()`.
        params: usize,
        /// `grads.len()`.
        grads: usize,
    },
    /// The optimiser's state was made for a different number of parameters.
    #[error(
        "this optimiser holds state for {state} parameters but was given {params}: use one \
         optimiser per parameter vector, or call reset() before reusing it"
    )]
    StateMismatch {
        /// Parameters the state was made for.
        state: usize,
        /// Parameters given now.
        params: usize,
    },
}

/// `Ok` when `value` is finite and `>= 0`, else `err(value)`.
pub(crate) fn non_negative(value: f64, err: fn(f64) -> ConfigError) -> Result<(), ConfigError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(err(value))
    }
}

/// `Ok` when `value` is finite and above 0, else `err(value)`.
pub(crate) fn positive(value: f64, err: fn(f64) -> ConfigError) -> Result<(), ConfigError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(err(value))
    }
}

/// Checks `betas` against `[0, 1)`.
pub(crate) fn betas_in_range(betas: (f64, f64)) -> Result<(), ConfigError> {
    for (index, value) in [betas.0, betas.1].into_iter().enumerate() {
        if !(0.0..1.0).contains(&value) {
            return Err(ConfigError::Beta { index, value });
        }
    }
    Ok(())
}

/// Checks that `grads` fits `params`, and that the state (if made) fits too.
pub(crate) fn check_lengths(
    params: usize,
    grads: usize,
    state: Option<usize>,
) -> Result<(), StepError> {
    if params != grads {
        return Err(StepError::LengthMismatch { params, grads });
    }
    match state {
        Some(state) if state != params => Err(StepError::StateMismatch { state, params }),
        _ => Ok(()),
    }
}
