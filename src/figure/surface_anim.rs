//! Animated surface: a landscape that changes over training steps.
//!
//! Frames become at most `max_keyframes` keyframes; every face of a coarse mesh keeps its place
//! in the (fixed, far-to-near) paint order and SMIL interpolates its outline (`d`) and its
//! colour (`color`, which fill and stroke follow) between keyframes. A 20 x 20 mesh with a
//! dozen keyframes stays near 200 KB where naive frames would take megabytes.
//!
//! Optional: a fixed z range (so frames compare against one scale), fixed markers at given
//! heights, and points that ride on the surface at a given `(x, y)` from keyframe to keyframe.

use std::fmt::Write;

use super::animate::{Timing, step_counter, stop_buttons};
use super::landscape2d::Marker;
use super::landscape3d::check_resolution;
use super::scene::{FACES_GROUP, Scene, face_path};
use super::svg::{Svg, escape, num};
use super::theme::{ColourMap, FALLBACK_FG, hex};
use super::{Figure, FigureError, Meta};
use crate::plane::Grid;

/// A surface that changes from frame to frame, looping, with a step counter.
///
/// ```
/// use descent::figure::{AnimatedSurface, Figure, Grid};
/// let mut fig = AnimatedSurface::new("A wave", "A wave rises and settles.");
/// for step in 0..5 {
///     let a = step as f64 / 4.0;
///     fig = fig.frame(step * 10, Grid::sample(move |x, y| a * (x * y).sin(), -2.0..=2.0, -2.0..=2.0, 12)?);
/// }
/// assert!(fig.to_svg()?.contains("attributeName=\"d\""));
/// # Ok::<(), descent::figure::FigureError>(())
/// ```
#[derive(Clone, Debug)]
pub struct AnimatedSurface {
    meta: Meta,
    frames: Vec<(usize, Grid)>,
    resolution: usize,
    max_keyframes: usize,
    camera: (f64, f64),
    titles: (String, String, String),
    size: (u32, u32),
    seconds_per_frame: Option<f64>,
    z_range: Option<(f64, f64)>,
    markers: Vec<(Marker, f64)>,
    riders: Vec<Marker>,
}

impl AnimatedSurface {
    /// A surface with no frames yet.
    pub fn new(title: &str, description: &str) -> Self {
        AnimatedSurface {
            meta: Meta::new(title, description),
            frames: Vec::new(),
            resolution: 20,
            max_keyframes: 10,
            camera: (-60.0, 30.0),
            titles: ("x".into(), "y".into(), "f".into()),
            size: (600, 480),
            seconds_per_frame: None,
            z_range: None,
            markers: Vec::new(),
            riders: Vec::new(),
        }
    }

    /// Adds the surface after training step `step`. Every frame must span the same x and y range.
    pub fn frame(mut self, step: usize, grid: Grid) -> Self {
        self.frames.push((step, grid));
        self
    }

    /// Faces per side (default 20).
    pub fn resolution(mut self, n: usize) -> Self {
        self.resolution = n;
        self
    }

