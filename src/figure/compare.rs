//! Run comparison: the curves of many runs (one per batch size, say), two at a time, over the
//! number of epochs the reader picks, on a linear or a log x axis; every choice is a radio
//! button and CSS does the switching, without JavaScript.
//!
//! How it stays small: every run is drawn once per *zoom level* (a few x spans on the linear
//! axis, the widest span on the log axis), each curve as its per-pixel envelope. A span the
//! reader picks shows the narrowest level that covers it, stretched along x by a CSS transform
//! of at most [`MAX_ZOOM`], with strokes that do not stretch. A run's colours come from the
//! menu that picked it (custom properties set by CSS), so it is drawn once whichever menu shows
//! it. Where `:has` is unknown, the default selection shows.

use std::fmt::Write;

use super::axes::{Axis, AxisScale, FrameSpec, draw_frame, log_ticks, tick_label, ticks};
use super::line::{SeriesValue, padded_range, polyline_data};
use super::svg::{PREFIX, Svg, escape, id, num};
use super::theme::{FALLBACK_FG, PALETTE};
use super::{Figure, FigureError, Meta};

/// The most a level is stretched to show a narrower span: beyond it a narrower level is drawn.
const MAX_ZOOM: f64 = 2.0;
/// Height of one line of radio buttons.
const ROW_H: f64 = 30.0;
/// Height of each further line of a wrapped row.
const LINE_H: f64 = 17.0;

/// Height of a control row of `lines` lines.
fn row_height(lines: f64) -> f64 {
    ROW_H + (lines - 1.0) * LINE_H
}

/// The two menus: which slot, its id letter and its first palette colour.
const SLOTS: [(char, usize); 2] = [('a', 0), ('b', 2)];

/// One run: its label on the menus, steps per epoch and named curves (one value per step).
#[derive(Clone, Debug)]
struct ComparedRun {
    label: String,
    steps_per_epoch: usize,
    curves: Vec<(String, Vec<f64>)>,
}

/// Curves of many runs, compared two at a time over a chosen number of epochs.
///
/// The tutorial's GD-vs-SGD figure had two batch-size menus, an epochs slider and a log-scale
/// box; this is that figure with every choice precomputed:
///
/// ```
/// use descent::figure::{Figure, RunComparison};
///
/// let mut fig = RunComparison::new("Loss per batch size", "Training loss of two batch sizes.", "batch size")
///     .x_title("epoch")
///     .y_title("loss")
///     .log_y()
///     .spans("epochs", 1..=3);
/// for batch in [100usize, 1000] {
///     let steps_per_epoch = 13007 / batch;
///     let loss: Vec<f32> = (0..3 * steps_per_epoch).map(|t| 1.0 / (1.0 + t as f32 / 50.0)).collect();
///     fig = fig.run(&batch.to_string(), steps_per_epoch, [("train", &loss)]);
/// }
/// let svg = fig.select("100", "1000", 3).to_svg()?;
/// assert_eq!(svg.matches("type=\"radio\"").count(), 2 + 2 + 3 + 2);
/// # Ok::<(), descent::figure::FigureError>(())
/// ```
#[derive(Clone, Debug)]
pub struct RunComparison {
    meta: Meta,
    control: String,
    x_title: String,
    y_title: String,
    y_scale: AxisScale,
    span_control: String,
    spans: Vec<usize>,
    runs: Vec<ComparedRun>,
    selected: Option<(String, String, usize)>,
    size: (u32, u32),
}

impl RunComparison {
    /// An empty comparison; `control` names what a run's label is (`"batch size"`).
    pub fn new(title: &str, description: &str, control: &str) -> Self {
        RunComparison {
            meta: Meta::new(title, description),
            control: control.to_owned(),
            x_title: String::new(),
            y_title: String::new(),
            y_scale: AxisScale::Linear,
            span_control: "epochs".to_owned(),
            spans: Vec::new(),
            runs: Vec::new(),
            selected: None,
            size: (640, 360),
        }
    }

    /// The x axis title.
    pub fn x_title(mut self, title: &str) -> Self {
        title.clone_into(&mut self.x_title);
        self
    }

