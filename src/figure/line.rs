//! Line chart: several series, a legend, axis titles, linear or log axes.

use std::fmt::Write;

use super::axes::{Axis, AxisScale, FrameSpec, draw_frame};
use super::svg::{Svg, escape, num, path_data};
use super::theme::{FALLBACK_FG, series};
use super::{Figure, FigureError, Meta};
use crate::plane::Trace;

/// A number a series can hold: `f64` or `f32`, by value or by reference, so a loss history
/// (`Vec<f32>`) goes in as it is.
pub trait SeriesValue: Copy {
    /// The value as an `f64`.
    fn to_f64(self) -> f64;
}

impl SeriesValue for f64 {
    fn to_f64(self) -> f64 {
        self
    }
}

impl SeriesValue for f32 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl SeriesValue for &f64 {
    fn to_f64(self) -> f64 {
        *self
    }
}

impl SeriesValue for &f32 {
    fn to_f64(self) -> f64 {
        f64::from(*self)
    }
}

/// One named curve of `(x, y)` points, and where it diverged if it did.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Curve {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub diverged_at: Option<usize>,
}

impl Curve {
    /// A curve of `ys` at x = 0, `dx`, 2 `dx`, ... (values per step, in steps, epochs or
    /// samples seen).
    pub(crate) fn per_step<T: SeriesValue>(
        label: &str,
        ys: impl IntoIterator<Item = T>,
        dx: f64,
    ) -> Self {
        Curve {
            label: label.to_owned(),
            points: ys
                .into_iter()
                .enumerate()
                .map(|(i, y)| (i as f64 * dx, y.to_f64()))
                .collect(),
            diverged_at: None,
        }
    }

    /// A curve of a trace's points: a path, ended and marked where it diverged.
    pub(crate) fn from_trace(label: &str, trace: Trace) -> Self {
        Curve {
            label: label.to_owned(),
            points: trace.points().iter().map(|p| (p.x, p.y)).collect(),
            diverged_at: trace.diverged_at(),
        }
    }

    /// The legend's words: the label, and where the path diverged.
    pub(crate) fn legend_label(&self) -> String {
        match self.diverged_at {
            Some(step) => format!("{} (diverged at step {step})", self.label),
            None => self.label.clone(),
        }
    }
}

/// Named curves.
pub(crate) type Curves = Vec<Curve>;

/// `x` per step for a series in epochs.
pub(crate) fn per_epoch(steps_per_epoch: usize) -> Result<f64, FigureError> {
    if steps_per_epoch == 0 {
        return Err(FigureError::Invalid {
            what: "steps per epoch".into(),
            why: "0; give the run's steps per epoch (at least 1)".into(),
        });
    }
    Ok(1.0 / steps_per_epoch as f64)
}

/// A line chart of one or more series (e.g. the loss per step for several batch sizes).
///
/// ```
/// use descent::figure::{Figure, LineChart};
/// let lr: Vec<f64> = (0..50).map(|t| 0.1 * 0.95f64.powi(t)).collect();
/// let svg = LineChart::new("Learning rate", "ExponentialLR with gamma 0.95.")
///     .series("lr", lr.iter().copied())
///     .x_title("step")
///     .y_title("learning rate")
///     .to_svg()?;
/// assert!(svg.contains("<title>Learning rate</title>"));
/// # Ok::<(), descent::figure::FigureError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LineChart {
    meta: Meta,
    series: Vec<Curve>,
    x_title: String,
    y_title: String,
    x_scale: AxisScale,
    y_scale: AxisScale,
    size: (u32, u32),
}

impl LineChart {
    /// An empty chart with its title and a text description (both required).
    pub fn new(title: &str, description: &str) -> Self {
        LineChart {
            meta: Meta::new(title, description),
            series: Vec::new(),
            x_title: String::new(),
            y_title: String::new(),
            x_scale: AxisScale::Linear,
            y_scale: AxisScale::Linear,
            size: (640, 360),
        }
    }

    /// Adds a series whose x values are 0, 1, 2, ... (a value per step); `f64` or `f32`
    /// values, by value or by reference (`&run.train_loss`).
    pub fn series<T: SeriesValue>(self, label: &str, ys: impl IntoIterator<Item = T>) -> Self {
        self.push(Curve::per_step(label, ys, 1.0))
    }

