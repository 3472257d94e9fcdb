//! 3-D landscape: a shaded surface seen from a fixed camera, its contour lines projected on the
//! floor (plotly's `project_z`), and points and paths on the surface.
//!
//! Faces are drawn far to near in grid order (the painter's algorithm; for a height field seen
//! from above, an order fixed by the camera is correct whatever the heights), each a short
//! relative path with its colour: the view is orthographic, so the order never changes.

use std::fmt::Write;

use super::axes::{tick_label, ticks};
use super::contour::contour;
use super::grid::Grid;
use super::landscape2d::Marker;
use super::line::legend;
use super::svg::{Svg, escape, num, path_data};
use super::theme::{ColourMap, FALLBACK_FG, hex, hex3, series, shade};
use super::{Figure, FigureError, Meta};

/// Where the floor sits below the lowest value, in normalised height units.
const FLOOR: f64 = -0.9;
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

    /// The face colour of a cell with normalised corners `c` (00, 10, 11, 01), coloured by
    /// height and shaded by a light above and behind the camera's left shoulder.
    pub(crate) fn face_colour(&self, c: &[(f64, f64, f64); 4], map: ColourMap) -> (u8, u8, u8) {
        let u = (c[2].0 - c[0].0, c[2].1 - c[0].1, c[2].2 - c[0].2);
        let v = (c[3].0 - c[1].0, c[3].1 - c[1].1, c[3].2 - c[1].2);
        let n = (
            u.1 * v.2 - u.2 * v.1,
            u.2 * v.0 - u.0 * v.2,
            u.0 * v.1 - u.1 * v.0,
        );
        let len = dot(n, n).sqrt().max(1e-12);
        let light = (
            -0.3 * self.right.0 + 0.5 * self.up.0,
            -0.3 * self.right.1 + 0.5 * self.up.1,
            0.8,
        );
        let ll = dot(light, light).sqrt();
        let k = 0.5 + 0.55 * (dot(n, light) / (len * ll)).abs();
        let zmean = (c.iter().map(|p| p.2).sum::<f64>() / 4.0 - Z_LO) / (Z_HI - Z_LO);
        shade(map.rgb(zmean), k)
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
            "<path class=\"ax\" stroke=\"{FALLBACK_FG}\" fill=\"none\" d=\"{lines}\"/><g class=\"fg\" fill=\"{FALLBACK_FG}\" font-size=\"10\" text-anchor=\"middle\" dominant-baseline=\"middle\">{texts}</g>"
        )
    }

    /// Contour lines of `g` on the floor, one path per level in the level's colour (the map's
    /// darkest and lightest ends are left out: they vanish on dark and on light pages).
    pub(crate) fn floor_contours(&self, g: &Grid, levels: usize, map: ColourMap) -> String {
        let g = &g.at_most(super::landscape2d::MAX_SAMPLES);
        let (lo, hi) = g.finite_range();
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

/// A shaded 3-D surface with floor contours, markers and paths.
///
/// ```
/// use descent::figure::{Figure, Grid, Landscape3d, Marker};
/// let grid = Grid::sample(|x, y| (x * x + y * y).sqrt().sin(), (-4.0, 4.0), (-4.0, 4.0), 30)?;
/// let svg = Landscape3d::new("Ripples", "A rippled surface seen from above.", grid)
///     .marker(Marker::minimum(0.0, 0.0))
///     .to_svg()?;
/// assert!(svg.len() < 250_000);
/// # Ok::<(), descent::figure::FigureError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Landscape3d {
    meta: Meta,
    grid: Grid,
    resolution: usize,
    levels: usize,
    camera: (f64, f64),
    titles: (String, String, String),
    markers: Vec<Marker>,
    paths: Vec<(String, Vec<(f64, f64)>)>,
    size: (u32, u32),
}

impl Landscape3d {
    /// A surface of `grid`.
    pub fn new(title: &str, description: &str, grid: Grid) -> Self {
        Landscape3d {
            meta: Meta::new(title, description),
            grid,
            resolution: 40,
            levels: 12,
            camera: (-60.0, 30.0),
            titles: ("x".into(), "y".into(), "f".into()),
            markers: Vec::new(),
            paths: Vec::new(),
            size: (600, 480),
        }
    }

    /// Faces per side of the drawn mesh (default 40; the floor contours use the full grid).
    pub fn resolution(mut self, n: usize) -> Self {
        self.resolution = n;
        self
    }

    /// Number of floor contour lines (default 12).
    pub fn levels(mut self, levels: usize) -> Self {
        self.levels = levels;
        self
    }

    /// Camera azimuth and elevation in degrees (default -60 and 30).
    pub fn camera(mut self, azimuth: f64, elevation: f64) -> Self {
        self.camera = (azimuth, elevation);
        self
    }

    /// Titles the three axes (default "x", "y", "f").
    pub fn axis_titles(mut self, x: &str, y: &str, z: &str) -> Self {
        self.titles = (x.into(), y.into(), z.into());
        self
    }

    /// Marks a point on the surface.
    pub fn marker(mut self, marker: Marker) -> Self {
        self.markers.push(marker);
        self
    }

    /// Adds a path on the surface (heights are read off the grid).
    pub fn path(mut self, label: &str, points: &[(f64, f64)]) -> Self {
        self.paths.push((label.to_owned(), points.to_vec()));
        self
    }

    /// Sets the size in pixels (default 600 x 480).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width, height);
        self
    }
}

/// Pieces of a path (series `k`, pixel polyline) keyed by the paint-order rank they follow.
type Pieces = std::collections::BTreeMap<usize, Vec<(usize, Vec<(f64, f64)>)>>;