    /// The y axis title.
    pub fn y_title(mut self, title: &str) -> Self {
        title.clone_into(&mut self.y_title);
        self
    }

    /// A logarithmic y axis (values at or below zero are left out).
    pub fn log_y(mut self) -> Self {
        self.y_scale = AxisScale::Log;
        self
    }

    /// The x spans the reader picks from, in epochs, under the control named `control`.
    pub fn spans(mut self, control: &str, epochs: impl IntoIterator<Item = usize>) -> Self {
        control.clone_into(&mut self.span_control);
        self.spans = epochs.into_iter().collect();
        self
    }

    /// Adds a run: its label, its steps per epoch and its curves, one value per step (every
    /// run names the same curves, in the same order).
    pub fn run<'a, S, V>(
        mut self,
        label: &str,
        steps_per_epoch: usize,
        curves: impl IntoIterator<Item = (&'a str, S)>,
    ) -> Self
    where
        S: AsRef<[V]>,
        V: SeriesValue,
    {
        let curves = curves
            .into_iter()
            .map(|(name, ys)| {
                let ys = ys.as_ref().iter().map(|v| v.to_f64()).collect();
                (name.to_owned(), ys)
            })
            .collect();
        self.runs.push(ComparedRun {
            label: label.to_owned(),
            steps_per_epoch,
            curves,
        });
        self
    }

    /// What shows first: the runs of the two menus and the span (default: the first two runs
    /// and the widest span).
    pub fn select(mut self, first: &str, second: &str, epochs: usize) -> Self {
        self.selected = Some((first.to_owned(), second.to_owned(), epochs));
        self
    }

    /// The figure's size in pixels, without its controls (default 640 x 360).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width, height);
        self
    }

    fn invalid(what: impl Into<String>, why: impl Into<String>) -> FigureError {
        FigureError::Invalid {
            what: what.into(),
            why: why.into(),
        }
    }

    /// Refuses what cannot be drawn; gives the default (first run, second run, span) indices.
    fn check(&self) -> Result<(usize, usize, usize), FigureError> {
        self.meta.check()?;
        let Some(first) = self.runs.first() else {
            return Err(FigureError::Empty {
                what: "run comparison (add runs with .run(label, steps_per_epoch, curves))".into(),
            });
        };
        if self.spans.is_empty() || self.spans.contains(&0) {
            return Err(Self::invalid(
                "spans",
                "give the epochs the reader may pick, each at least 1 (.spans(\"epochs\", 1..=20))",
            ));
        }
        let widest = self.spans.iter().copied().max().unwrap_or(1);
        let names: Vec<&str> = first.curves.iter().map(|c| c.0.as_str()).collect();
        if names.is_empty() || names.len() > PALETTE.len() / SLOTS.len() {
            return Err(Self::invalid(
                format!("run {}", first.label),
                format!(
                    "it has {} curves: give 1 to {} per run",
                    names.len(),
                    PALETTE.len() / SLOTS.len()
                ),
            ));
        }
        for (k, run) in self.runs.iter().enumerate() {
            let what = || format!("run {}", run.label);
            if self.runs[..k].iter().any(|r| r.label == run.label) {
                return Err(Self::invalid(what(), "its label is given twice"));
            }
            if run.steps_per_epoch == 0 {
                return Err(Self::invalid(what(), "0 steps per epoch: give at least 1"));
            }
            let own: Vec<&str> = run.curves.iter().map(|c| c.0.as_str()).collect();
            if own != names {
                return Err(Self::invalid(
                    what(),
                    format!(
                        "its curves are {own:?}, the first run's {names:?}: name the same curves in the same order"
                    ),
                ));
            }
            let need = widest * run.steps_per_epoch;
            if let Some((name, ys)) = run.curves.iter().find(|c| c.1.len() < need) {
                return Err(Self::invalid(
                    what(),
                    format!(
                        "curve {name} has {} steps but {widest} epochs need {need}: train it longer or offer fewer epochs",
                        ys.len()
                    ),
                ));
            }
        }
        let find = |label: &str| {
            self.runs
                .iter()
                .position(|r| r.label == label)
                .ok_or_else(|| {
                    Self::invalid(format!("selected run {label}"), "no run has this label")
                })
        };
        match &self.selected {
            None => {
                let span = self.spans.iter().position(|&e| e == widest).unwrap_or(0);
                Ok((0, 1.min(self.runs.len() - 1), span))
            }
            Some((a, b, e)) => {
                let span = self.spans.iter().position(|s| s == e).ok_or_else(|| {
                    Self::invalid(format!("selected span {e}"), "it is not one of the spans")
                })?;
                Ok((find(a)?, find(b)?, span))
            }
        }
    }

    /// The smallest positive x of any run (its first step, in epochs), floored to a decade:
    /// where the log axis starts.
    fn log_start(&self) -> f64 {
        let smallest = self
            .runs
            .iter()
            .map(|r| 1.0 / r.steps_per_epoch as f64)
            .fold(f64::INFINITY, f64::min);
        10f64.powf(smallest.log10().floor())
    }
}