    /// Adds a series of values per step drawn over epochs: value `i` at x = i /
    /// `steps_per_epoch` (the tutorial's x axis; title it "epoch").
    ///
    /// # Errors
    /// When `steps_per_epoch` is 0.
    pub fn series_epochs<T: SeriesValue>(
        self,
        label: &str,
        steps_per_epoch: usize,
        ys: impl IntoIterator<Item = T>,
    ) -> Result<Self, FigureError> {
        Ok(self.push(Curve::per_step(label, ys, per_epoch(steps_per_epoch)?)))
    }

    /// Adds a series of values per step drawn over samples seen: value `i` at x = i x
    /// `batch_size`.
    pub fn series_samples<T: SeriesValue>(
        self,
        label: &str,
        batch_size: usize,
        ys: impl IntoIterator<Item = T>,
    ) -> Self {
        self.push(Curve::per_step(label, ys, batch_size as f64))
    }

    /// Adds a series of `(x, y)` points: a slice, array or vector of `(f64, f64)`, `[f64; 2]`
    /// or [`crate::plane::Point`], or an optimiser's `&Path`. It ends at its first non-finite
    /// point.
    pub fn series_xy(self, label: &str, points: impl Into<Trace>) -> Self {
        self.push(Curve::from_trace(label, points.into()))
    }

    fn push(mut self, curve: Curve) -> Self {
        self.series.push(curve);
        self
    }

    /// Titles the x axis.
    pub fn x_title(mut self, title: &str) -> Self {
        title.clone_into(&mut self.x_title);
        self
    }

    /// Titles the y axis.
    pub fn y_title(mut self, title: &str) -> Self {
        title.clone_into(&mut self.y_title);
        self
    }

    /// Uses a log scale for x (values <= 0 are left out).
    pub fn log_x(mut self) -> Self {
        self.x_scale = AxisScale::Log;
        self
    }

    /// Uses a log scale for y (values <= 0 are left out).
    pub fn log_y(mut self) -> Self {
        self.y_scale = AxisScale::Log;
        self
    }

    /// Sets the size in pixels (default 640 x 360).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width, height);
        self
    }

    fn usable(&self, (x, y): (f64, f64)) -> bool {
        x.is_finite()
            && y.is_finite()
            && (self.x_scale == AxisScale::Linear || x > 0.0)
            && (self.y_scale == AxisScale::Linear || y > 0.0)
    }
}

/// The data range of `values` on `scale`, padded a little.
pub(crate) fn padded_range(lo: f64, hi: f64, scale: AxisScale, pad: f64) -> (f64, f64) {
    match scale {
        AxisScale::Linear => {
            let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
            (lo - pad * span, hi + pad * span)
        }
        AxisScale::Log => {
            let (a, b) = (lo.log10(), hi.log10());
            let span = if b > a { b - a } else { 1.0 };
            (10f64.powf(a - pad * span), 10f64.powf(b + pad * span))
        }
    }
}

/// A linear range widened to the nice tick steps around it, so the axis ends on a tick (log
/// axes and degenerate ranges are left alone).
pub(crate) fn on_ticks(lo: f64, hi: f64, scale: AxisScale, n: usize) -> (f64, f64) {
    if scale != AxisScale::Linear || !lo.is_finite() || !hi.is_finite() || hi <= lo {
        return (lo, hi);
    }
    let t = super::axes::ticks(lo, hi, n);
    let Some(step) = t
        .windows(2)
        .map(|w| w[1] - w[0])
        .next()
        .filter(|s| *s > 0.0)
    else {
        return (lo, hi);
    };
    let snap = |v: f64, up: bool| {
        let k = v / step;
        let k = if up {
            (k - 1e-9).ceil()
        } else {
            (k + 1e-9).floor()
        };
        k * step
    };
    (snap(lo, false), snap(hi, true))
}

