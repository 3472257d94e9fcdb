//! Variants: a family of precomputed results in one figure, switched in place by one or two
//! groups of radio buttons that need no JavaScript.
//!
//! What the variants share (the landscape and its markers, or the chart's axes) is drawn once;
//! each variant adds only its own paths or curves, in a group that CSS shows when its radio
//! buttons are checked (`:has(#id:checked)`, one `:has` per control). The buttons live in a
//! `<foreignObject>`, so the figure stays one `<svg>` element. Where `:has` is unknown, the
//! first variant shows.

use std::fmt::Write;

use super::landscape2d::Landscape2d;
use super::line::{Curve, Curves, LineChart, SeriesValue, legend, per_epoch};
use super::svg::{PREFIX, Svg, id};
use super::{Figure, FigureError};
use crate::plane::Trace;

#[derive(Clone, Debug)]
enum Base {
    Landscape(Box<Landscape2d>),
    Lines(Box<LineChart>),
}

/// Which variant: one label per control (`"0.1"` for one control, `("500", "3")` for two).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice(Vec<String>);

impl From<&str> for Choice {
    fn from(label: &str) -> Self {
        Choice(vec![label.to_owned()])
    }
}

impl From<String> for Choice {
    fn from(label: String) -> Self {
        Choice(vec![label])
    }
}

impl From<&String> for Choice {
    fn from(label: &String) -> Self {
        Choice(vec![label.clone()])
    }
}

impl<A: AsRef<str>, B: AsRef<str>> From<(A, B)> for Choice {
    fn from((a, b): (A, B)) -> Self {
        Choice(vec![a.as_ref().to_owned(), b.as_ref().to_owned()])
    }
}

/// A family of results over one shared base, with one or two controls that pick one.
///
/// One control (a learning rate over a landscape):
///
/// ```
/// use descent::figure::{Figure, Landscape2d, Variants};
/// use descent::landscape::{Landscape, from_fn};
/// use descent::optim::{Sgd, run};
///
/// let bowl = from_fn(|x, y| x * x + 4.0 * y * y);
/// let base = Landscape2d::new("Learning rates", "GD paths for three learning rates.", bowl.grid(-2.0..=2.0, -2.0..=2.0, 30)?);
/// let mut fig = Variants::landscape("learning rate", base);
/// for lr in [0.05, 0.1, 0.3] {
///     let path = run(&bowl, [1.5, 1.0], Sgd::new(lr)?, 20)?; // 0.3 diverges
///     fig = fig.option(lr.to_string(), [("GD", &path)]);
/// }
/// let svg = fig.to_svg()?;
/// assert!(svg.contains("type=\"radio\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Two controls (batch size x epochs, loss curves over epochs):
///
/// ```
/// use descent::figure::{Figure, LineChart, Variants};
///
/// let chart = LineChart::new("Loss per epoch", "Training loss; pick a batch size and a number of epochs.")
///     .x_title("epoch")
///     .y_title("loss");
/// let mut fig = Variants::lines("batch size", chart).second_control("epochs");
/// for batch in [100usize, 1000] {
///     let steps_per_epoch = 13007 / batch;
///     for epochs in 1..=3 {
///         let loss: Vec<f32> = (0..epochs * steps_per_epoch).map(|t| 1.0 / (1.0 + t as f32 / 50.0)).collect();
///         fig = fig.option_epochs((batch.to_string(), epochs.to_string()), steps_per_epoch, [("train", &loss)]);
///     }
/// }
/// let svg = fig.to_svg()?;
/// assert_eq!(svg.matches("type=\"radio\"").count(), 2 + 3);
/// # Ok::<(), descent::figure::FigureError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Variants {
    controls: Vec<String>,
    base: Base,
    options: Vec<(Choice, Curves)>,
    invalid: Option<(String, String)>,
    /// On a landscape: a control showing each path up to one of these step counts.
    steps: Option<(String, Vec<usize>)>,
}

