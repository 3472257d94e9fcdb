//! The 3-D scene shared by the surface figures: a fixed orthographic camera fitted to the
//! data box, far-to-near cell order (the painter's algorithm), face shading, the floor with
//! its contour lines, and the axes.

use std::fmt::Write;

use super::axes::{tick_label, ticks};
use super::contour::contour;
use super::svg::{escape, num, path_data};
use super::theme::{ColourMap, FALLBACK_FG, hex, shade};
use crate::plane::Grid;

/// Where the floor sits below the lowest value, in normalised height units.
const FLOOR: f64 = -0.9;
/// Where the light comes from, in normalised coordinates: high above the box's low-x,
/// low-y corner, fixed to the data (not the camera).
const LIGHT: (f64, f64, f64) = (-0.5, -0.7, 1.4);
/// The share of a face's colour that the light does not reach (shadowed faces keep it).
const AMBIENT: f64 = 0.5;
/// The surface spans heights -0.5 ..= 0.7 after normalising.
const Z_LO: f64 = -0.5;
const Z_HI: f64 = 0.7;

/// A fixed orthographic camera fitted to a box of data.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scene {
    right: (f64, f64, f64),
    up: (f64, f64, f64),
    depth: (f64, f64),
    scale: f64,
    offset: (f64, f64),
    x: (f64, f64),
    y: (f64, f64),
    z: (f64, f64),
}

fn dot(a: (f64, f64, f64), b: (f64, f64, f64)) -> f64 {
    a.0 * b.0 + a.1 * b.1 + a.2 * b.2
}