/// The per-pixel min/max envelope of a polyline in pixel coordinates: when it has more than
/// two points per pixel column, each column keeps its lowest and highest point, in the order
/// they come. The line then sweeps the band the data fill in that column, so the noise of a
/// 260 000-step SGD history stays visible in a few kilobytes (two points per column).
pub(crate) fn envelope(points: &[(f64, f64)], columns: usize) -> Vec<(f64, f64)> {
    if points.len() <= 2 * columns.max(1) {
        return points.to_vec();
    }
    let mut out = Vec::new();
    let mut start = 0;
    while start < points.len() {
        let col = points[start].0.floor();
        let mut end = start;
        while end < points.len() && points[end].0.floor() == col {
            end += 1;
        }
        let run = &points[start..end];
        let (mut lo, mut hi) = (0, 0);
        for (i, p) in run.iter().enumerate() {
            if p.1 < run[lo].1 {
                lo = i;
            }
            if p.1 > run[hi].1 {
                hi = i;
            }
        }
        // Pixel centres: every step between columns is then exactly 1 in the path data.
        let x = col + 0.5;
        // A column whose extremes are within half a pixel is a point: smooth curves (a test
        // loss) then take one point per column, not two.
        if lo == hi || (run[hi].1 - run[lo].1).abs() < 0.5 {
            out.push((x, run[lo].1));
        } else {
            let (a, b) = (lo.min(hi), lo.max(hi));
            out.extend([(x, run[a].1), (x, run[b].1)]);
        }
        start = end;
    }
    out
}

/// Path data for a polyline in pixel coordinates, `None` where a value cannot be drawn (it
/// breaks the line instead of ending it); each unbroken run drawn as its [`envelope`] over
/// `columns` pixel columns, a lone point as a dot.
pub(crate) fn polyline_data(points: &[Option<(f64, f64)>], columns: usize) -> String {
    let mut d = String::new();
    for run in points.split(Option::is_none) {
        let px: Vec<(f64, f64)> = run.iter().flatten().copied().collect();
        let px = envelope(&px, columns);
        if px.len() == 1 {
            let _ = write!(d, "M{} {}h.1", num(px[0].0), num(px[0].1));
        } else if px.len() > 1 {
            d.push_str(&path_data(&px));
        }
    }
    d
}

/// A laid-out chart: the frame and the x range it covers.
pub(crate) struct LineFrame {
    pub frame: super::axes::Frame,
    pub columns: usize,
}

impl LineChart {
    /// All series: this chart's and `extra` (a variant family's), for a shared frame.
    fn usable_points<'a>(&'a self, extra: &'a [Curves]) -> Vec<(f64, f64)> {
        self.series
            .iter()
            .map(|s| &s.points)
            .chain(extra.iter().flat_map(|o| o.iter().map(|s| &s.points)))
            .flat_map(|p| p.iter().copied())
            .filter(|&p| self.usable(p))
            .collect()
    }

    pub(crate) fn meta(&self) -> &Meta {
        &self.meta
    }

    pub(crate) fn size_px(&self) -> (f64, f64) {
        (f64::from(self.size.0), f64::from(self.size.1))
    }

    /// Lays out axes that fit this chart's series and every series in `extra`.
    pub(crate) fn layout(&self, extra: &[Curves]) -> Result<LineFrame, FigureError> {
        self.meta.check()?;
        let usable = self.usable_points(extra);
        if usable.is_empty() {
            return Err(FigureError::Empty {
                what: format!(
                    "line chart \"{}\" (no finite points on its axes)",
                    self.meta.title
                ),
            });
        }
        let fold = |f: fn(&(f64, f64)) -> f64| {
            usable
                .iter()
                .map(f)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(v), b.max(v))
                })
        };
        let (xlo, xhi) = padded_range(fold(|p| p.0).0, fold(|p| p.0).1, self.x_scale, 0.0);
        let (ylo, yhi) = padded_range(fold(|p| p.1).0, fold(|p| p.1).1, self.y_scale, 0.05);
        let (xlo, xhi) = on_ticks(xlo, xhi, self.x_scale, 7);
        // A linear y axis gets its headroom from the ticks instead of the padding.
        let (ylo, yhi) = match self.y_scale {
            AxisScale::Linear => {
                let (lo, hi) = (fold(|p| p.1).0, fold(|p| p.1).1);
                if hi > lo {
                    on_ticks(lo, hi, AxisScale::Linear, 6)
                } else {
                    (ylo, yhi)
                }
            }
            AxisScale::Log => (ylo, yhi),
        };
        let x = Axis {
            lo: xlo,
            hi: xhi,
            scale: self.x_scale,
            title: self.x_title.clone(),
        };
        let y = Axis {
            lo: ylo,
            hi: yhi,
            scale: self.y_scale,
            title: self.y_title.clone(),
        };
        let frame = draw_frame(&FrameSpec {
            size: self.size,
            caption: &self.meta.title,
            x: &x,
            y: &y,
            grid: true,
            x_ticks: true,
            right_margin: 16,
        })?;
        let columns = (frame.x.map(xhi) - frame.x.map(xlo)).abs().ceil() as usize;
        Ok(LineFrame { frame, columns })
    }

    /// The series lines and their legend, drawn in `lf`'s frame.
    pub(crate) fn series_markup(&self, lf: &LineFrame, series_list: &[Curve]) -> String {
        let frame = &lf.frame;
        let mut svg = Svg::default();
        svg.raw("<g fill=\"none\" stroke-width=\"1.8\" stroke-linejoin=\"round\">");
        for (i, Curve { points, .. }) in series_list.iter().enumerate() {
            let (class, colour) = series(i);
            let px: Vec<Option<(f64, f64)>> = points
                .iter()
                .map(|&p| self.usable(p).then(|| (frame.x.map(p.0), frame.y.map(p.1))))
                .collect();
            let d = polyline_data(&px, lf.columns);
            svg.fmt(format_args!(
                "<path class=\"{class}\" stroke=\"{colour}\" d=\"{d}\"/>"
            ));
        }
        svg.raw("</g>");
        let (right, top) = (frame.x.end(), frame.y.end());
        legend(
            &mut svg,
            right,
            top,
            series_list.iter().map(Curve::legend_label),
        );
        svg.into_inner()
    }
}

