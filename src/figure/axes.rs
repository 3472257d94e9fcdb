//! The chart frame: plotters lays out axes, ticks, labels and titles through
//! [`ThemedBackend`](super::backend::ThemedBackend); the figure then maps data to pixels with
//! the [`Scale`]s it gets back and draws its own (compact) series on top.

use plotters::coord::combinators::{BindKeyPoints, LogCoord, WithKeyPoints};
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

use super::FigureError;
use super::backend::{AXIS, GRID, Markup, ThemedBackend};

/// How an axis maps values to positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AxisScale {
    /// Evenly spaced values.
    #[default]
    Linear,
    /// Evenly spaced powers of ten (values must be positive).
    Log,
}

/// One axis: range, scale and title.
#[derive(Clone, Debug)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub scale: AxisScale,
    pub title: String,
}

/// Maps a data value to a pixel position along one axis.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    lo: f64,
    hi: f64,
    p0: f64,
    p1: f64,
    log: bool,
}

impl Scale {
    /// A scale from `[lo, hi]` onto pixels `[p0, p1]`.
    pub(crate) fn new(lo: f64, hi: f64, p0: f64, p1: f64, log: bool) -> Self {
        let t = |v: f64| if log { v.log10() } else { v };
        Scale {
            lo: t(lo),
            hi: t(hi),
            p0,
            p1,
            log,
        }
    }

    /// The pixel position of the range's high end.
    pub(crate) fn end(&self) -> f64 {
        self.p1
    }

    /// The pixel position of `v`.
    pub(crate) fn map(&self, v: f64) -> f64 {
        let v = if self.log {
            v.max(f64::MIN_POSITIVE).log10()
        } else {
            v
        };
        let span = if self.hi == self.lo {
            1.0
        } else {
            self.hi - self.lo
        };
        self.p0 + (v - self.lo) / span * (self.p1 - self.p0)
    }
}

/// A drawn frame: its markup and the scales of its plotting area.
#[derive(Debug)]
pub(crate) struct Frame {
    pub markup: String,
    pub x: Scale,
    pub y: Scale,
}

/// Short tick labels for people: plain decimals with a leading zero (`0.05`) in a readable
/// range, powers of ten outside it (`1e−5`), and a true minus sign (U+2212), never a hyphen.
pub(crate) fn tick_label(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    let text = if !(1e-3..1e5).contains(&a) {
        let e = a.log10().floor();
        let m = v / 10f64.powf(e);
        if (m.abs() - 1.0).abs() < 1e-9 {
            format!("{}1e{}", if v < 0.0 { "-" } else { "" }, e as i32)
        } else {
            format!(
                "{}e{}",
                with_leading_zero(super::svg::num_digits(m, 1)),
                e as i32
            )
        }
    } else {
        with_leading_zero(super::svg::num_digits(v, 4))
    };
    text.replace('-', "\u{2212}")
}

/// `.5` as `0.5` and `-.5` as `-0.5` (the compact writer drops the zero; a reader wants it).
fn with_leading_zero(s: String) -> String {
    if let Some(rest) = s.strip_prefix("-.") {
        format!("-0.{rest}")
    } else if let Some(rest) = s.strip_prefix('.') {
        format!("0.{rest}")
    } else {
        s
    }
}

/// Nice tick values in `[lo, hi]` (about `n` of them), as plotters picks them.
pub(crate) fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let r: RangedCoordf64 = (lo..hi).into();
    // Snap rounding noise (3.5e-18) to zero.
    let tiny = (hi - lo).abs() * 1e-9;
    r.key_points(n)
        .into_iter()
        .map(|t| if t.abs() < tiny { 0.0 } else { t })
        .collect()
}

/// Options of a frame.
pub(crate) struct FrameSpec<'a> {
    pub size: (u32, u32),
    pub caption: &'a str,
    pub x: &'a Axis,
    pub y: &'a Axis,
    pub grid: bool,
    /// Whether plotters draws the x ticks (and their grid lines); figures whose x axis the
    /// reader rescales draw their own.
    pub x_ticks: bool,
    pub right_margin: u32,
}

fn render_err<E: std::fmt::Display>(e: E) -> FigureError {
    FigureError::Layout(e.to_string())
}

/// Draws the frame with plotters and returns its markup and scales.
pub(crate) fn draw_frame(spec: &FrameSpec<'_>) -> Result<Frame, FigureError> {
    let out = Rc::new(RefCell::new(Markup::default()));
    let backend = ThemedBackend::new(spec.size, out.clone());
    let root = backend.into_drawing_area();
    let (xs, ys) = match (spec.x.scale, spec.y.scale) {
        (AxisScale::Linear, AxisScale::Linear) => {
            chart(&root, spec, spec.x.lo..spec.x.hi, spec.y.lo..spec.y.hi)?
        }
        (AxisScale::Linear, AxisScale::Log) => {
            chart(&root, spec, spec.x.lo..spec.x.hi, log_axis(spec.y))?
        }
        (AxisScale::Log, AxisScale::Linear) => {
            chart(&root, spec, log_axis(spec.x), spec.y.lo..spec.y.hi)?
        }
        (AxisScale::Log, AxisScale::Log) => chart(&root, spec, log_axis(spec.x), log_axis(spec.y))?,
    };
    drop(root);
    let markup = Rc::try_unwrap(out)
        .map_err(|_| FigureError::Layout("the chart frame is still in use".into()))?
        .into_inner()
        .into_svg();
    let log = |a: &Axis| a.scale == AxisScale::Log;
    Ok(Frame {
        markup,
        x: Scale::new(spec.x.lo, spec.x.hi, xs.0, xs.1, log(spec.x)),
        y: Scale::new(spec.y.lo, spec.y.hi, ys.0, ys.1, log(spec.y)),
    })
}

