//! 3-D landscape: a shaded surface seen from a fixed camera, its contour lines projected on the
//! floor (plotly's `project_z`), and points and paths on the surface.
//!
//! Faces are drawn far to near in grid order (the painter's algorithm; for a height field seen
//! from above, an order fixed by the camera is correct whatever the heights), each a short
//! relative path with its colour: the view is orthographic, so the order never changes.

use super::landscape2d::Marker;
use super::landscape2d::divergence_cross;
use super::line::{Curve, legend};
use super::scene::{FACES_GROUP, Scene, face_path};
use super::svg::{Svg, escape, num, path_data};
use super::theme::{ColourMap, FALLBACK_FG, hex, series};
use super::{Figure, FigureError, Meta};
use crate::plane::Grid;
use crate::plane::Trace;

/// A shaded 3-D surface with floor contours, markers and paths.
///
/// ```
/// use descent::figure::{Figure, Landscape3d, Marker};
/// use descent::landscape::{Landscape, Peaks};
/// use descent::optim::{Adam, run};
///
/// let path = run(&Peaks, [0.0, 1.2], Adam::new(0.75)?, 50)?;
/// let svg = Landscape3d::new("Peaks", "Adam descends the peaks surface.", Peaks.grid(-3.0..=3.0, -3.0..=3.0, 60)?)
///     .path("Adam", &path)
///     .marker(Marker::start([0.0, 1.2]))
///     .to_svg()?;
/// assert!(svg.len() < 250_000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
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
    paths: Vec<Curve>,
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

    /// Adds a path on the surface (heights are read off the grid): an `&optim::Path`, or a
    /// slice, array or vector of points. A diverged path ends at its last finite point with a
    /// cross.
    pub fn path(mut self, label: &str, path: impl Into<Trace>) -> Self {
        self.paths.push(Curve::from_trace(label, path.into()));
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
        let ((x0, x1), (y0, y1)) = (self.grid.x_pair(), self.grid.y_pair());
        let index = |v: f64, lo: f64, hi: f64| {
            ((v - lo) / (hi - lo) * cells as f64)
                .floor()
                .clamp(0.0, (cells - 1) as f64) as usize
        };
        let rank_of = |(x, y): (f64, f64)| rank[index(y, y0, y1) * cells + index(x, x0, x1)];
        let mut pieces = Pieces::new();
        for (k, curve) in self.paths.iter().enumerate() {
            let pts = &curve.points;
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
            self.grid.x_pair(),
            self.grid.y_pair(),
            z,
            (34.0, 34.0, w - 124.0, h - 56.0),
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
        svg.raw(&scene.panes());
        svg.raw(&scene.floor_contours(&self.grid, self.levels, map));
        svg.raw(&scene.axes((&self.titles.0, &self.titles.1, &self.titles.2)));
        let mesh = self.grid.resample(self.resolution + 1);
        let n = self.resolution + 1;
        // Path pieces are painted right after the nearest cell they touch, so nearer faces
        // (a ridge in front) hide them and farther ones never do.
        let order = scene.cell_order(n);
        let after = self.path_pieces(&scene, &order, n - 1);
        // Each face sets only `color` (24-bit); fill and stroke (which hides seams) follow it.
        svg.raw(FACES_GROUP);
        for (r, &(i, j)) in order.iter().enumerate() {
            let idx = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
            let c = idx.map(|(a, b)| scene.norm(mesh.xi(a), mesh.yj(b), mesh.get(a, b)));
            if c.iter().all(|p| p.2.is_finite()) {
                let col = hex(scene.face_colour(&c, map));
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
        // The whole of every path again, dashed and on top: where a ridge hides a piece, the
        // dashes still show where it goes; where it is seen they fall on its solid line.
        svg.raw("</g><g fill=\"none\" stroke-width=\"1.5\" stroke-dasharray=\"3 4\" stroke-linecap=\"round\">");
        for (k, curve) in self.paths.iter().enumerate() {
            let px: Vec<(f64, f64)> = curve
                .points
                .iter()
                .map(|&(x, y)| scene.at(x, y, self.grid.at(x, y)))
                .collect();
            if px.len() > 1 {
                let (class, colour) = series(k);
                svg.fmt(format_args!(
                    "<path class=\"{class}\" stroke=\"{colour}\" d=\"{}\"/>",
                    path_data(&px)
                ));
            }
        }
        let mut crosses = String::new();
        for (k, curve) in self.paths.iter().enumerate() {
            if let (Some(_), Some(&(x, y))) = (curve.diverged_at, curve.points.last()) {
                let end = scene.at(x, y, self.grid.at(x, y));
                crosses.push_str(&divergence_cross(end, k, ""));
            }
        }
        if !crosses.is_empty() {
            svg.fmt(format_args!("</g><g fill=\"none\">{crosses}"));
        }
        svg.raw("</g><g stroke=\"#000\" fill=\"#fff\">");
        for m in &self.markers {
            let p = scene.at(m.x, m.y, self.grid.at(m.x, m.y));
            svg.fmt(format_args!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"4.5\"/><text x=\"{}\" y=\"{}\" stroke-width=\"2.5\" paint-order=\"stroke\" font-size=\"12\">{}</text>",
                num(p.0), num(p.1), num(p.0 + 7.0), num(p.1 - 7.0), escape(&m.label)
            ));
        }
        svg.raw("</g>");
        scene.colour_bar(
            &mut svg,
            map,
            (w - 66.0, h * 0.42, h * 0.42),
            &self.titles.2,
        );
        legend(
            &mut svg,
            w - 4.0,
            24.0,
            self.paths.iter().map(Curve::legend_label),
        );
        Ok(svg.finish())
    }
}
