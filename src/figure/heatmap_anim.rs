//! An animated heat map: frames of one `width` x `height` grid of signed values (the weights
//! of a model as it trains), shown one after another with SMIL, on one colour scale and one
//! colour bar, with a step counter. It plays and loops without JavaScript.

use std::fmt::Write;

use super::animate::{Timing, step_counter, stop_buttons};
use super::heatmap::{colour_bar, linear_ticks};
use super::image::to_bytes;
use super::png::{Channels, data_uri};
use super::svg::{Svg, num};
use super::theme::{ColourMap, FALLBACK_FG};
use super::{Figure, FigureError, Meta};

/// Frames of a heat map, each labelled by its step, on the diverging map centred on zero.
///
/// ```
/// use descent::figure::{AnimatedHeatmap, Figure};
/// let mut fig = AnimatedHeatmap::new("Weights", "Weights as they train.", 4, 3);
/// for step in 0..5 {
///     let values: Vec<f64> = (0..12).map(|i| (i as f64 - 6.0) * step as f64).collect();
///     fig = fig.frame(step, &values);
/// }
/// let svg = fig.to_svg()?;
/// assert!(svg.contains("<animate") && svg.contains("data-steps=\"4\""));
/// # Ok::<(), descent::figure::FigureError>(())
/// ```
#[derive(Clone, Debug)]
pub struct AnimatedHeatmap {
    meta: Meta,
    width: usize,
    height: usize,
    frames: Vec<(usize, Vec<f64>)>,
    range: Option<(f64, f64)>,
    scale: f64,
    seconds_per_frame: Option<f64>,
}

impl AnimatedHeatmap {
    /// An empty animation of `width` x `height` heat maps; add frames with [`Self::frame`].
    pub fn new(title: &str, description: &str, width: usize, height: usize) -> Self {
        AnimatedHeatmap {
            meta: Meta::new(title, description),
            width,
            height,
            frames: Vec::new(),
            range: None,
            scale: 10.0,
            seconds_per_frame: None,
        }
    }

    /// Adds a frame: the values after `step`, row by row.
    pub fn frame<T: Into<f64> + Copy>(mut self, step: usize, values: &[T]) -> Self {
        self.frames
            .push((step, values.iter().map(|&v| v.into()).collect()));
        self
    }

    /// Sets the value range of the colour map (default: symmetric around zero, over all frames).
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }

    /// Screen pixels per cell (default 10).
    pub fn scale(mut self, scale: f64) -> Self {
        self.scale = scale;
        self
    }

    /// Seconds each frame shows (default: about eight seconds for the whole loop).
    pub fn seconds_per_frame(mut self, seconds: f64) -> Self {
        self.seconds_per_frame = Some(seconds);
        self
    }

    fn value_range(&self) -> (f64, f64) {
        if let Some(r) = self.range {
            return r;
        }
        let m = self
            .frames
            .iter()
            .flat_map(|(_, v)| v.iter())
            .filter(|v| v.is_finite())
            .fold(0.0f64, |a, &v| a.max(v.abs()));
        let m = if m > 0.0 { m } else { 1.0 };
        (-m, m)
    }
}

impl Figure for AnimatedHeatmap {
    fn to_svg(&self) -> Result<String, FigureError> {
        self.meta.check()?;
        if self.frames.is_empty() {
            return Err(FigureError::Empty {
                what: "animated heat map (add frames with .frame(step, values))".into(),
            });
        }
        let range = self.value_range();
        let map = ColourMap::Diverging;
        let uris = self
            .frames
            .iter()
            .map(|(_, values)| {
                let bytes = to_bytes(
                    "heat map values",
                    values,
                    self.width,
                    self.height,
                    Some(range),
                    |t| map.rgb(t),
                    true,
                )?;
                Ok(data_uri(self.width, self.height, Channels::Rgb, &bytes))
            })
            .collect::<Result<Vec<String>, FigureError>>()?;
        let timing = Timing::new(
            self.frames.len() - 1,
            self.seconds_per_frame
                .or(Some((8.0 / self.frames.len() as f64).clamp(0.1, 1.0))),
        );
        let (w, h) = (
            self.width as f64 * self.scale,
            self.height as f64 * self.scale,
        );
        let labels: Vec<String> = self.frames.iter().map(|(s, _)| s.to_string()).collect();
        let mut svg = Svg::new(
            w + 90.0,
            h + 52.0,
            &self.meta.title,
            &self.meta.desc,
            &timing.root_attrs_labelled("step", &labels),
        );
        svg.text(
            2.0,
            14.0,
            &format!(" class=\"fg\" fill=\"{FALLBACK_FG}\" font-size=\"14\""),
            &self.meta.title,
        );
        let (common, key_times) = (timing.common(), timing.key_times());
        let last = uris.len() - 1;
        for (k, uri) in uris.iter().enumerate() {
            // One value per key time (frames 0..=last, then the hold): visible only at frame
            // k, and the last frame also through the hold. Without SMIL, the last frame shows.
            let values: Vec<&str> = (0..=last + 1)
                .map(|i| {
                    if i == k || (k == last && i > last) {
                        "visible"
                    } else {
                        "hidden"
                    }
                })
                .collect();
            let start = if k == last { "visible" } else { "hidden" };
            let final_class = if k == last {
                "dfig-final"
            } else {
                "dfig-notfinal"
            };
            let mut image = String::new();
            let _ = write!(
                image,
                "<image class=\"{final_class}\" x=\"2\" y=\"26\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" visibility=\"{start}\" href=\"{uri}\"><animate attributeName=\"visibility\" calcMode=\"discrete\" values=\"{}\" keyTimes=\"{key_times}\" {common}/></image>",
                num(w),
                num(h),
                values.join(";"),
            );
            svg.raw(&image);
        }
        colour_bar(
            &mut svg,
            map,
            range,
            (w + 18.0, 32.0, h - 12.0),
            "",
            &linear_ticks(range),
        );
        let mut counter = String::new();
        step_counter(&mut counter, 50.0, h + 46.0, "step", &labels, &timing);
        svg.raw(&counter);
        svg.raw(&stop_buttons(116.0, h + 46.0));
        Ok(svg.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_frame_shows_at_its_own_key_time_and_the_last_one_holds() {
        let fig = AnimatedHeatmap::new("t", "d", 2, 1)
            .frame(0, &[1.0, -1.0])
            .frame(5, &[2.0, -2.0])
            .frame(9, &[3.0, -3.0]);
        let svg = fig.to_svg().unwrap();
        assert_eq!(svg.matches("<image").count(), 3);
        assert!(svg.contains("values=\"visible;hidden;hidden;hidden\""));
        assert!(svg.contains("values=\"hidden;visible;hidden;hidden\""));
        assert!(svg.contains("values=\"hidden;hidden;visible;visible\""));
        assert!(svg.contains("data-steps=\"2\""));
    }

    #[test]
    fn no_frames_and_wrong_sizes_are_errors() {
        assert!(AnimatedHeatmap::new("t", "d", 2, 2).to_svg().is_err());
        assert!(
            AnimatedHeatmap::new("t", "d", 2, 2)
                .frame(0, &[1.0])
                .to_svg()
                .is_err()
        );
    }
}
