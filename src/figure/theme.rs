//! Colours: the series palette (CSS classes the page's theme recolours), and the colour maps
//! for landscapes and heat maps, chosen to stay readable on mdBook's light and dark themes.
//!
//! Text, axes and grid never carry a fixed colour that the page cannot override: they get a
//! class (`fg`, `ax`, `gr`, `s0`..`s7`) that `assets/figures.css` maps to mdBook's variables,
//! and a mid-grey presentation attribute so a figure opened on its own still reads.

/// Number of series colours before the palette repeats.
pub const PALETTE_LEN: usize = 8;

/// Fallback series colours (mid-luminance, legible on white and on near-black); the page's
/// `figures.css` replaces them per theme through `--dfig-s0`..`--dfig-s7`.
pub(crate) const PALETTE: [&str; PALETTE_LEN] = [
    "#e8710a", "#2f8fd8", "#2ca02c", "#d62790", "#9467bd", "#17becf", "#b8a500", "#a0522d",
];

/// Fallback colour for text and axes: a grey that reads on light and dark backgrounds.
pub(crate) const FALLBACK_FG: &str = "#808080";

/// The class and fallback colour of series `i`.
pub(crate) fn series(i: usize) -> (String, &'static str) {
    (format!("s{}", i % PALETTE_LEN), PALETTE[i % PALETTE_LEN])
}

/// A colour map: control points spaced evenly over [0, 1], linearly interpolated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColourMap {
    /// Perceptually uniform dark-blue to yellow (matplotlib's viridis); for landscapes.
    Viridis,
    /// Blue to light grey to red, for signed values centred on zero (the learned weights).
    Diverging,
    /// Black to white, for images.
    Grey,
}

const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

const DIVERGING: [(u8, u8, u8); 7] = [
    (33, 82, 186),
    (92, 138, 222),
    (160, 190, 235),
    (221, 221, 221),
    (240, 170, 150),
    (222, 105, 80),
    (180, 30, 40),
];

impl ColourMap {
    /// The colour at `t` in [0, 1] (clamped; NaN gives the middle).
    pub fn rgb(self, t: f64) -> (u8, u8, u8) {
        let t = if t.is_nan() { 0.5 } else { t.clamp(0.0, 1.0) };
        let stops: &[(u8, u8, u8)] = match self {
            ColourMap::Viridis => &VIRIDIS,
            ColourMap::Diverging => &DIVERGING,
            ColourMap::Grey => &[(0, 0, 0), (255, 255, 255)],
        };
        let x = t * (stops.len() - 1) as f64;
        let i = (x.floor() as usize).min(stops.len() - 2);
        let f = x - i as f64;
        let lerp = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
        let (a, b) = (stops[i], stops[i + 1]);
        (lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
    }
}

/// `#rrggbb`.
pub(crate) fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Scales a colour by `k` (shading), clamped.
pub(crate) fn shade((r, g, b): (u8, u8, u8), k: f64) -> (u8, u8, u8) {
    let s = |v: u8| (f64::from(v) * k).round().clamp(0.0, 255.0) as u8;
    (s(r), s(g), s(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_maps_hit_their_ends_and_clamp() {
        assert_eq!(ColourMap::Viridis.rgb(0.0), (68, 1, 84));
        assert_eq!(ColourMap::Viridis.rgb(2.0), (253, 231, 37));
        assert_eq!(ColourMap::Grey.rgb(0.5), (128, 128, 128));
        assert_eq!(ColourMap::Diverging.rgb(0.5), (221, 221, 221));
    }

    #[test]
    fn hex_writes_two_digits_per_channel() {
        assert_eq!(hex((1, 2, 255)), "#0102ff");
    }
}