impl Variants {
    /// Variants over a landscape: every option adds its own paths; the landscape's own
    /// paths and markers show in all of them. Title and description are the landscape's.
    pub fn landscape(control: &str, base: Landscape2d) -> Self {
        Self::over(control, Base::Landscape(Box::new(base)))
    }

    /// Variants over a line chart: every option adds its own curves; the axes fit them all
    /// (so the options compare at a glance). Title and description are the chart's.
    pub fn lines(control: &str, base: LineChart) -> Self {
        Self::over(control, Base::Lines(Box::new(base)))
    }

    fn over(control: &str, base: Base) -> Self {
        Variants {
            controls: vec![control.to_owned()],
            base,
            options: Vec::new(),
            invalid: None,
            steps: None,
        }
    }

    /// On a landscape, one more control, named `control`, that shows every path up to one of
    /// `steps` (increasing; the last shows whole paths, and is chosen first). The paths are
    /// drawn once, cut at those steps, so the control costs little. Ignored on a line chart.
    pub fn steps_control(mut self, control: &str, steps: &[usize]) -> Self {
        if steps.is_empty() || steps.windows(2).any(|w| w[0] >= w[1]) {
            self.invalid = Some((
                format!("steps control {control}"),
                format!("its step counts {steps:?} must be given and increasing"),
            ));
        }
        self.steps = Some((control.to_owned(), steps.to_vec()));
        self
    }

    /// Adds a second, independent control: every option is then named by a pair of labels
    /// (`("500", "3")`), one per control, and every pair of labels needs an option.
    pub fn second_control(mut self, control: &str) -> Self {
        self.controls.truncate(1);
        self.controls.push(control.to_owned());
        self
    }

    /// Adds an option: its label on each control and its curves, each a label and its points
    /// (an `&optim::Path`, or a slice, array or vector of points). On a landscape the curves
    /// are paths; on a chart, `(x, y)` series. A path that diverged ends where it did, marked.
    pub fn option<'a, T: Into<Trace>>(
        mut self,
        choice: impl Into<Choice>,
        curves: impl IntoIterator<Item = (&'a str, T)>,
    ) -> Self {
        let curves = curves
            .into_iter()
            .map(|(label, t)| Curve::from_trace(label, t.into()))
            .collect();
        self.options.push((choice.into(), curves));
        self
    }

    /// Adds an option whose curves are values per step (x = 0, 1, 2, ...): `f32` or `f64`
    /// series (`&run.train_loss`, a slice, an array).
    pub fn option_steps<'a, S, V>(
        self,
        choice: impl Into<Choice>,
        curves: impl IntoIterator<Item = (&'a str, S)>,
    ) -> Self
    where
        S: AsRef<[V]>,
        V: SeriesValue,
    {
        self.option_per_step(choice, 1.0, curves)
    }

    /// Adds an option whose curves are values per step drawn over epochs: value `i` at
    /// x = i / `steps_per_epoch` (the tutorial's axis; title the chart's x axis "epoch").
    pub fn option_epochs<'a, S, V>(
        mut self,
        choice: impl Into<Choice>,
        steps_per_epoch: usize,
        curves: impl IntoIterator<Item = (&'a str, S)>,
    ) -> Self
    where
        S: AsRef<[V]>,
        V: SeriesValue,
    {
        match per_epoch(steps_per_epoch) {
            Ok(dx) => self.option_per_step(choice, dx, curves),
            Err(_) => {
                self.invalid = Some((
                    "steps per epoch".into(),
                    "0; give the run's steps per epoch (at least 1)".into(),
                ));
                self
            }
        }
    }

    /// Adds an option whose curves are values per step drawn over samples seen: value `i`
    /// at x = i x `batch_size`.
    pub fn option_samples<'a, S, V>(
        self,
        choice: impl Into<Choice>,
        batch_size: usize,
        curves: impl IntoIterator<Item = (&'a str, S)>,
    ) -> Self
    where
        S: AsRef<[V]>,
        V: SeriesValue,
    {
        self.option_per_step(choice, batch_size as f64, curves)
    }