/// An x mapping: linear over `[0, span]` or log over `[start, span]`, onto `[x0, x0 + width]`.
#[derive(Clone, Copy, Debug)]
struct XMap {
    log_start: Option<f64>,
    span: f64,
    x0: f64,
    width: f64,
}

impl XMap {
    fn map(&self, x: f64) -> f64 {
        let t = match self.log_start {
            None => x / self.span,
            Some(s) => (x / s).log10() / (self.span / s).log10(),
        };
        self.x0 + t * self.width
    }

    /// How much this level must be stretched to show `span` instead.
    fn zoom_to(&self, span: f64) -> f64 {
        match self.log_start {
            None => self.span / span,
            Some(s) => (self.span / s).log10() / (span / s).log10(),
        }
    }
}

/// The levels drawn for `spans` (widest first) and, per span, the level it shows.
fn levels(spans: &[usize], zoom: impl Fn(usize, usize) -> f64) -> (Vec<usize>, Vec<usize>) {
    let mut sorted = spans.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    let mut levels: Vec<usize> = Vec::new();
    for e in sorted {
        if levels.last().is_none_or(|&l| zoom(l, e) > MAX_ZOOM) {
            levels.push(e);
        }
    }
    let chosen = spans
        .iter()
        .map(|&e| {
            // The narrowest level that still covers e.
            levels.iter().rposition(|&l| l >= e).unwrap_or_default()
        })
        .collect();
    (levels, chosen)
}