type Span = (f64, f64);

/// A log axis with ticks at 1, 2 and 5 times powers of ten when it spans few decades (plotters
/// alone labels only the powers of ten).
fn log_axis(a: &Axis) -> WithKeyPoints<LogCoord<f64>> {
    (a.lo..a.hi)
        .log_scale()
        .with_key_points(log_ticks(a.lo, a.hi))
}

/// Tick values of a log axis over `[lo, hi]`.
pub(crate) fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let span = (hi / lo).log10();
    let multiples: &[f64] = if span <= 2.5 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    let stride = ((b - a) / 8).max(1);
    let out: Vec<f64> = (a..=b)
        .filter(|e| (e - a) % stride == 0)
        .flat_map(|e| multiples.iter().map(move |m| m * 10f64.powi(e)))
        .filter(|v| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9))
        .collect();
    // A range narrower than the 1-2-5 steps gets plain nice values.
    if out.len() < 2 { ticks(lo, hi, 4) } else { out }
}

fn chart<X, Y>(
    root: &DrawingArea<ThemedBackend, plotters::coord::Shift>,
    spec: &FrameSpec<'_>,
    x: X,
    y: Y,
) -> Result<(Span, Span), FigureError>
where
    X: plotters::coord::ranged1d::AsRangedCoord,
    Y: plotters::coord::ranged1d::AsRangedCoord,
    X::CoordDescType: plotters::coord::ranged1d::ValueFormatter<X::Value>,
    Y::CoordDescType: plotters::coord::ranged1d::ValueFormatter<Y::Value>,
    X::Value: Copy + Into<f64> + Default + std::fmt::Debug,
    Y::Value: Copy + Into<f64> + Default + std::fmt::Debug,
{
    let mut builder = ChartBuilder::on(root);
    builder
        .margin_top(8)
        .margin_right(spec.right_margin)
        .x_label_area_size(if spec.x.title.is_empty() { 26 } else { 46 })
        .y_label_area_size(if spec.y.title.is_empty() { 44 } else { 58 });
    if !spec.caption.is_empty() {
        builder.caption(spec.caption, ("sans-serif", 14).into_font().color(&AXIS));
    }
    let mut chart = builder.build_cartesian_2d(x, y).map_err(render_err)?;
    let label = ("sans-serif", 12).into_font().color(&AXIS);
    let desc = ("sans-serif", 12).into_font().color(&AXIS);
    let xf = |v: &X::Value| tick_label((*v).into());
    let yf = |v: &Y::Value| tick_label((*v).into());
    let mut mesh = chart.configure_mesh();
    mesh.label_style(label)
        .axis_desc_style(desc)
        .axis_style(AXIS)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_labels(if spec.x_ticks { 7 } else { 0 })
        .y_labels(6)
        .x_label_formatter(&xf)
        .y_label_formatter(&yf);
    if !spec.x.title.is_empty() {
        mesh.x_desc(spec.x.title.as_str());
    }
    if !spec.y.title.is_empty() {
        mesh.y_desc(spec.y.title.as_str());
    }
    if !spec.grid {
        mesh.disable_mesh();
    }
    mesh.draw().map_err(render_err)?;
    let (px, py) = chart.plotting_area().get_pixel_range();
    let xs = (f64::from(px.start), f64::from(px.end));
    let ys = (f64::from(py.end), f64::from(py.start));
    Ok((xs, ys))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick_label(0.5), "0.5");
        assert_eq!(tick_label(0.05), "0.05");
        assert_eq!(tick_label(-0.01), "\u{2212}0.01");
        assert_eq!(tick_label(-2.0), "\u{2212}2");
        assert_eq!(tick_label(1e-5), "1e\u{2212}5");
        assert_eq!(tick_label(-2.5e-6), "\u{2212}2.5e\u{2212}6");
        assert_eq!(tick_label(250.0), "250");
        assert_eq!(tick_label(0.0), "0");
    }

    #[test]
    fn log_ticks_use_one_two_five_over_few_decades() {
        assert_eq!(log_ticks(0.04, 1.0), vec![0.05, 0.1, 0.2, 0.5, 1.0]);
        assert_eq!(log_ticks(0.044, 1.08).len(), 5);
        assert!(log_ticks(0.74, 0.8).len() >= 2);
        assert_eq!(log_ticks(1e-6, 1.0).len(), 7);
    }

    #[test]
    fn log_scales_put_decades_evenly() {
        let s = Scale::new(0.01, 1.0, 0.0, 100.0, true);
        assert!((s.map(0.1) - 50.0).abs() < 1e-9);
    }
}
