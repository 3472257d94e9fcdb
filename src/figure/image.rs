//! Images: one greyscale picture (a 28 x 28 digit) with crisp pixels, and a grid of them with
//! a label under each (like torchvision's `make_grid`).
//!
//! A grid can show a page of images at a time, with radio buttons to page (no JavaScript).
//!
//! Pixels travel as a tiny embedded PNG drawn with `image-rendering: pixelated`.

use super::control::{CONTROL_H, group_class, radio_control};
use super::png::{Channels, data_uri};
use super::svg::{Svg, num};
use super::theme::FALLBACK_FG;
use super::{Figure, FigureError, Meta};

/// Checks a picture's size and turns its values into grey bytes over `range` (or its own
/// min..max).
pub(crate) fn to_bytes(
    what: &str,
    values: &[f64],
    width: usize,
    height: usize,
    range: Option<(f64, f64)>,
    map: impl Fn(f64) -> (u8, u8, u8),
    rgb: bool,
) -> Result<Vec<u8>, FigureError> {
    if values.is_empty() || width == 0 || height == 0 {
        return Err(FigureError::Empty { what: what.into() });
    }
    if values.len() != width * height {
        return Err(FigureError::Shape {
            what: what.into(),
            expected: width * height,
            got: values.len(),
        });
    }
    let (lo, hi) = range.unwrap_or_else(|| {
        values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            })
    });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let mut out = Vec::with_capacity(values.len() * 3);
    for &v in values {
        let (r, g, b) = map(((v - lo) / span).clamp(0.0, 1.0));
        if rgb {
            out.extend_from_slice(&[r, g, b]);
        } else {
            out.push(r);
        }
    }
    Ok(out)
}

fn grey(t: f64) -> (u8, u8, u8) {
    let g = (t * 255.0).round() as u8;
    (g, g, g)
}

/// An `<image>` element of crisp pixels.
pub(crate) fn pixel_image(svg: &mut Svg, uri: &str, x: f64, y: f64, w: f64, h: f64) {
    svg.fmt(format_args!(
        "<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"{uri}\"/>",
        num(x), num(y), num(w), num(h)
    ));
}

/// A greyscale image, e.g. one MNIST digit (`0` is black, the largest value white).
///
/// ```
/// use descent::figure::{Figure, Image};
/// let pixels: Vec<f32> = (0..28 * 28).map(|i| (i % 28) as f32).collect();
/// let svg = Image::new("A ramp", "Pixels brighten from left to right.", pixels, 28, 28).to_svg()?;
/// assert!(svg.contains("image-rendering:pixelated"));
/// # Ok::<(), descent::figure::FigureError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Image {
    meta: Meta,
    values: Vec<f64>,
    width: usize,
    height: usize,
    range: Option<(f64, f64)>,
    scale: f64,
}

impl Image {
    /// An image of `width` x `height` values given row by row.
    pub fn new<T: Into<f64>>(
        title: &str,
        description: &str,
        pixels: impl IntoIterator<Item = T>,
        width: usize,
        height: usize,
    ) -> Self {
        Image {
            meta: Meta::new(title, description),
            values: pixels.into_iter().map(Into::into).collect(),
            width,
            height,
            range: None,
            scale: 8.0,
        }
    }

    /// Maps `lo` to black and `hi` to white (default: the image's own min and max).
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }

    /// Screen pixels per image pixel (default 8).
    pub fn scale(mut self, scale: f64) -> Self {
        self.scale = scale;
        self
    }
}

impl Figure for Image {
    fn to_svg(&self) -> Result<String, FigureError> {
        self.meta.check()?;
        let bytes = to_bytes(
            "image pixels",
            &self.values,
            self.width,
            self.height,
            self.range,
            grey,
            false,
        )?;
        let uri = data_uri(self.width, self.height, Channels::Grey, &bytes);
        let (w, h) = (
            self.width as f64 * self.scale,
            self.height as f64 * self.scale,
        );
        let mut svg = Svg::new(w + 2.0, h + 2.0, &self.meta.title, &self.meta.desc, "");
        pixel_image(&mut svg, &uri, 1.0, 1.0, w, h);
        svg.fmt(format_args!("<rect class=\"ax\" x=\".5\" y=\".5\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{FALLBACK_FG}\"/>", num(w + 1.0), num(h + 1.0)));
        Ok(svg.finish())
    }
}

/// Images in rows and columns with a label under each (samples, misclassified digits).
///
/// ```
/// use descent::figure::{Figure, ImageGrid};
/// let digit = vec![0.5f64; 28 * 28];
/// let svg = ImageGrid::new("Samples", "Two grey squares.", 2)
///     .image("label 1", &digit, 28, 28)
///     .image("label 0", &digit, 28, 28)
///     .to_svg()?;
/// assert!(svg.contains("label 0"));
/// # Ok::<(), descent::figure::FigureError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ImageGrid {
    meta: Meta,
    cols: usize,
    images: Vec<(String, Vec<f64>, usize, usize)>,
    range: Option<(f64, f64)>,
    scale: f64,
    per_page: Option<usize>,
}