impl Figure for RunComparison {
    fn to_svg(&self) -> Result<String, FigureError> {
        let (sel_a, sel_b, sel_span) = self.check()?;
        let widest = self.spans.iter().copied().max().unwrap_or(1);
        let usable = |y: f64| y.is_finite() && (self.y_scale == AxisScale::Linear || y > 0.0);
        let (ylo, yhi) = self
            .runs
            .iter()
            .flat_map(|r| {
                r.curves
                    .iter()
                    .flat_map(move |c| c.1[..widest * r.steps_per_epoch].iter())
            })
            .copied()
            .filter(|&y| usable(y))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
                (a.min(y), b.max(y))
            });
        if !ylo.is_finite() {
            return Err(FigureError::Empty {
                what: format!(
                    "run comparison \"{}\" (no finite values on its y axis)",
                    self.meta.title
                ),
            });
        }
        let (ylo, yhi) = padded_range(ylo, yhi, self.y_scale, 0.05);
        let frame = draw_frame(&FrameSpec {
            size: self.size,
            caption: &self.meta.title,
            x: &Axis {
                lo: 0.0,
                hi: 1.0,
                scale: AxisScale::Linear,
                title: self.x_title.clone(),
            },
            y: &Axis {
                lo: ylo,
                hi: yhi,
                scale: self.y_scale,
                title: self.y_title.clone(),
            },
            grid: true,
            x_ticks: false,
            right_margin: 16,
        })?;
        let (x0, x1) = (frame.x.map(0.0), frame.x.end());
        let (bottom, top) = (frame.y.map(ylo), frame.y.end());
        let width = x1 - x0;
        let columns = width.ceil() as usize;
        let log_start = self.log_start();
        // Scale 0 is linear, 1 is log; each has its levels and each span its level.
        let scales = [None, Some(log_start)];
        let maps = |scale: Option<f64>, span: usize| XMap {
            log_start: scale,
            span: span as f64,
            x0,
            width,
        };
        let plan: Vec<(Vec<usize>, Vec<usize>)> = scales
            .iter()
            .map(|&s| levels(&self.spans, |l, e| maps(s, l).zoom_to(e as f64)))
            .collect();

        let (w, h) = (f64::from(self.size.0), f64::from(self.size.1));
        let controls = self.control_rows(sel_a, sel_b, sel_span);
        let controls_h: f64 = controls
            .iter()
            .map(|c| row_height(super::control::lines_needed(&c.0, &c.3, w - 16.0)))
            .sum::<f64>()
            + 8.0;
        let mut svg = Svg::new(w, h + controls_h, &self.meta.title, &self.meta.desc, "");
        svg.raw(&frame.markup);
        let p = PREFIX;

        // The x ticks of every (scale, span).
        for (s, &scale) in scales.iter().enumerate() {
            for &span in &self.spans {
                let m = maps(scale, span);
                let values = match scale {
                    None => ticks(0.0, span as f64, 7),
                    Some(start) => log_ticks(start, span as f64),
                };
                svg.fmt(format_args!("<g class=\"{p}-T {p}-T{s}-{span}\">"));
                let mut grid = String::new();
                let mut marks = String::new();
                for &v in &values {
                    let x = num(m.map(v));
                    let _ = write!(grid, "M{x} {}V{}", num(bottom), num(top));
                    let _ = write!(marks, "M{x} {}v5", num(bottom));
                }
                svg.fmt(format_args!(
                    "<path class=\"gr\" stroke=\"{FALLBACK_FG}\" stroke-opacity=\".25\" fill=\"none\" d=\"{grid}\"/><path class=\"ax\" stroke=\"{FALLBACK_FG}\" fill=\"none\" d=\"{marks}\"/><g class=\"fg\" fill=\"{FALLBACK_FG}\" text-anchor=\"middle\">"
                ));
                for v in values {
                    svg.text(m.map(v), bottom + 7.0, " dy=\".76em\"", &tick_label(v));
                }
                svg.raw("</g></g>");
            }
        }

        // The runs: one group each, holding one group per (scale, level).
        let clip = id("clip");
        svg.fmt(format_args!(
            "<clipPath id=\"{clip}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath><g clip-path=\"url(#{clip})\" fill=\"none\" stroke-width=\"1.8\" stroke-linejoin=\"round\">",
            num(x0),
            num(top),
            num(width),
            num(bottom - top)
        ));
        for (r, run) in self.runs.iter().enumerate() {
            svg.fmt(format_args!("<g class=\"{p}-R {p}-R{r}\">"));
            for (s, &scale) in scales.iter().enumerate() {
                for (l, &level) in plan[s].0.iter().enumerate() {
                    let m = maps(scale, level);
                    let steps = level * run.steps_per_epoch;
                    svg.fmt(format_args!("<g class=\"{p}-L {p}-L{s}-{l}\">"));
                    for (c, (_, ys)) in run.curves.iter().enumerate() {
                        let pts: Vec<Option<(f64, f64)>> = ys[..steps.min(ys.len())]
                            .iter()
                            .enumerate()
                            .map(|(i, &y)| {
                                // Value i belongs to step i + 1 (its batch's loss, and the
                                // test loss after it), so a run's last step sits at its span.
                                let x = (i + 1) as f64 / run.steps_per_epoch as f64;
                                (usable(y) && (scale.is_none() || x > 0.0))
                                    .then(|| (m.map(x), frame.y.map(y)))
                            })
                            .collect();
                        let d = polyline_data(&pts, columns);
                        svg.fmt(format_args!(
                            "<path class=\"{p}-c{c}\" stroke=\"{}\" vector-effect=\"non-scaling-stroke\" d=\"{d}\"/>",
                            PALETTE[c]
                        ));
                    }
                    svg.raw("</g>");
                }
            }
            svg.raw("</g>");
        }
        svg.raw("</g>");

        // The legend: per menu and curve, a swatch and one text per run.
        let names: Vec<&str> = self.runs[0].curves.iter().map(|c| c.0.as_str()).collect();
        let longest = self
            .runs
            .iter()
            .map(|r| r.label.chars().count())
            .max()
            .unwrap_or(0)
            + names.iter().map(|n| n.chars().count()).max().unwrap_or(0)
            + self.control.chars().count()
            + 4;
        let rows = SLOTS.len() * names.len();
        let (bw, bh) = (longest as f64 * 7.0 + 36.0, rows as f64 * 16.0 + 8.0);
        let (lx, ly) = (x1 - bw - 8.0, top + 8.0);
        svg.fmt(format_args!(
            "<g class=\"legend\"><rect class=\"bg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"#fff\" fill-opacity=\".75\" stroke=\"{FALLBACK_FG}\" stroke-opacity=\".4\"/>",
            num(lx), num(ly), num(bw), num(bh)
        ));
        for (k, (slot, colour0)) in SLOTS.iter().enumerate() {
            svg.fmt(format_args!("<g class=\"{p}-G{slot}\">"));
            for (c, name) in names.iter().enumerate() {
                let y = ly + 12.0 + (k * names.len() + c) as f64 * 16.0;
                svg.fmt(format_args!(
                    "<path class=\"s{}\" stroke=\"{}\" stroke-width=\"2.5\" d=\"M{} {}h18\"/>",
                    colour0 + c,
                    PALETTE[colour0 + c],
                    num(lx + 6.0),
                    num(y)
                ));
                for (r, run) in self.runs.iter().enumerate() {
                    svg.fmt(format_args!(
                        "<text class=\"fg {p}-t {p}-t{slot}{r}\" fill=\"{FALLBACK_FG}\" x=\"{}\" y=\"{}\" dy=\".35em\">{}</text>",
                        num(lx + 28.0),
                        num(y),
                        escape(&format!("{name}, {} {}", self.control, run.label))
                    ));
                }
            }
            svg.raw("</g>");
        }
        svg.raw("</g>");

        // The controls: the two menus, the span and the x scale, each on as many lines as its
        // buttons need.
        let mut y = h + 4.0;
        for (name, name_id, group, buttons, checked) in &controls {
            let html = super::control::radio_row(name, name_id, group, buttons, *checked);
            let height = row_height(super::control::lines_needed(name, buttons, w - 16.0));
            super::control::strip(&mut svg, &html, y, w, height - 4.0);
            y += height;
        }

        svg.fmt(format_args!(
            "<style>{}</style>",
            self.css(&plan, (sel_a, sel_b, sel_span), (x0, &maps))
        ));
        Ok(svg.finish())
    }
}