impl Figure for LineChart {
    fn to_svg(&self) -> Result<String, FigureError> {
        let lf = self.layout(&[])?;
        let (w, h) = self.size_px();
        let mut svg = Svg::new(w, h, &self.meta.title, &self.meta.desc, "");
        svg.raw(&lf.frame.markup);
        svg.raw(&self.series_markup(&lf, &self.series));
        Ok(svg.finish())
    }
}

/// A legend box in the top-right corner of the plotting area.
pub(crate) fn legend<S: AsRef<str>>(
    svg: &mut Svg,
    right: f64,
    top: f64,
    labels: impl Iterator<Item = S>,
) {
    let labels: Vec<S> = labels.collect();
    let labels: Vec<&str> = labels.iter().map(AsRef::as_ref).collect();
    if labels.is_empty() || labels.iter().all(|l| l.is_empty()) {
        return;
    }
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let (bw, bh) = (longest * 7.2 + 36.0, labels.len() as f64 * 16.0 + 8.0);
    let (x0, y0) = (right - bw - 8.0, top + 8.0);
    svg.fmt(format_args!(
        "<g class=\"legend\"><rect class=\"bg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"#fff\" fill-opacity=\".75\" stroke=\"{FALLBACK_FG}\" stroke-opacity=\".4\"/>",
        num(x0), num(y0), num(bw), num(bh)
    ));
    for (i, label) in labels.iter().enumerate() {
        let (class, colour) = series(i);
        let y = y0 + 12.0 + i as f64 * 16.0;
        svg.fmt(format_args!(
            "<path class=\"{class}\" stroke=\"{colour}\" stroke-width=\"2.5\" d=\"M{} {}h18\"/><text class=\"fg\" fill=\"{FALLBACK_FG}\" x=\"{}\" y=\"{}\" dy=\".35em\" font-size=\"12\">{}</text>",
            num(x0 + 6.0), num(y), num(x0 + 28.0), num(y), escape(label)
        ));
    }
    svg.raw("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linear_axis_ends_on_a_tick() {
        assert_eq!(on_ticks(0.0, 19.0, AxisScale::Linear, 7), (0.0, 20.0));
        let (lo, hi) = on_ticks(0.04, 1.23, AxisScale::Linear, 6);
        assert!(lo.abs() < 1e-9 && (hi - 1.4).abs() < 1e-9, "{lo} {hi}");
        assert_eq!(on_ticks(1e-3, 1.0, AxisScale::Log, 6), (1e-3, 1.0));
    }

    #[test]
    fn the_envelope_keeps_the_extremes_of_each_column() {
        let pts: Vec<(f64, f64)> = (0..1000)
            .map(|i| (i as f64 / 100.0, (i % 7) as f64))
            .collect();
        let d = envelope(&pts, 2);
        assert!(d.len() <= 20, "{}", d.len());
        assert!(d.iter().any(|p| p.1 == 6.0) && d.iter().any(|p| p.1 == 0.0));
    }

    #[test]
    fn charts_without_usable_points_say_so() {
        let e = LineChart::new("t", "d")
            .series("a", [-1.0, 0.0])
            .log_y()
            .to_svg();
        assert!(matches!(e, Err(FigureError::Empty { .. })));
    }
}