    fn option_per_step<'a, S, V>(
        mut self,
        choice: impl Into<Choice>,
        dx: f64,
        curves: impl IntoIterator<Item = (&'a str, S)>,
    ) -> Self
    where
        S: AsRef<[V]>,
        V: SeriesValue,
    {
        let curves = curves
            .into_iter()
            .map(|(label, ys)| Curve::per_step(label, ys.as_ref().iter().copied(), dx))
            .collect();
        self.options.push((choice.into(), curves));
        self
    }

    /// Each control's labels, in the order they were first given.
    fn labels(&self) -> Vec<Vec<&str>> {
        let mut out = vec![Vec::new(); self.controls.len()];
        for (choice, _) in &self.options {
            for (c, label) in choice.0.iter().enumerate() {
                if let Some(list) = out.get_mut(c)
                    && !list.contains(&label.as_str())
                {
                    list.push(label.as_str());
                }
            }
        }
        out
    }

    /// Refuses an empty family, options named for the wrong number of controls, a repeated
    /// option and (with two controls) a missing combination.
    fn check(&self, labels: &[Vec<&str>]) -> Result<(), FigureError> {
        if let Some((what, why)) = &self.invalid {
            return Err(FigureError::Invalid {
                what: what.clone(),
                why: why.clone(),
            });
        }
        if self.options.is_empty() {
            return Err(FigureError::Empty {
                what: "variant family (add options with .option(label, curves))".into(),
            });
        }
        let n = self.controls.len();
        let controls = self.controls.join(", ");
        for (k, (choice, _)) in self.options.iter().enumerate() {
            if choice.0.len() != n {
                return Err(FigureError::Invalid {
                    what: format!("option {} ({})", k + 1, choice.0.join(", ")),
                    why: format!(
                        "it names {} control(s) but the family has {n} ({controls}): give one label per control",
                        choice.0.len()
                    ),
                });
            }
            if self.options[..k].iter().any(|(c, _)| c == choice) {
                return Err(FigureError::Invalid {
                    what: format!("option ({})", choice.0.join(", ")),
                    why: "it is given twice: give each combination once".into(),
                });
            }
        }
        if n == 2 {
            for a in &labels[0] {
                for b in &labels[1] {
                    let want = Choice(vec![(*a).to_owned(), (*b).to_owned()]);
                    if !self.options.iter().any(|(c, _)| *c == want) {
                        return Err(FigureError::Invalid {
                            what: format!(
                                "option {} = {a}, {} = {b}",
                                self.controls[0], self.controls[1]
                            ),
                            why: "it is missing: give an option for every pair of labels".into(),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// The radio buttons' id for label `i` of control `c`.
    fn radio_id(&self, c: usize, i: usize) -> String {
        if self.controls.len() == 1 {
            id(&format!("r{i}"))
        } else {
            id(&format!("r{c}-{i}"))
        }
    }
}

impl Figure for Variants {
    fn to_svg(&self) -> Result<String, FigureError> {
        let labels = self.labels();
        self.check(&labels)?;
        let control_h = 34.0;
        let steps: &[usize] = match (&self.base, &self.steps) {
            (Base::Landscape(_), Some((_, steps))) => steps,
            _ => &[],
        };
        let rows = self.controls.len() + usize::from(!steps.is_empty());
        let controls_h = control_h * rows as f64;
        let (svg, groups, width, height) = match &self.base {
            Base::Landscape(l) => {
                let bg = l.background()?;
                let mut svg = Svg::new(
                    bg.width,
                    bg.height + controls_h,
                    &l.meta().title,
                    &l.meta().desc,
                    "",
                );
                svg.raw(&bg.markup);
                let clip = id("clip");
                svg.fmt(format_args!(
                    "<g clip-path=\"url(#{clip})\" fill=\"none\" stroke-linejoin=\"round\">"
                ));
                svg.raw(&l.static_paths(&bg.frame, l.paths(), 0, "", steps));
                svg.raw("</g>");
                let first = l.path_count();
                let groups: Vec<String> = self
                    .options
                    .iter()
                    .enumerate()
                    .map(|(k, (_, curves))| {
                        let mut g = Svg::default();
                        g.fmt(format_args!("<g clip-path=\"url(#{clip})\" fill=\"none\" stroke-linejoin=\"round\">{}</g>", l.static_paths(&bg.frame, curves, first, &format!("v{k}-"), steps)));
                        let labels = l.paths().iter().chain(curves).map(Curve::legend_label);
                        legend(&mut g, bg.plot.1, bg.plot.2, labels);
                        g.into_inner()
                    })
                    .collect();
                svg.raw(&l.markers_markup(&bg.frame));
                (svg, groups, bg.width, bg.height)
            }
            Base::Lines(c) => {
                let all: Vec<Curves> = self.options.iter().map(|o| o.1.clone()).collect();
                let lf = c.layout(&all)?;
                let (w, h) = c.size_px();
                let mut svg = Svg::new(w, h + controls_h, &c.meta().title, &c.meta().desc, "");
                svg.raw(&lf.frame.markup);
                let groups = all
                    .iter()
                    .map(|curves| c.series_markup(&lf, curves))
                    .collect();
                (svg, groups, w, h)
            }
        };
        let mut svg = svg;
        let p = PREFIX;
        for (k, g) in groups.iter().enumerate() {
            svg.fmt(format_args!("<g class=\"{p}-v {p}-v{k}\">{g}</g>"));
        }
        for (c, control) in self.controls.iter().enumerate() {
            let name = if self.controls.len() == 1 {
                id("r")
            } else {
                id(&format!("r{c}"))
            };
            let buttons: Vec<(String, String)> = labels[c]
                .iter()
                .enumerate()
                .map(|(i, label)| (self.radio_id(c, i), label.to_string()))
                .collect();
            let html =
                super::control::radio_row(control, &id(&format!("rn{c}")), &name, &buttons, 0);
            super::control::strip(
                &mut svg,
                &html,
                height + 4.0 + control_h * c as f64,
                width,
                control_h - 4.0,
            );
        }
        if let (false, Some((control, _))) = (steps.is_empty(), &self.steps) {
            let buttons: Vec<(String, String)> = steps
                .iter()
                .enumerate()
                .map(|(i, n)| (id(&format!("u{i}")), n.to_string()))
                .collect();
            let html =
                super::control::radio_row(control, &id("un"), &id("u"), &buttons, steps.len() - 1);
            super::control::strip(
                &mut svg,
                &html,
                height + 4.0 + control_h * self.controls.len() as f64,
                width,
                control_h - 4.0,
            );
        }
        let mut css = format!(
            ".{p}-v{{display:none}}.{p}-v0{{display:inline}}.{p}:has(.{p}-r:checked) .{p}-v{{display:none}}"
        );
        for (k, (choice, _)) in self.options.iter().enumerate() {
            let _ = write!(css, ".{p}");
            for (c, label) in choice.0.iter().enumerate() {
                let i = labels[c]
                    .iter()
                    .position(|l| l == label)
                    .unwrap_or_default();
                let _ = write!(css, ":has(#{}:checked)", self.radio_id(c, i));
            }
            let _ = write!(css, " .{p}-v{k}");
            css.push(if k + 1 == self.options.len() {
                '{'
            } else {
                ','
            });
        }
        css.push_str("display:inline}");
        // Step count i hides the pieces after it.
        for i in 0..steps.len().saturating_sub(1) {
            let later: Vec<String> = (i + 1..steps.len()).map(|b| format!(".u{b}")).collect();
            let _ = write!(
                css,
                ".{p}:has(#{}:checked) :is({}){{display:none}}",
                id(&format!("u{i}")),
                later.join(",")
            );
        }
        svg.fmt(format_args!("<style>{css}</style>"));
        Ok(svg.finish())
    }
}
