//! One choice of the playground's controls, and the path it gives.

use descent::landscape::{Angry, Fancy, Grid, GridError, Landscape, Peaks, Rastrigin, Rosenbrock};
use descent::optim::{
    AdagradConfig, AdamConfig, AdamWConfig, AdamaxConfig, ConfigError, CosineAnnealingLr,
    ExponentialLr, LrScheduler, OptimizerConfig, Path, RmsPropConfig, SgdConfig, StepError, run,
    run_scheduled,
};

/// The landscapes of the playground's menu, in its order (the script's `FUNCTIONS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// [`Peaks`].
    Peaks,
    /// [`Rastrigin::default`] (`a = 3`).
    Rastrigin,
    /// [`Rosenbrock::default`] (`a = 1`, `b = 100`).
    Rosenbrock,
    /// [`Fancy`].
    Fancy,
    /// [`Angry`].
    Angry,
}

impl Function {
    /// Every function, in the menu's order.
    pub const ALL: [Function; 5] = [
        Function::Peaks,
        Function::Rastrigin,
        Function::Rosenbrock,
        Function::Fancy,
        Function::Angry,
    ];

    /// The function at `index` of [`Function::ALL`].
    pub fn from_index(index: u32) -> Option<Self> {
        Self::ALL.get(index as usize).copied()
    }

    /// The landscape itself.
    pub fn landscape(self) -> &'static dyn Landscape {
        static ROSENBROCK: Rosenbrock = Rosenbrock { a: 1.0, b: 100.0 };
        match self {
            Function::Peaks => &Peaks,
            Function::Rastrigin => &RASTRIGIN,
            Function::Rosenbrock => &ROSENBROCK,
            Function::Fancy => &Fancy,
            Function::Angry => &Angry,
        }
    }

    /// The function's values on `n` x `n` points over `x` x `y`, row by row (`y` outer), as
    /// [`Grid::values`] orders them: what the contour map is drawn from.
    ///
    /// # Errors
    /// [`GridError`] for fewer than two points or a bad range.
    pub fn grid(self, x: (f64, f64), y: (f64, f64), n: usize) -> Result<Grid, GridError> {
        self.landscape().grid(x.0..=x.1, y.0..=y.1, n)
    }
}

static RASTRIGIN: Rastrigin = Rastrigin {
    a: 3.0,
    shift: descent::plane::Point { x: 0.0, y: 0.0 },
    weight_decay: 0.0,
};

/// The optimisers of the playground's menu, in its order (the script's `OPTIMISERS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optimiser {
    /// SGD without momentum (the momentum control is ignored).
    Sgd,
    /// SGD with (heavy-ball) momentum.
    SgdMomentum,
    /// SGD with Nesterov momentum.
    SgdNesterov,
    /// RMSprop, with its optional momentum.
    RmsProp,
    /// Adagrad.
    Adagrad,
    /// Adam.
    Adam,
    /// AdamW (decoupled weight decay).
    AdamW,
    /// Adamax.
    Adamax,
}

impl Optimiser {
    /// Every optimiser, in the menu's order.
    pub const ALL: [Optimiser; 8] = [
        Optimiser::Sgd,
        Optimiser::SgdMomentum,
        Optimiser::SgdNesterov,
        Optimiser::RmsProp,
        Optimiser::Adagrad,
        Optimiser::Adam,
        Optimiser::AdamW,
        Optimiser::Adamax,
    ];

    /// The optimiser at `index` of [`Optimiser::ALL`].
    pub fn from_index(index: u32) -> Option<Self> {
        Self::ALL.get(index as usize).copied()
    }
}

/// The learning-rate schedule, stepped after every optimiser step (PyTorch's order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Schedule {
    /// A constant learning rate.
    None,
    /// `ExponentialLR(gamma)`.
    Exponential {
        /// The factor per step.
        gamma: f64,
    },
    /// `CosineAnnealingLR(T_max = steps, eta_min = 0)`: down to 0 at the last step.
    Cosine,
}

/// One choice of the playground's controls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    /// The landscape.
    pub function: Function,
    /// The optimiser.
    pub optimiser: Optimiser,
    /// The (initial) learning rate.
    pub lr: f64,
    /// SGD's and RMSprop's momentum.
    pub momentum: f64,
    /// Adam's, AdamW's and Adamax's `(beta1, beta2)`.
    pub betas: (f64, f64),
    /// Weight decay (decoupled for AdamW).
    pub weight_decay: f64,
    /// The schedule.
    pub schedule: Schedule,
    /// Optimiser steps.
    pub steps: usize,
    /// The start point.
    pub start: (f64, f64),
}

/// Why a setting gives no path.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingError {
    /// A hyper-parameter the optimiser or schedule rejects (PyTorch's checks).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Cannot happen for a two-parameter landscape; kept rather than hidden.
    #[error(transparent)]
    Step(#[from] StepError),
}