impl ImageGrid {
    /// An empty grid `cols` images wide.
    pub fn new(title: &str, description: &str, cols: usize) -> Self {
        ImageGrid {
            meta: Meta::new(title, description),
            cols,
            images: Vec::new(),
            range: None,
            scale: 2.0,
            per_page: None,
        }
    }

    /// Adds an image of `width` x `height` values with a label under it.
    pub fn image<T: Into<f64> + Copy>(
        mut self,
        label: &str,
        pixels: &[T],
        width: usize,
        height: usize,
    ) -> Self {
        self.images.push((
            label.to_owned(),
            pixels.iter().map(|&v| v.into()).collect(),
            width,
            height,
        ));
        self
    }

    /// Maps `lo` to black and `hi` to white in every image (default: each image's own range).
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }

    /// Screen pixels per image pixel (default 2).
    pub fn scale(mut self, scale: f64) -> Self {
        self.scale = scale;
        self
    }

    /// Shows `n` images at a time, with a control under the grid to page through the rest
    /// (radio buttons, no JavaScript). With `n` at least the number of images: one page.
    pub fn per_page(mut self, n: usize) -> Self {
        self.per_page = Some(n.max(1));
        self
    }
}

impl Figure for ImageGrid {
    fn to_svg(&self) -> Result<String, FigureError> {
        self.meta.check()?;
        if self.images.is_empty() || self.cols == 0 {
            return Err(FigureError::Empty {
                what: "image grid (add images and give at least one column)".into(),
            });
        }
        let cw = self.images.iter().map(|i| i.2).max().unwrap_or(1) as f64 * self.scale;
        let ch = self.images.iter().map(|i| i.3).max().unwrap_or(1) as f64 * self.scale;
        let labelled = self.images.iter().any(|i| !i.0.is_empty());
        let (gap, label_h) = (6.0, if labelled { 15.0 } else { 0.0 });
        let per_page = self.per_page.unwrap_or(self.images.len());
        let paged = per_page < self.images.len();
        let on_page = per_page.min(self.images.len());
        let cols = self.cols.min(on_page);
        let rows = on_page.div_ceil(self.cols);
        let w = cols as f64 * (cw + gap) + gap;
        let h = rows as f64 * (ch + gap + label_h) + gap;
        let control_h = if paged { CONTROL_H } else { 0.0 };
        let mut svg = Svg::new(
            w.max(if paged { 260.0 } else { 0.0 }),
            h + control_h,
            &self.meta.title,
            &self.meta.desc,
            "",
        );
        let mut page_labels = Vec::new();
        for (page, chunk) in self.images.chunks(per_page).enumerate() {
            let first = page * per_page;
            if paged {
                svg.fmt(format_args!("<g class=\"{}\">", group_class(page)));
                page_labels.push(format!("{}-{}", first + 1, first + chunk.len()));
            }
            let mut labels = String::new();
            for (i, (label, values, iw, ih)) in chunk.iter().enumerate() {
                let k = first + i;
                let bytes = to_bytes(
                    &format!("image {k} (\"{label}\")"),
                    values,
                    *iw,
                    *ih,
                    self.range,
                    grey,
                    false,
                )?;
                let uri = data_uri(*iw, *ih, Channels::Grey, &bytes);
                let x = gap + (i % self.cols) as f64 * (cw + gap);
                let y = gap + (i / self.cols) as f64 * (ch + gap + label_h);
                pixel_image(
                    &mut svg,
                    &uri,
                    x,
                    y,
                    *iw as f64 * self.scale,
                    *ih as f64 * self.scale,
                );
                if !label.is_empty() {
                    labels.push_str(&format!(
                        "<text x=\"{}\" y=\"{}\">{}</text>",
                        num(x + cw / 2.0),
                        num(y + ch + 12.0),
                        super::svg::escape(label)
                    ));
                }
            }
            if !labels.is_empty() {
                svg.fmt(format_args!("<g class=\"fg\" fill=\"{FALLBACK_FG}\" font-size=\"12\" text-anchor=\"middle\">{labels}</g>"));
            }
            if paged {
                svg.raw("</g>");
            }
        }
        if paged {
            radio_control(&mut svg, "images", &page_labels, h, w.max(260.0));
        }
        Ok(svg.finish())
    }
}

#[cfg(test)]
mod paging_tests {
    use super::*;

    fn grid(n: usize) -> ImageGrid {
        (0..n).fold(ImageGrid::new("t", "d", 2), |g, k| {
            g.image(&format!("#{k}"), &[k as f64, 0.0, 1.0, 2.0], 2, 2)
        })
    }

    #[test]
    fn pages_are_groups_switched_by_radio_buttons() {
        let svg = grid(5).per_page(2).to_svg().unwrap();
        assert_eq!(svg.matches("type=\"radio\"").count(), 3);
        assert!(svg.contains(">1-2</label>") && svg.contains(">5-5</label>"));
        assert_eq!(svg.matches("<image").count(), 5);
        assert!(svg.contains(":checked"));
    }

    #[test]
    fn one_page_has_no_control() {
        let svg = grid(3).per_page(3).to_svg().unwrap();
        assert!(!svg.contains("radio"));
        assert_eq!(svg, grid(3).to_svg().unwrap());
    }
}