/// One control row: its name, the name's id, the radio group, its `(id, label)` buttons and
/// which is checked.
type ControlRow = (String, String, String, Vec<(String, String)>, usize);

impl RunComparison {
    /// The two menus, the span and the x scale, with the first selection checked.
    fn control_rows(&self, sel_a: usize, sel_b: usize, sel_span: usize) -> Vec<ControlRow> {
        let menu = |name: String, slot: char, checked: usize| -> ControlRow {
            let buttons = self
                .runs
                .iter()
                .enumerate()
                .map(|(r, run)| (id(&format!("{slot}{r}")), run.label.clone()))
                .collect();
            let (name_id, group) = (id(&format!("n{slot}")), id(&format!("g{slot}")));
            (name, name_id, group, buttons, checked)
        };
        let spans = self
            .spans
            .iter()
            .enumerate()
            .map(|(k, e)| (id(&format!("e{k}")), e.to_string()))
            .collect();
        let scales = vec![
            (id("x0"), "linear".to_owned()),
            (id("x1"), "log".to_owned()),
        ];
        vec![
            menu(self.control.clone(), 'a', sel_a),
            menu(format!("compared with {}", self.control), 'b', sel_b),
            (
                self.span_control.clone(),
                id("ne"),
                id("ge"),
                spans,
                sel_span,
            ),
            ("x axis".to_owned(), id("nx"), id("gx"), scales, 0),
        ]
    }