    /// At most this many keyframes are kept, evenly spread over the frames (default 10).
    pub fn max_keyframes(mut self, k: usize) -> Self {
        self.max_keyframes = k;
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

    /// Seconds between keyframes (default: about 8 s per loop).
    pub fn seconds_per_frame(mut self, seconds: f64) -> Self {
        self.seconds_per_frame = Some(seconds);
        self
    }

    /// Fixes the z axis and the colour scale to `lo..=hi` for every frame (default: the range
    /// of the keyframes' values); values outside are drawn just past the nearer end.
    pub fn z_range(mut self, lo: f64, hi: f64) -> Self {
        self.z_range = Some((lo, hi));
        self
    }

    /// Marks a fixed point at height `z` above the marker's `(x, y)`, drawn over the surface
    /// with its label (the same in every frame).
    pub fn marker(mut self, marker: Marker, z: f64) -> Self {
        self.markers.push((marker, z));
        self
    }

    /// A point that rides on the surface at the marker's `(x, y)`: at each keyframe it sits at
    /// that frame's value there, so it rises and falls with the surface.
    pub fn follow(mut self, marker: Marker) -> Self {
        self.riders.push(marker);
        self
    }

    fn keyframes(&self) -> Vec<&(usize, Grid)> {
        let f = self.frames.len();
        let k = self.max_keyframes.clamp(2, f.max(2)).min(f);
        if k <= 1 {
            return self.frames.iter().collect();
        }
        (0..k)
            .map(|i| &self.frames[(i * (f - 1) + (k - 1) / 2) / (k - 1)])
            .collect()
    }
}

impl AnimatedSurface {
    /// The fixed markers and the riding points, drawn over the faces.
    fn markers_markup(&self, scene: &Scene, keys: &[&(usize, Grid)], timing: &Timing) -> String {
        if self.markers.is_empty() && self.riders.is_empty() {
            return String::new();
        }
        let mut m = String::from("<g stroke=\"#000\" fill=\"#fff\">");
        // Fixed markers are white; riders (which carry their motion in `extra`, and the group
        // attributes that put them at the last frame under reduced motion in `attrs`) orange.
        let dot = |m: &mut String, (x, y): (f64, f64), label: &str, attrs: &str, extra: &str| {
            let fill = if extra.is_empty() {
                ""
            } else {
                " fill=\"#f80\""
            };
            m.push_str(&format!(
                "<g{attrs}>{extra}<circle{fill} cx=\"{}\" cy=\"{}\" r=\"4.5\"/>",
                num(x),
                num(y)
            ));
            if !label.is_empty() {
                m.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" stroke-width=\"2.5\" paint-order=\"stroke\" font-size=\"11\">{}</text>",
                    num(x + 7.0),
                    num(y - 7.0),
                    escape(label)
                ));
            }
            m.push_str("</g>");
        };
        for (mk, z) in &self.markers {
            dot(&mut m, scene.at(mk.x, mk.y, *z), &mk.label, "", "");
        }
        for mk in &self.riders {
            let at: Vec<(f64, f64)> = keys
                .iter()
                .map(|(_, g)| scene.at(mk.x, mk.y, g.at(mk.x, mk.y)))
                .collect();
            let mut shifts: Vec<String> = at
                .iter()
                .map(|p| format!("{} {}", num(p.0 - at[0].0), num(p.1 - at[0].1)))
                .collect();
            shifts.push(shifts[shifts.len() - 1].clone());
            let last = &at[at.len() - 1];
            let attrs = format!(
                " class=\"dfig-strip\" style=\"--dfig-last:translate({}px,{}px)\"",
                num(last.0 - at[0].0),
                num(last.1 - at[0].1)
            );
            let motion = format!(
                "<animateTransform attributeName=\"transform\" type=\"translate\" values=\"{}\" keyTimes=\"{}\" {}/>",
                shifts.join(";"),
                timing.key_times(),
                timing.common()
            );
            dot(&mut m, at[0], &mk.label, &attrs, &motion);
        }
        m.push_str("</g>");
        m
    }
}