impl Scene {
    /// A camera at `azimuth`/`elevation` degrees looking at the box `x` x `y` x `z`, fitted
    /// into the pixel rectangle `area` (x, y, width, height).
    pub(crate) fn new(
        azimuth: f64,
        elevation: f64,
        x: (f64, f64),
        y: (f64, f64),
        z: (f64, f64),
        area: (f64, f64, f64, f64),
    ) -> Self {
        let (a, e) = (azimuth.to_radians(), elevation.to_radians());
        let right = (-a.sin(), a.cos(), 0.0);
        let up = (-a.cos() * e.sin(), -a.sin() * e.sin(), e.cos());
        let mut s = Scene {
            right,
            up,
            depth: (a.cos(), a.sin()),
            scale: 1.0,
            offset: (0.0, 0.0),
            x,
            y,
            z,
        };
        let corners: Vec<(f64, f64)> = [-1.0, 1.0]
            .iter()
            .flat_map(|&cx| [-1.0, 1.0].map(move |cy| (cx, cy)))
            .flat_map(|(cx, cy)| [FLOOR, Z_HI].map(move |cz| (cx, cy, cz)))
            .map(|p| (dot(p, right), -dot(p, up)))
            .collect();
        let (minx, maxx) = corners
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                (a.min(p.0), b.max(p.0))
            });
        let (miny, maxy) = corners
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                (a.min(p.1), b.max(p.1))
            });
        let scale = (area.2 / (maxx - minx)).min(area.3 / (maxy - miny));
        s.scale = scale;
        s.offset = (
            area.0 + (area.2 - scale * (maxx - minx)) / 2.0 - scale * minx,
            area.1 + (area.3 - scale * (maxy - miny)) / 2.0 - scale * miny,
        );
        s
    }

    /// Normalised coordinates of a data point.
    pub(crate) fn norm(&self, x: f64, y: f64, z: f64) -> (f64, f64, f64) {
        let n = |v: f64, r: (f64, f64)| 2.0 * (v - r.0) / (r.1 - r.0) - 1.0;
        let zs = if self.z.1 > self.z.0 {
            (z - self.z.0) / (self.z.1 - self.z.0)
        } else {
            0.5
        };
        (
            n(x, self.x),
            n(y, self.y),
            Z_LO + zs.clamp(-0.1, 1.1) * (Z_HI - Z_LO),
        )
    }

    /// Pixel position of a normalised point.
    pub(crate) fn project(&self, p: (f64, f64, f64)) -> (f64, f64) {
        (
            self.offset.0 + self.scale * dot(p, self.right),
            self.offset.1 - self.scale * dot(p, self.up),
        )
    }

    /// Pixel position of a data point.
    pub(crate) fn at(&self, x: f64, y: f64, z: f64) -> (f64, f64) {
        self.project(self.norm(x, y, z))
    }

    /// Pixel position of a data point on the floor.
    pub(crate) fn floor(&self, x: f64, y: f64) -> (f64, f64) {
        let p = self.norm(x, y, 0.0);
        self.project((p.0, p.1, FLOOR))
    }

    /// Cells `(i, j)` of an `n` x `n` mesh, far to near.
    pub(crate) fn cell_order(&self, n: usize) -> Vec<(usize, usize)> {
        let mut cells: Vec<(usize, usize)> = (0..n - 1)
            .flat_map(|j| (0..n - 1).map(move |i| (i, j)))
            .collect();
        let key = |&(i, j): &(usize, usize)| self.depth.0 * i as f64 + self.depth.1 * j as f64;
        cells.sort_by(|a, b| key(a).total_cmp(&key(b)).then(a.cmp(b)));
        cells
    }

    /// The face colour of a cell with normalised corners `c` (00, 10, 11, 01): the colour map
    /// at the face's mean height, shaded by a light from a fixed direction in the data's frame
    /// (high above the low-x, low-y corner), Lambert's law over an ambient floor, so the shape
    /// reads the same from any camera.
    pub(crate) fn face_colour(&self, c: &[(f64, f64, f64); 4], map: ColourMap) -> (u8, u8, u8) {
        let u = (c[2].0 - c[0].0, c[2].1 - c[0].1, c[2].2 - c[0].2);
        let v = (c[3].0 - c[1].0, c[3].1 - c[1].1, c[3].2 - c[1].2);
        let mut n = (
            u.1 * v.2 - u.2 * v.1,
            u.2 * v.0 - u.0 * v.2,
            u.0 * v.1 - u.1 * v.0,
        );
        if n.2 < 0.0 {
            n = (-n.0, -n.1, -n.2);
        }
        let len = dot(n, n).sqrt().max(1e-12);
        let ll = dot(LIGHT, LIGHT).sqrt();
        let diffuse = (dot(n, LIGHT) / (len * ll)).max(0.0);
        // Scaled so a flat face keeps its map colour exactly; slopes to the light get brighter.
        let flat = LIGHT.2 / ll;
        let k = AMBIENT + (1.0 - AMBIENT) * diffuse / flat;
        let zmean = (c.iter().map(|p| p.2).sum::<f64>() / 4.0 - Z_LO) / (Z_HI - Z_LO);
        shade(map.rgb(zmean), k.min(1.12))
    }

    /// The far x and y edges of the box (the back panes stand on them).
    fn back(&self) -> (f64, f64) {
        let xb = if self.depth.0 >= 0.0 {
            self.x.0
        } else {
            self.x.1
        };
        let yb = if self.depth.1 >= 0.0 {
            self.y.0
        } else {
            self.y.1
        };
        (xb, yb)
    }

    /// The two back panes (walls behind the surface) and the floor, lightly filled, with grid
    /// lines at the axes' ticks, as plotly draws a 3-D scene's box. Painted first.
    pub(crate) fn panes(&self) -> String {
        let (x, y, z) = (self.x, self.y, self.z);
        let (xb, yb) = self.back();
        let nx = |v: f64| self.norm(v, y.0, z.0).0;
        let ny = |v: f64| self.norm(x.0, v, z.0).1;
        let nz = |v: f64| self.norm(x.0, y.0, v).2;
        let p = |a: f64, b: f64, c: f64| self.project((a, b, c));
        let (xbn, ybn) = (nx(xb), ny(yb));
        let mut fill = String::new();
        // Wall on x = xb (spans y), wall on y = yb (spans x), then the floor.
        fill.push_str(&path_data(&[
            p(xbn, -1.0, FLOOR),
            p(xbn, 1.0, FLOOR),
            p(xbn, 1.0, Z_HI),
            p(xbn, -1.0, Z_HI),
        ]));
        fill.push('z');
        fill.push_str(&path_data(&[
            p(-1.0, ybn, FLOOR),
            p(1.0, ybn, FLOOR),
            p(1.0, ybn, Z_HI),
            p(-1.0, ybn, Z_HI),
        ]));
        fill.push('z');
        fill.push_str(&path_data(&[
            p(-1.0, -1.0, FLOOR),
            p(1.0, -1.0, FLOOR),
            p(1.0, 1.0, FLOOR),
            p(-1.0, 1.0, FLOOR),
        ]));
        fill.push('z');
        let mut grid = String::new();
        for t in ticks(y.0, y.1, 5) {
            let v = ny(t);
            grid.push_str(&path_data(&[
                p(-1.0, v, FLOOR),
                p(xbn, v, FLOOR),
                p(xbn, v, Z_HI),
            ]));
        }
        for t in ticks(x.0, x.1, 5) {
            let v = nx(t);
            grid.push_str(&path_data(&[p(v, -1.0, FLOOR), p(v, ybn, FLOOR)]));
            grid.push_str(&path_data(&[p(v, ybn, FLOOR), p(v, ybn, Z_HI)]));
        }
        for t in ticks(z.0, z.1, 5) {
            let v = nz(t);
            let far_x = if xbn < 0.0 { 1.0 } else { -1.0 };
            let far_y = if ybn < 0.0 { 1.0 } else { -1.0 };
            grid.push_str(&path_data(&[
                p(far_x, ybn, v),
                p(xbn, ybn, v),
                p(xbn, far_y, v),
            ]));
        }
        format!(
            "<path class=\"fg\" fill=\"{FALLBACK_FG}\" fill-opacity=\".05\" d=\"{fill}\"/><path class=\"gr\" stroke=\"{FALLBACK_FG}\" stroke-opacity=\".13\" fill=\"none\" d=\"{grid}\"/>"
        )
    }

    /// The colour bar of the surface's heights, right of the scene.
    pub(crate) fn colour_bar(
        &self,
        svg: &mut super::svg::Svg,
        map: ColourMap,
        at: (f64, f64, f64),
        title: &str,
    ) {
        if self.z.1 > self.z.0 {
            let ticks = super::heatmap::linear_ticks(self.z);
            super::heatmap::colour_bar(svg, map, self.z, at, title, &ticks);
        }
    }

    /// The floor outline, tick labels and the z axis, as markup.
    pub(crate) fn axes(&self, titles: (&str, &str, &str)) -> String {
        let (x, y, z) = (self.x, self.y, self.z);
        let corners = [
            self.floor(x.0, y.0),
            self.floor(x.1, y.0),
            self.floor(x.1, y.1),
            self.floor(x.0, y.1),
        ];
        let centre = self.floor((x.0 + x.1) / 2.0, (y.0 + y.1) / 2.0);
        let mut lines = path_data(&corners);
        lines.push('z');
        let mut texts = String::new();
        let outward = |p: (f64, f64), d: f64| {
            let (dx, dy) = (p.0 - centre.0, p.1 - centre.1);
            let l = (dx * dx + dy * dy).sqrt().max(1e-9);
            (p.0 + dx / l * d, p.1 + dy / l * d)
        };
        // The nearer of the two edges along each axis carries its ticks.
        let near_y = if self.depth.1 < 0.0 { y.0 } else { y.1 };
        let near_x = if self.depth.0 < 0.0 { x.0 } else { x.1 };
        for t in ticks(x.0, x.1, 5) {
            let p = outward(self.floor(t, near_y), 14.0);
            let _ = write!(
                texts,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                num(p.0),
                num(p.1),
                tick_label(t)
            );
        }
        for t in ticks(y.0, y.1, 5) {
            let p = outward(self.floor(near_x, t), 14.0);
            let _ = write!(
                texts,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                num(p.0),
                num(p.1),
                tick_label(t)
            );
        }
        let tx = outward(self.floor((x.0 + x.1) / 2.0, near_y), 34.0);
        let ty = outward(self.floor(near_x, (y.0 + y.1) / 2.0), 34.0);
        let _ = write!(
            texts,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            num(tx.0),
            num(tx.1),
            escape(titles.0)
        );
        let _ = write!(
            texts,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            num(ty.0),
            num(ty.1),
            escape(titles.1)
        );
        // The z axis stands at the floor corner furthest left on screen.
        let (cx, cy) = [(x.0, y.0), (x.1, y.0), (x.1, y.1), (x.0, y.1)]
            .into_iter()
            .min_by(|a, b| self.floor(a.0, a.1).0.total_cmp(&self.floor(b.0, b.1).0))
            .unwrap_or((x.0, y.0));
        let bottom = self.at(cx, cy, z.0);
        let top = self.at(cx, cy, z.1);
        let _ = write!(lines, "{}", path_data(&[self.floor(cx, cy), bottom, top]));
        for t in ticks(z.0, z.1, 5) {
            let p = self.at(cx, cy, t);
            let _ = write!(lines, "M{} {}h-4", num(p.0), num(p.1));
            let _ = write!(
                texts,
                "<text x=\"{}\" y=\"{}\" dy=\".35em\" text-anchor=\"end\">{}</text>",
                num(p.0 - 6.0),
                num(p.1),
                tick_label(t)
            );
        }
        let _ = write!(
            texts,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>",
            num(top.0),
            num(top.1 - 10.0),
            escape(titles.2)
        );
        format!(
            "<path class=\"ax\" stroke=\"{FALLBACK_FG}\" fill=\"none\" d=\"{lines}\"/><g class=\"fg\" fill=\"{FALLBACK_FG}\" font-size=\"12\" text-anchor=\"middle\" dominant-baseline=\"middle\">{texts}</g>"
        )
    }

    /// Contour lines of `g` on the floor, one path per level in the level's colour (the map's
    /// darkest and lightest ends are left out: they vanish on dark and on light pages).
    pub(crate) fn floor_contours(&self, g: &Grid, levels: usize, map: ColourMap) -> String {
        let g = &g.at_most(super::landscape2d::MAX_SAMPLES);
        self.floor_contours_in(g, levels, map, g.finite_range())
    }

    /// [`Scene::floor_contours`] at levels spread over `(lo, hi)` (shared by every frame of an
    /// animation, so a level keeps its colour).
    pub(crate) fn floor_contours_in(
        &self,
        g: &Grid,
        levels: usize,
        map: ColourMap,
        (lo, hi): (f64, f64),
    ) -> String {
        let mut out = String::from("<g fill=\"none\" stroke-width=\"1\">");
        for k in 1..=levels {
            let t = k as f64 / (levels + 1) as f64;
            let mut d = String::new();
            for line in contour(g, lo + (hi - lo) * t) {
                let px: Vec<(f64, f64)> = line.iter().map(|&(a, b)| self.floor(a, b)).collect();
                d.push_str(&path_data(&px));
            }
            if !d.is_empty() {
                let _ = write!(
                    out,
                    "<path stroke=\"{}\" d=\"{d}\"/>",
                    hex(map.rgb(0.12 + 0.76 * t))
                );
            }
        }
        out.push_str("</g>");
        out
    }
}