    /// The switching rules: which run groups, levels, ticks and legend texts show for which
    /// checked buttons, and the transform that stretches a level to a span.
    fn css(
        &self,
        plan: &[(Vec<usize>, Vec<usize>)],
        (sel_a, sel_b, sel_span): (usize, usize, usize),
        (x0, maps): (f64, &dyn Fn(Option<f64>, usize) -> XMap),
    ) -> String {
        let p = PREFIX;
        let names = self.runs[0].curves.len();
        let scales = [None, Some(self.log_start())];
        let colours = |slot: usize| -> String {
            (0..names)
                .map(|c| {
                    let k = SLOTS[slot].1 + c;
                    format!("--{p}c{c}:var(--dfig-s{k},{})", PALETTE[k])
                })
                .collect::<Vec<_>>()
                .join(";")
        };
        let stretch = |s: usize, k: usize| -> String {
            let span = self.spans[k];
            let level = plan[s].0[plan[s].1[k]];
            let f = maps(scales[s], level).zoom_to(span as f64);
            format!(
                "display:inline;transform:matrix({},0,0,1,{},0)",
                num_fine(f),
                num_fine(x0 * (1.0 - f))
            )
        };
        let mut css = String::new();
        // Hidden unless chosen; the defaults for browsers without :has.
        let _ = write!(
            css,
            ".{p}-R,.{p}-L,.{p}-T,.{p} .legend text.{p}-t{{display:none}}"
        );
        for c in 0..names {
            let _ = write!(css, ".{p}-c{c}{{stroke:var(--{p}c{c})}}");
        }
        let _ = write!(
            css,
            ".{p}-R{sel_b}{{display:inline;{}}}.{p}-R{sel_a}{{display:inline;{}}}",
            colours(1),
            colours(0)
        );
        let _ = write!(
            css,
            ".{p}-ta{sel_a},.{p}-tb{sel_b}{{display:inline}}.{p}-T0-{span}{{display:inline}}.{p}-L0-{l}{{{}}}",
            stretch(0, sel_span),
            span = self.spans[sel_span],
            l = plan[0].1[sel_span],
        );
        // With :has: reset, then follow the buttons. Menu b's rules come first so that a run
        // picked by both menus takes menu a's colours.
        let _ = write!(
            css,
            ".{p}:has(.{p}-r:checked) :is(.{p}-R,.{p}-L,.{p}-T,.legend text.{p}-t){{display:none}}"
        );
        for (slot, (letter, _)) in SLOTS.iter().enumerate().rev() {
            for r in 0..self.runs.len() {
                let _ = write!(
                    css,
                    ".{p}:has(#{p}-{letter}{r}:checked) .{p}-R{r}{{display:inline;{}}}.{p}:has(#{p}-{letter}{r}:checked) .{p}-t{letter}{r}{{display:inline}}",
                    colours(slot)
                );
            }
        }
        // A run in both menus is drawn once, in menu a's colours: menu b's legend rows go.
        for r in 0..self.runs.len() {
            let _ = write!(
                css,
                ".{p}:has(#{p}-a{r}:checked):has(#{p}-b{r}:checked) .{p}-Gb{{display:none}}"
            );
        }
        for (s, (_, chosen)) in plan.iter().enumerate() {
            for (k, &span) in self.spans.iter().enumerate() {
                let l = chosen[k];
                let when = format!(".{p}:has(#{p}-x{s}:checked):has(#{p}-e{k}:checked)");
                let _ = write!(
                    css,
                    "{when} .{p}-T{s}-{span}{{display:inline}}{when} .{p}-L{s}-{l}{{{}}}",
                    stretch(s, k)
                );
            }
        }
        css
    }
}