impl Landscape3d {
    /// Splits the paths into pieces, each to be painted after the nearest cell its segments
    /// touch (`order` is the far-to-near order of the `cells` x `cells` mesh).
    fn path_pieces(&self, scene: &Scene, order: &[(usize, usize)], cells: usize) -> Pieces {
        let mut rank = vec![0; cells * cells];
        for (r, &(i, j)) in order.iter().enumerate() {
            rank[j * cells + i] = r;
        }
        let ((x0, x1), (y0, y1)) = (self.grid.x_range(), self.grid.y_range());
        let index = |v: f64, lo: f64, hi: f64| {
            ((v - lo) / (hi - lo) * cells as f64)
                .floor()
                .clamp(0.0, (cells - 1) as f64) as usize
        };
        let rank_of = |(x, y): (f64, f64)| rank[index(y, y0, y1) * cells + index(x, x0, x1)];
        let mut pieces = Pieces::new();
        for (k, (_, pts)) in self.paths.iter().enumerate() {
            let pts = super::landscape2d::finite_prefix(pts);
            let mut last: Option<usize> = None;
            for w in pts.windows(2) {
                let r = rank_of(w[0]).max(rank_of(w[1]));
                let b = scene.at(w[1].0, w[1].1, self.grid.at(w[1].0, w[1].1));
                let list = pieces.entry(r).or_default();
                match list.last_mut() {
                    Some((pk, piece)) if last == Some(r) && *pk == k => piece.push(b),
                    _ => list.push((
                        k,
                        vec![scene.at(w[0].0, w[0].1, self.grid.at(w[0].0, w[0].1)), b],
                    )),
                }
                last = Some(r);
            }
        }
        pieces
    }
}

/// Refuses meshes too coarse to draw or too fine for the size budget.
pub(crate) fn check_resolution(n: usize) -> Result<(), FigureError> {
    if !(2..=80).contains(&n) {
        return Err(FigureError::Invalid {
            what: "surface resolution".into(),
            why: format!("{n} faces per side; give 2 to 80 (40 is plenty on a page)"),
        });
    }
    Ok(())
}

impl Figure for Landscape3d {
    fn to_svg(&self) -> Result<String, FigureError> {
        self.meta.check()?;
        check_resolution(self.resolution)?;
        let (w, h) = (f64::from(self.size.0), f64::from(self.size.1));
        let z = self.grid.finite_range();
        let scene = Scene::new(
            self.camera.0,
            self.camera.1,
            self.grid.x_range(),
            self.grid.y_range(),
            z,
            (40.0, 34.0, w - 80.0, h - 60.0),
        );
        let mut svg = Svg::new(w, h, &self.meta.title, &self.meta.desc, "");
        svg.text(
            w / 2.0,
            18.0,
            &format!(
                " class=\"fg\" fill=\"{FALLBACK_FG}\" font-size=\"14\" text-anchor=\"middle\""
            ),
            &self.meta.title,
        );
        let map = ColourMap::Viridis;
        svg.raw(&scene.floor_contours(&self.grid, self.levels, map));
        svg.raw(&scene.axes((&self.titles.0, &self.titles.1, &self.titles.2)));
        let mesh = self.grid.resample(self.resolution + 1);
        let n = self.resolution + 1;
        // Path pieces are painted right after the nearest cell they touch, so nearer faces
        // (a ridge in front) hide them and farther ones never do.
        let order = scene.cell_order(n);
        let after = self.path_pieces(&scene, &order, n - 1);
        // Each face sets only `color` (12-bit); fill and stroke (which hides seams) follow it.
        svg.raw(FACES_GROUP);
        for (r, &(i, j)) in order.iter().enumerate() {
            let idx = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
            let c = idx.map(|(a, b)| scene.norm(mesh.xi(a), mesh.yj(b), mesh.value(a, b)));
            if c.iter().all(|p| p.2.is_finite()) {
                let col = hex3(scene.face_colour(&c, map));
                let px = c.map(|p| scene.project(p));
                svg.fmt(format_args!(
                    "<path color=\"{col}\" d=\"{}\"/>",
                    face_path(&px)
                ));
            }
            if let Some(pieces) = after.get(&r) {
                svg.raw("</g><g fill=\"none\" stroke-width=\"2.5\" stroke-linecap=\"round\" stroke-linejoin=\"round\">");
                for (k, piece) in pieces {
                    let (class, colour) = series(*k);
                    svg.fmt(format_args!(
                        "<path class=\"{class}\" stroke=\"{colour}\" d=\"{}\"/>",
                        path_data(piece)
                    ));
                }
                svg.raw("</g>");
                svg.raw(FACES_GROUP);
            }
        }
        svg.raw("</g><g stroke=\"#000\" fill=\"#fff\">");
        for m in &self.markers {
            let p = scene.at(m.x, m.y, self.grid.at(m.x, m.y));
            svg.fmt(format_args!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"4.5\"/><text x=\"{}\" y=\"{}\" stroke-width=\"2.5\" paint-order=\"stroke\" font-size=\"11\">{}</text>",
                num(p.0), num(p.1), num(p.0 + 7.0), num(p.1 - 7.0), escape(&m.label)
            ));
        }
        svg.raw("</g>");
        legend(
            &mut svg,
            w - 4.0,
            24.0,
            self.paths.iter().map(|p| p.0.as_str()),
        );
        Ok(svg.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faces_are_integer_half_pixels_with_implicit_relative_lines() {
        let d = face_path(&[(10.0, 5.0), (12.5, 5.0), (12.5, 4.0), (10.0, 4.2)]);
        assert_eq!(d, "m20 10 5 0 0-2-5 0z");
    }
}