/// One face as path data in half-pixel units (the faces' group scales by one half): a
/// relative move from the origin, then implicit relative lines, all integers.
pub(crate) fn face_path(px: &[(f64, f64); 4]) -> String {
    let mut d = String::with_capacity(28);
    let mut last = (0i64, 0i64);
    for (k, &(x, y)) in px.iter().enumerate() {
        let p = ((x * 2.0).round() as i64, (y * 2.0).round() as i64);
        for (n, v) in [p.0 - last.0, p.1 - last.1].into_iter().enumerate() {
            if k == 0 && n == 0 {
                d.push('m');
            } else if v >= 0 {
                d.push(' ');
            }
            let _ = write!(d, "{v}");
        }
        last = p;
    }
    d.push('z');
    d
}

/// The group that holds faces written by [`face_path`].
pub(crate) const FACES_GROUP: &str = "<g transform=\"scale(.5)\" fill=\"currentColor\" stroke=\"currentColor\" stroke-linejoin=\"round\">";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faces_are_integer_half_pixels_with_implicit_relative_lines() {
        let d = face_path(&[(10.0, 5.0), (12.5, 5.0), (12.5, 4.0), (10.0, 4.2)]);
        assert_eq!(d, "m20 10 5 0 0-2-5 0z");
    }
}