impl Figure for AnimatedSurface {
    fn to_svg(&self) -> Result<String, FigureError> {
        self.meta.check()?;
        check_resolution(self.resolution)?;
        let Some((_, first)) = self.frames.first() else {
            return Err(FigureError::Empty {
                what: "animated surface (add frames with .frame(step, grid))".into(),
            });
        };
        if let Some((step, _)) = self
            .frames
            .iter()
            .find(|(_, g)| g.x_pair() != first.x_pair() || g.y_pair() != first.y_pair())
        {
            return Err(FigureError::Invalid { what: format!("frame of step {step}"), why: "its x or y range differs from the first frame's; sample every frame on the same ranges".into() });
        }
        let keys = self.keyframes();
        let z = match self.z_range {
            Some((lo, hi)) if lo.is_finite() && hi.is_finite() && lo < hi => (lo, hi),
            Some((lo, hi)) => {
                return Err(FigureError::Invalid {
                    what: "z range of the animated surface".into(),
                    why: format!("{lo} ..= {hi}; give two finite numbers, the lower first"),
                });
            }
            None => keys
                .iter()
                .map(|(_, g)| g.finite_range())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (lo, hi)| {
                    (a.min(lo), b.max(hi))
                }),
        };
        let (w, h) = (f64::from(self.size.0), f64::from(self.size.1));
        let scene = Scene::new(
            self.camera.0,
            self.camera.1,
            first.x_pair(),
            first.y_pair(),
            z,
            (30.0, 30.0, w - 116.0, h - 60.0),
        );
        let timing = Timing::new(
            keys.len() - 1,
            self.seconds_per_frame
                .or(Some((8.0 / keys.len() as f64).clamp(0.3, 2.0))),
        );
        let labels: Vec<String> = keys.iter().map(|(s, _)| s.to_string()).collect();
        let mut svg = Svg::new(
            w,
            h,
            &self.meta.title,
            &self.meta.desc,
            &timing.root_attrs_labelled("step", &labels),
        );
        svg.text(
            w / 2.0,
            18.0,
            &format!(
                " class=\"fg\" fill=\"{FALLBACK_FG}\" font-size=\"14\" text-anchor=\"middle\""
            ),
            &self.meta.title,
        );
        svg.raw(&scene.panes());
        let n = self.resolution + 1;
        let meshes: Vec<Grid> = keys.iter().map(|(_, g)| g.resample(n)).collect();
        let (common, key_times) = (timing.common(), timing.key_times());
        // Each keyframe's floor contours (levels shared by all), shown while it is the frame.
        let last = meshes.len() - 1;
        for (k, m) in meshes.iter().enumerate() {
            let shown: Vec<&str> = (0..=last)
                .chain([last])
                .map(|i| if i == k { "1" } else { "0" })
                .collect();
            svg.fmt(format_args!(
                "<g class=\"{}\" opacity=\"{}\"><animate attributeName=\"opacity\" calcMode=\"discrete\" values=\"{}\" keyTimes=\"{key_times}\" {common}/>{}</g>",
                if k == last { "dfig-final" } else { "dfig-notfinal" },
                shown[0],
                shown.join(";"),
                scene.floor_contours_in(m, 8, ColourMap::Viridis, z)
            ));
        }
        svg.raw(&scene.axes((&self.titles.0, &self.titles.1, &self.titles.2)));
        // The moving faces, and the last keyframe's faces drawn still: CSS cannot reach SMIL
        // `values`, so under `prefers-reduced-motion` `assets/figures.css` hides the first
        // group (`dfig-notfinal`) and shows the second (`dfig-final`, hidden otherwise).
        let mut still = String::new();
        svg.raw(&FACES_GROUP.replacen("<g", "<g class=\"dfig-notfinal\"", 1));
        for (i, j) in scene.cell_order(n) {
            let idx = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
            let mut ds = Vec::with_capacity(meshes.len() + 1);
            let mut cs = Vec::with_capacity(meshes.len() + 1);
            for m in &meshes {
                let c = idx.map(|(a, b)| {
                    let v = m.get(a, b);
                    scene.norm(m.xi(a), m.yj(b), if v.is_finite() { v } else { z.0 })
                });
                cs.push(hex(scene.face_colour(&c, ColourMap::Viridis)));
                ds.push(face_path(&c.map(|p| scene.project(p))));
            }
            let _ = write!(
                still,
                "<path color=\"{}\" d=\"{}\"/>",
                cs[cs.len() - 1],
                ds[ds.len() - 1]
            );
            // Hold the last keyframe during the pause at the end of the loop.
            ds.push(ds[ds.len() - 1].clone());
            cs.push(cs[cs.len() - 1].clone());
            svg.fmt(format_args!(
                "<path color=\"{c0}\" d=\"{d0}\"><animate attributeName=\"d\" values=\"{}\" keyTimes=\"{key_times}\" {common}/><animate attributeName=\"color\" values=\"{}\" keyTimes=\"{key_times}\" {common}/></path>",
                ds.join(";"),
                cs.join(";"),
                c0 = cs[0],
                d0 = ds[0],
            ));
        }
        svg.raw("</g>");
        svg.raw(&FACES_GROUP.replacen("<g", "<g class=\"dfig-final\" visibility=\"hidden\"", 1));
        svg.raw(&still);
        svg.raw("</g>");
        svg.raw(&self.markers_markup(&scene, &keys, &timing));
        scene.colour_bar(
            &mut svg,
            ColourMap::Viridis,
            (w - 62.0, h * 0.4, h * 0.42),
            &self.titles.2,
        );
        if keys.len() < self.frames.len() {
            // Say which frames are drawn: the surface moves smoothly between them.
            svg.text(
                w / 2.0,
                h - 8.0,
                &format!(
                    " class=\"fg\" fill=\"{FALLBACK_FG}\" font-size=\"12\" text-anchor=\"middle\""
                ),
                &format!(
                    "{} of {} frames drawn (steps {}), blended in between",
                    keys.len(),
                    self.frames.len(),
                    labels.join(", ")
                ),
            );
        }
        let mut counter = String::new();
        step_counter(&mut counter, 80.0, 18.0, "step", &labels, &timing);
        svg.raw(&counter);
        // Top right: the bottom carries the note on skipped frames.
        svg.raw(&stop_buttons(w - 112.0, 18.0));
        Ok(svg.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slider_is_told_the_steps_the_counter_shows() {
        let mut fig = AnimatedSurface::new("Wave", "A wave.").max_keyframes(3);
        for step in 0..5 {
            let a = step as f64;
            let g = Grid::sample(move |x, y| a * x * y, -1.0..=1.0, -1.0..=1.0, 6).expect("grid");
            fig = fig.frame(step * 10, g);
        }
        let svg = fig.to_svg().expect("svg");
        assert!(
            svg.contains("data-step-name=\"step\" data-step-labels=\"0 20 40\""),
            "{svg}"
        );
        assert!(svg.contains("3 of 5 frames drawn (steps 0, 20, 40)"));
    }

    /// A bump whose height is `a` at the origin, on [-1, 1]².
    fn bump(a: f64) -> Grid {
        Grid::sample(
            move |x, y| a / (1.0 + x * x + y * y),
            -1.0..=1.0,
            -1.0..=1.0,
            9,
        )
        .expect("grid")
    }

    fn surface() -> AnimatedSurface {
        AnimatedSurface::new("Bump", "A bump that sinks.")
            .resolution(4)
            .frame(0, bump(1.0))
            .frame(1, bump(0.0))
            .frame(2, bump(-1.0))
    }

    /// The outline of the first face in the first keyframe.
    fn first_face(svg: &str) -> &str {
        svg.split("<path color=\"")
            .nth(1)
            .and_then(|s| s.split(" d=\"").nth(1))
            .and_then(|s| s.split('"').next())
            .expect("a face")
    }

    #[test]
    fn a_fixed_z_range_changes_the_scale_and_bad_ranges_are_refused() {
        let auto = surface().to_svg().expect("render");
        let wide = surface().z_range(-5.0, 5.0).to_svg().expect("render");
        assert_ne!(
            first_face(&auto),
            first_face(&wide),
            "a wider z range squashes the surface"
        );
        assert_eq!(
            surface().z_range(-1.0, 1.0).to_svg().expect("render"),
            auto,
            "the range the frames span is the default"
        );
        for (lo, hi) in [(1.0, -1.0), (0.0, f64::NAN), (2.0, 2.0)] {
            let err = surface().z_range(lo, hi).to_svg().unwrap_err();
            assert!(err.to_string().contains("lower first"), "{err}");
        }
    }

    #[test]
    fn markers_stay_put_and_followers_ride_the_surface() {
        let svg = surface()
            .marker(Marker::point("goal -1", [0.0, 0.0]), -1.0)
            .follow(Marker::point("f(0, 0)", [0.0, 0.0]))
            .to_svg()
            .expect("render");
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains(">goal -1</text>") && svg.contains(">f(0, 0)</text>"));
        // The rider moves down the screen as the bump sinks from 1 to -1, and holds at the end.
        let values = svg
            .split("type=\"translate\" values=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("the rider's motion");
        let dy: Vec<f64> = values
            .split(';')
            .map(|v| {
                v.split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .expect("dy")
            })
            .collect();
        assert_eq!(dy.len(), 4, "three keyframes and the hold: {values}");
        assert_eq!(dy[0], 0.0);
        assert!(dy[1] > 10.0 && dy[2] > dy[1] && dy[3] == dy[2], "{values}");
        // The fixed marker sits where the rider ends: both at height -1 above the origin.
        let circle =
            |k: usize| -> String { svg.split("<circle").nth(k).expect("circle")[..60].to_owned() };
        let cy = |c: &str| -> f64 {
            c.split("cy=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .and_then(|s| s.parse().ok())
                .expect("cy")
        };
        assert!((cy(&circle(1)) - (cy(&circle(2)) + dy[2])).abs() < 0.2);
    }
}
