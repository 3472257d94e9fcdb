//! The optimisers by name: for a menu, a legend, or a race of all of them on one landscape.
//!
//! (The original notebook's menu mapped RMSprop to SGD and AdamW and Adamax to Adagrad; here
//! each name builds its own optimiser, and a test holds that.)

use std::fmt;
use std::str::FromStr;

use super::{Adagrad, Adam, AdamW, Adamax, ConfigError, Optimizer, Real, RmsProp, Sgd};

/// One of the optimisers of this module, with PyTorch's defaults.
///
/// ```
/// use descent::landscape::Fancy;
/// use descent::optim::{Kind, run};
///
/// for kind in Kind::ALL {
///     let path = run(&Fancy, [-4.0, 4.0], kind.with_lr(0.1)?, 50)?;
///     println!("{kind}: f = {:.4}", path.last_value().unwrap_or(f64::NAN));
/// }
/// let adam: Kind = "adamw".parse()?;
/// assert_eq!(adam, Kind::AdamW);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// [`Sgd`] (no momentum).
    Sgd,
    /// [`RmsProp`].
    RmsProp,
    /// [`Adagrad`].
    Adagrad,
    /// [`Adam`].
    Adam,
    /// [`AdamW`] (weight decay 0.01).
    AdamW,
    /// [`Adamax`].
    Adamax,
}

impl Kind {
    /// Every kind, in the order PyTorch's documentation lists them.
    pub const ALL: [Kind; 6] = [
        Kind::Sgd,
        Kind::RmsProp,
        Kind::Adagrad,
        Kind::Adam,
        Kind::AdamW,
        Kind::Adamax,
    ];

    /// The name as PyTorch spells it (`"RMSprop"`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sgd => "SGD",
            Kind::RmsProp => "RMSprop",
            Kind::Adagrad => "Adagrad",
            Kind::Adam => "Adam",
            Kind::AdamW => "AdamW",
            Kind::Adamax => "Adamax",
        }
    }

    /// This optimiser with learning rate `lr` and PyTorch's other defaults.
    ///
    /// # Errors
    /// [`ConfigError::LearningRate`] when `lr` is negative or not finite.
    pub fn with_lr<T: Real>(self, lr: f64) -> Result<Box<dyn Optimizer<T>>, ConfigError> {
        Ok(match self {
            Kind::Sgd => Box::new(Sgd::<T>::new(lr)?),
            Kind::RmsProp => Box::new(RmsProp::<T>::new(lr)?),
            Kind::Adagrad => Box::new(Adagrad::<T>::new(lr)?),
            Kind::Adam => Box::new(Adam::<T>::new(lr)?),
            Kind::AdamW => Box::new(AdamW::<T>::new(lr)?),
            Kind::Adamax => Box::new(Adamax::<T>::new(lr)?),
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no optimiser of this module.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown optimizer {0:?}: use one of SGD, RMSprop, Adagrad, Adam, AdamW, Adamax")]
pub struct UnknownOptimizer(pub String);

impl FromStr for Kind {
    type Err = UnknownOptimizer;

    /// Parses a name, ignoring case (`"adam"`, `"RMSprop"`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownOptimizer(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_builds_its_own_optimizer() {
        for kind in Kind::ALL {
            let opt = kind.with_lr::<f64>(0.1).expect("valid");
            assert_eq!(opt.name(), kind.name());
            assert_eq!(opt.lr(), 0.1);
            assert_eq!(kind.name().parse::<Kind>(), Ok(kind));
            assert_eq!(kind.name().to_lowercase().parse::<Kind>(), Ok(kind));
        }
    }

    #[test]
    fn unknown_names_and_bad_rates_are_errors() {
        let err = "LBFGS".parse::<Kind>().expect_err("not here");
        assert!(err.to_string().contains("use one of"));
        assert!(matches!(
            Kind::Adam.with_lr::<f32>(-1.0),
            Err(ConfigError::LearningRate(_))
        ));
    }
}
