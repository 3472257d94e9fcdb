//! Heat map with a colour bar: signed values on a diverging map centred on zero (the 784
//! learned weights of a logistic regression as a 28 x 28 picture).

use super::axes::{tick_label, ticks};
use super::image::{pixel_image, to_bytes};
use super::png::{Channels, data_uri};
use super::svg::{Svg, id, num};
use super::theme::{ColourMap, FALLBACK_FG, hex};
use super::{Figure, FigureError, Meta};

/// A heat map of `width` x `height` values with a colour bar.
///
/// ```
/// use descent::figure::{Figure, Heatmap};
/// let theta: Vec<f64> = (0..785).map(|i| ((i as f64) / 50.0).sin()).collect();
/// // The last weight is the bias: the picture is the other 784.
/// let svg = Heatmap::new("Weights", "Learned weights as an image.", &theta[..784], 28, 28)
///     .to_svg()?;
/// assert!(svg.contains("linearGradient"));
/// # Ok::<(), descent::figure::FigureError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Heatmap {
    meta: Meta,
    values: Vec<f64>,
    width: usize,
    height: usize,
    map: ColourMap,
    range: Option<(f64, f64)>,
    scale: f64,
}

impl Heatmap {
    /// A heat map of values given row by row, on the diverging map centred on zero.
    pub fn new<T: Into<f64> + Copy>(
        title: &str,
        description: &str,
        values: &[T],
        width: usize,
        height: usize,
    ) -> Self {
        Heatmap {
            meta: Meta::new(title, description),
            values: values.iter().map(|&v| v.into()).collect(),
            width,
            height,
            map: ColourMap::Diverging,
            range: None,
            scale: 10.0,
        }
    }

    /// Uses another colour map (the range then defaults to the values' min..max).
    pub fn colour_map(mut self, map: ColourMap) -> Self {
        self.map = map;
        self
    }

    /// Sets the value range the colour map spans.
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }

    /// Screen pixels per cell (default 10).
    pub fn scale(mut self, scale: f64) -> Self {
        self.scale = scale;
        self
    }

    fn value_range(&self) -> (f64, f64) {
        if let Some(r) = self.range {
            return r;
        }
        let finite = self.values.iter().filter(|v| v.is_finite());
        if self.map == ColourMap::Diverging {
            let m = finite.fold(0.0f64, |a, &v| a.max(v.abs()));
            let m = if m > 0.0 { m } else { 1.0 };
            (-m, m)
        } else {
            let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
            if lo < hi {
                (lo, hi)
            } else {
                (lo - 1.0, lo + 1.0)
            }
        }
    }
}

/// Ticks of a colour bar: evenly spaced nice values over `range`.
pub(crate) fn linear_ticks((lo, hi): (f64, f64)) -> Vec<(f64, String)> {
    ticks(lo, hi, 6)
        .into_iter()
        .map(|t| (t, tick_label(t)))
        .collect()
}

/// Draws a vertical colour bar with ticks at `(x, y)`, `h` tall.
pub(crate) fn colour_bar(
    svg: &mut Svg,
    map: ColourMap,
    (lo, hi): (f64, f64),
    (x, y, h): (f64, f64, f64),
    title: &str,
    tick_list: &[(f64, String)],
) {
    let gid = id("cb");
    // Offsets must increase: the top of the bar (offset 0) is the high end of the map.
    let stops: String = (0..=8)
        .map(|k| {
            let t = f64::from(k) / 8.0;
            format!(
                "<stop offset=\"{}\" stop-color=\"{}\"/>",
                num(t),
                hex(map.rgb(1.0 - t))
            )
        })
        .collect();
    svg.fmt(format_args!(
        "<defs><linearGradient id=\"{gid}\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">{stops}</linearGradient></defs><rect x=\"{}\" y=\"{}\" width=\"14\" height=\"{}\" fill=\"url(#{gid})\"/>",
        num(x), num(y), num(h)
    ));
    let mut d = String::new();
    let mut labels = String::new();
    for (t, text) in tick_list {
        let t = *t;
        let ty = y + h - (t - lo) / (hi - lo) * h;
        d.push_str(&format!("M{} {}h4", num(x + 14.0), num(ty)));
        labels.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" dy=\".35em\">{}</text>",
            num(x + 21.0),
            num(ty),
            text
        ));
    }
    svg.fmt(format_args!(
        "<path class=\"ax\" stroke=\"{FALLBACK_FG}\" fill=\"none\" d=\"M{} {}h14v{}h-14z{d}\"/><g class=\"fg\" fill=\"{FALLBACK_FG}\" font-size=\"12\">{labels}</g>",
        num(x), num(y), num(h)
    ));
    if !title.is_empty() {
        svg.text(
            x + 7.0,
            y - 8.0,
            &format!(
                " class=\"fg\" fill=\"{FALLBACK_FG}\" font-size=\"12\" text-anchor=\"middle\""
            ),
            title,
        );
    }
}

impl Figure for Heatmap {
    fn to_svg(&self) -> Result<String, FigureError> {
        self.meta.check()?;
        let range = self.value_range();
        let map = self.map;
        let bytes = to_bytes(
            "heat map values",
            &self.values,
            self.width,
            self.height,
            Some(range),
            |t| map.rgb(t),
            true,
        )?;
        let uri = data_uri(self.width, self.height, Channels::Rgb, &bytes);
        let (w, h) = (
            self.width as f64 * self.scale,
            self.height as f64 * self.scale,
        );
        let mut svg = Svg::new(w + 90.0, h + 34.0, &self.meta.title, &self.meta.desc, "");
        svg.text(
            2.0,
            14.0,
            &format!(" class=\"fg\" fill=\"{FALLBACK_FG}\" font-size=\"14\""),
            &self.meta.title,
        );
        pixel_image(&mut svg, &uri, 2.0, 26.0, w, h);
        colour_bar(
            &mut svg,
            map,
            range,
            (w + 18.0, 32.0, h - 12.0),
            "",
            &linear_ticks(range),
        );
        Ok(svg.finish())
    }
}
