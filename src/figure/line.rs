//! Line chart: several series, a legend, axis titles, linear or log axes.

use std::fmt::Write;

use super::axes::{Axis, AxisScale, FrameSpec, draw_frame};
use super::svg::{Svg, escape, num, path_data};
use super::theme::{FALLBACK_FG, series};
use super::{Figure, FigureError, Meta};

/// Named curves: `(label, points)`.
pub(crate) type Curves = Vec<(String, Vec<(f64, f64)>)>;

/// One named series of points.
#[derive(Clone, Debug)]
struct Series {
    label: String,
    points: Vec<(f64, f64)>,
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
    series: Vec<Series>,
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

    /// Adds a series whose x values are 0, 1, 2, ... (a value per step).
    pub fn series<T: Into<f64>>(self, label: &str, ys: impl IntoIterator<Item = T>) -> Self {
        let points = ys
            .into_iter()
            .enumerate()
            .map(|(i, y)| (i as f64, y.into()))
            .collect();
        self.push(label, points)
    }

    /// Adds a series of `(x, y)` points.
    pub fn series_xy(self, label: &str, points: &[(f64, f64)]) -> Self {
        self.push(label, points.to_vec())
    }

    fn push(mut self, label: &str, points: Vec<(f64, f64)>) -> Self {
        self.series.push(Series {
            label: label.to_owned(),
            points,
        });
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

/// Keeps, per pixel column, the first, lowest, highest and last point (M4 decimation), so a
/// 100 000-step history draws the same picture as the full series in a few kilobytes.
pub(crate) fn decimate(points: &[(f64, f64)], columns: usize) -> Vec<(f64, f64)> {
    if points.len() <= 4 * columns.max(1) {
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
        let mut keep = vec![0, lo, hi, run.len() - 1];
        keep.sort_unstable();
        keep.dedup();
        out.extend(keep.into_iter().map(|i| run[i]));
        start = end;
    }
    out
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
            .chain(extra.iter().flat_map(|o| o.iter().map(|s| &s.1)))
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
            right_margin: 16,
        })?;
        let columns = (frame.x.map(xhi) - frame.x.map(xlo)).abs().ceil() as usize;
        Ok(LineFrame { frame, columns })
    }

    /// The series lines and their legend, drawn in `lf`'s frame.
    pub(crate) fn series_markup(
        &self,
        lf: &LineFrame,
        series_list: &[(String, Vec<(f64, f64)>)],
    ) -> String {
        let frame = &lf.frame;
        let mut svg = Svg::default();
        svg.raw("<g fill=\"none\" stroke-width=\"1.8\" stroke-linejoin=\"round\">");
        for (i, (_, points)) in series_list.iter().enumerate() {
            let (class, colour) = series(i);
            let mut d = String::new();
            // Non-finite values break the line instead of ending it.
            for run in points.split(|&p| !self.usable(p)) {
                let px: Vec<(f64, f64)> = run
                    .iter()
                    .map(|&(a, b)| (frame.x.map(a), frame.y.map(b)))
                    .collect();
                let px = decimate(&px, lf.columns);
                if px.len() == 1 {
                    let _ = write!(d, "M{} {}h.1", num(px[0].0), num(px[0].1));
                } else if px.len() > 1 {
                    d.push_str(&path_data(&px));
                }
            }
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
            series_list.iter().map(|s| s.0.as_str()),
        );
        svg.into_inner()
    }

    fn own_series(&self) -> Vec<(String, Vec<(f64, f64)>)> {
        self.series
            .iter()
            .map(|s| (s.label.clone(), s.points.clone()))
            .collect()
    }
}

impl Figure for LineChart {
    fn to_svg(&self) -> Result<String, FigureError> {
        let lf = self.layout(&[])?;
        let (w, h) = self.size_px();
        let mut svg = Svg::new(w, h, &self.meta.title, &self.meta.desc, "");
        svg.raw(&lf.frame.markup);
        svg.raw(&self.series_markup(&lf, &self.own_series()));
        Ok(svg.finish())
    }
}

/// A legend box in the top-right corner of the plotting area.
pub(crate) fn legend<'a>(
    svg: &mut Svg,
    right: f64,
    top: f64,
    labels: impl Iterator<Item = &'a str>,
) {
    let labels: Vec<&str> = labels.collect();
    if labels.is_empty() || labels.iter().all(|l| l.is_empty()) {
        return;
    }
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let (bw, bh) = (longest * 6.6 + 36.0, labels.len() as f64 * 16.0 + 8.0);
    let (x0, y0) = (right - bw - 8.0, top + 8.0);
    svg.fmt(format_args!(
        "<g class=\"legend\"><rect class=\"bg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"#fff\" fill-opacity=\".75\" stroke=\"{FALLBACK_FG}\" stroke-opacity=\".4\"/>",
        num(x0), num(y0), num(bw), num(bh)
    ));
    for (i, label) in labels.iter().enumerate() {
        let (class, colour) = series(i);
        let y = y0 + 12.0 + i as f64 * 16.0;
        svg.fmt(format_args!(
            "<path class=\"{class}\" stroke=\"{colour}\" stroke-width=\"2.5\" d=\"M{} {}h18\"/><text class=\"fg\" fill=\"{FALLBACK_FG}\" x=\"{}\" y=\"{}\" dy=\".35em\" font-size=\"11\">{}</text>",
            num(x0 + 6.0), num(y), num(x0 + 28.0), num(y), escape(label)
        ));
    }
    svg.raw("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_keeps_extremes_of_each_column() {
        let pts: Vec<(f64, f64)> = (0..1000)
            .map(|i| (i as f64 / 100.0, (i % 7) as f64))
            .collect();
        let d = decimate(&pts, 2);
        assert!(d.len() <= 40);
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