/// A number with up to four decimals (transform factors need more than a tenth).
fn num_fine(v: f64) -> String {
    super::svg::num_digits(v, 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparison(epochs: usize) -> RunComparison {
        let mut fig = RunComparison::new("Loss", "Two runs.", "batch size")
            .log_y()
            .spans("epochs", 1..=epochs);
        for (batch, spe) in [("1", 1000usize), ("500", 26), ("13007", 1)] {
            let ys: Vec<f64> = (0..epochs * spe)
                .map(|i| 1.0 / (1.0 + i as f64 / spe as f64) + if i % 2 == 0 { 0.1 } else { 0.0 })
                .collect();
            fig = fig.run(batch, spe, [("train", ys.clone()), ("test", ys)]);
        }
        fig
    }

    #[test]
    fn levels_cover_every_span_within_the_zoom_limit() {
        let (levels, chosen) = levels(&(1..=20).collect::<Vec<_>>(), |l, e| l as f64 / e as f64);
        assert_eq!(levels, vec![20, 9, 4, 1]);
        for (k, e) in (1..=20).enumerate() {
            let l = levels[chosen[k]];
            assert!(
                l >= e && l as f64 / e as f64 <= MAX_ZOOM,
                "span {e} shows level {l}"
            );
        }
    }

    #[test]
    fn every_choice_has_its_buttons_and_rules() {
        let svg = comparison(20).select("500", "13007", 9).to_svg().unwrap();
        // 3 + 3 runs, 20 spans, 2 scales.
        assert_eq!(svg.matches("type=\"radio\"").count(), 3 + 3 + 20 + 2);
        let checked: Vec<&str> = svg
            .split("<input ")
            .skip(1)
            .filter(|i| i.split('>').next().unwrap_or("").contains("checked="))
            .map(|i| {
                i.split('>')
                    .nth(1)
                    .unwrap_or("")
                    .split('<')
                    .next()
                    .unwrap_or("")
            })
            .collect();
        assert_eq!(checked, ["500", "13007", "9", "linear"]);
        // Every (scale, span) has a rule that shows its ticks and stretches a level.
        for s in 0..2 {
            for span in 1..=20 {
                assert!(
                    svg.contains(&format!("-T{s}-{span}{{display:inline}}")),
                    "ticks {s} {span}"
                );
            }
        }
        assert!(svg.contains("vector-effect=\"non-scaling-stroke\""));
        // Each legend text carries the class the hiding rule names: 2 menus x 2 curves x 3 runs.
        let class = svg
            .split("legend text.")
            .nth(1)
            .and_then(|rest| rest.split(['{', ',']).next())
            .expect("the rule hiding legend texts");
        let hidden = svg.matches(&format!("class=\"fg {class} ")).count();
        assert_eq!(hidden, 2 * 2 * 3, "legend texts with class {class}");
    }

    #[test]
    fn many_steps_stay_small() {
        let small = comparison(2).to_svg().unwrap().len();
        let big = comparison(20).to_svg().unwrap().len();
        // 10x the steps, and 20 spans instead of 2: the envelope keeps it within a few times.
        assert!(big < 6 * small, "{small} -> {big}");
    }

    #[test]
    fn bad_input_is_refused_with_the_fix() {
        let short = RunComparison::new("t", "d", "batch size")
            .spans("epochs", [5])
            .run("1", 10, [("train", vec![1.0; 20])]);
        let e = short.to_svg().unwrap_err().to_string();
        assert!(e.contains("train it longer"), "{e}");
        let other = comparison(2).run("x", 1, [("loss", vec![1.0; 2])]);
        let e = other.to_svg().unwrap_err().to_string();
        assert!(e.contains("same curves"), "{e}");
        let e = comparison(2)
            .select("7", "1", 2)
            .to_svg()
            .unwrap_err()
            .to_string();
        assert!(e.contains("no run has this label"), "{e}");
        let e = comparison(2)
            .select("1", "500", 3)
            .to_svg()
            .unwrap_err()
            .to_string();
        assert!(e.contains("not one of the spans"), "{e}");
    }
}