impl Setting {
    /// The optimiser's configuration: PyTorch's defaults but for the playground's controls.
    pub fn optimizer_config(&self) -> OptimizerConfig {
        let (lr, wd) = (self.lr, self.weight_decay);
        match self.optimiser {
            Optimiser::Sgd => SgdConfig::default().lr(lr).weight_decay(wd).into(),
            Optimiser::SgdMomentum => SgdConfig::default()
                .lr(lr)
                .momentum(self.momentum)
                .weight_decay(wd)
                .into(),
            Optimiser::SgdNesterov => SgdConfig::default()
                .lr(lr)
                .momentum(self.momentum)
                .nesterov(true)
                .weight_decay(wd)
                .into(),
            Optimiser::RmsProp => RmsPropConfig::default()
                .lr(lr)
                .momentum(self.momentum)
                .weight_decay(wd)
                .into(),
            Optimiser::Adagrad => AdagradConfig::default().lr(lr).weight_decay(wd).into(),
            Optimiser::Adam => AdamConfig::default()
                .lr(lr)
                .betas(self.betas.0, self.betas.1)
                .weight_decay(wd)
                .into(),
            Optimiser::AdamW => AdamWConfig::default()
                .lr(lr)
                .betas(self.betas.0, self.betas.1)
                .weight_decay(wd)
                .into(),
            Optimiser::Adamax => AdamaxConfig::default()
                .lr(lr)
                .betas(self.betas.0, self.betas.1)
                .weight_decay(wd)
                .into(),
        }
    }

    /// The path: `descent::optim::run` (or `run_scheduled` with a schedule) from the start.
    ///
    /// # Errors
    /// [`SettingError::Config`] when the optimiser or schedule rejects a hyper-parameter.
    pub fn path(&self) -> Result<Path, SettingError> {
        let f = self.function.landscape();
        let mut opt = self.optimizer_config().build::<f64>()?;
        let path = match self.schedule {
            Schedule::None => run(f, self.start, opt, self.steps)?,
            Schedule::Exponential { gamma } => {
                let mut s = ExponentialLr::new(&*opt, gamma)?;
                walk(f, self.start, &mut opt, &mut s, self.steps)?
            }
            Schedule::Cosine => {
                let mut s = CosineAnnealingLr::new(&*opt, self.steps.max(1) as u64, 0.0)?;
                walk(f, self.start, &mut opt, &mut s, self.steps)?
            }
        };
        Ok(path)
    }
}

fn walk(
    f: &dyn Landscape,
    start: (f64, f64),
    opt: &mut Box<dyn descent::optim::Optimizer<f64>>,
    scheduler: &mut dyn LrScheduler,
    steps: usize,
) -> Result<Path, StepError> {
    run_scheduled(f, start, &mut **opt, scheduler, steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use descent::optim::{Adam, Sgd};

    fn setting(function: Function, optimiser: Optimiser) -> Setting {
        Setting {
            function,
            optimiser,
            lr: 0.05,
            momentum: 0.9,
            betas: (0.9, 0.999),
            weight_decay: 0.0,
            schedule: Schedule::None,
            steps: 50,
            start: (0.25, 1.3),
        }
    }

    #[test]
    fn a_setting_walks_the_librarys_own_run() {
        let s = setting(Function::Peaks, Optimiser::Adam);
        let native = run(&Peaks, [0.25, 1.3], Adam::new(0.05).unwrap(), 50).unwrap();
        assert_eq!(s.path().unwrap(), native);
        let s = Setting {
            optimiser: Optimiser::SgdNesterov,
            ..s
        };
        let sgd = Sgd::builder(0.05)
            .momentum(0.9)
            .nesterov(true)
            .build()
            .unwrap();
        assert_eq!(
            s.path().unwrap(),
            run(&Peaks, [0.25, 1.3], sgd, 50).unwrap()
        );
    }

    #[test]
    fn plain_sgd_ignores_the_momentum_control() {
        let s = setting(Function::Fancy, Optimiser::Sgd);
        let native = run(&Fancy, [0.25, 1.3], Sgd::new(0.05).unwrap(), 50).unwrap();
        assert_eq!(s.path().unwrap(), native);
    }

    #[test]
    fn a_schedule_changes_the_learning_rates() {
        let s = Setting {
            schedule: Schedule::Exponential { gamma: 0.9 },
            ..setting(Function::Rosenbrock, Optimiser::Adam)
        };
        let p = s.path().unwrap();
        assert!((p.learning_rates[1] - 0.05 * 0.9).abs() < 1e-15);
        let c = Setting {
            schedule: Schedule::Cosine,
            ..s
        };
        let p = c.path().unwrap();
        assert!(p.learning_rates[49] < 1e-3);
    }

    #[test]
    fn a_bad_hyper_parameter_is_an_error_not_a_panic() {
        let s = Setting {
            lr: -1.0,
            ..setting(Function::Peaks, Optimiser::Adam)
        };
        assert!(matches!(s.path(), Err(SettingError::Config(_))));
        let s = Setting {
            schedule: Schedule::Exponential { gamma: -2.0 },
            ..setting(Function::Peaks, Optimiser::Adam)
        };
        assert!(s.path().is_err());
    }

    #[test]
    fn sgd_diverges_on_rosenbrock_and_says_where() {
        let s = Setting {
            lr: 0.01,
            start: (2.0, -2.0),
            steps: 200,
            ..setting(Function::Rosenbrock, Optimiser::Sgd)
        };
        let p = s.path().unwrap();
        assert!(p.diverged.is_some());
    }
}
