//! Figures: a plotting kit that writes small, theme-aware SVG, static and animated.
//!
//! Every figure is a builder that takes plain data (slices, `ndarray` arrays, point lists,
//! closures) and a required title and description, and renders to one line of SVG that is
//! safe to put inline in an mdBook page:
//!
//! ```
//! use descent::figure::{Figure, LineChart};
//! let losses = [0.9, 0.5, 0.3, 0.2, 0.15];
//! let svg = LineChart::new("Training loss", "The loss falls with every step.")
//!     .series("batch 500", losses)
//!     .x_title("step")
//!     .y_title("loss")
//!     .log_y()
//!     .to_svg()?;
//! assert!(svg.starts_with("<svg") && !svg.contains('\n'));
//! # Ok::<(), descent::figure::FigureError>(())
//! ```
//!
//! In a book cell, end with `.show()?` instead of `.to_svg()?`: the figure goes into the page
//! right after the cell's output (outside the book, the SVG is printed).
//!
//! ```no_run
//! use descent::figure::{Figure, Grid, Landscape2d, Marker};
//! let grid = Grid::sample(|x, y| x * x + y * y, -2.0..=2.0, -2.0..=2.0, 100)?;
//! Landscape2d::new("A bowl", "Contours of x² + y².", grid)
//!     .marker(Marker::minimum([0.0, 0.0]))
//!     .show()?;
//! # Ok::<(), descent::figure::FigureError>(())
//! ```
//!
//! Figures take plain data: a [`Grid`] (a landscape's `f.grid(x, y, n)` or [`Grid::sample`]
//! of a closure), paths as anything that becomes a [`Trace`] (an optimiser's `&Path`, or a
//! slice of `[f64; 2]`, `(f64, f64)` or [`Point`]), and series of `f32` or `f64`.
//!
//! Pages need `assets/figures.css` (theme colours, controls) and `assets/figures.js` (play/pause
//! and the iteration slider; without it animations still play and loop).
//!
//! The kinds: [`LineChart`]; [`Image`] and [`ImageGrid`]; [`Heatmap`]; [`Landscape2d`] (which
//! also animates paths and races several optimisers when asked with
//! [`Landscape2d::animate`]); [`Landscape3d`]; [`AnimatedSurface`]; [`Gallery`] (whole figures, one row at a time, picked by radio buttons);
//! [`Variants`] (a family of
//! precomputed results switched in place by one or two groups of radio buttons, without
//! JavaScript).
//!
//! Only this module knows plotters: it lays out chart frames through a backend of our own
//! (`backend.rs`), and the heavy parts (surfaces, colour fields, paths) are written by the
//! compact writer in `svg.rs`. Of the rest of the crate it uses only [`crate::cell`] (to show
//! a figure) and [`crate::plane`] (the plain data it draws).

mod animate;
mod axes;
mod backend;
mod compare;
mod contour;
mod control;
mod gallery;
mod heatmap;
mod heatmap_anim;
mod image;
mod landscape2d;
mod landscape3d;
mod line;
mod png;
mod report;
mod scene;
mod surface_anim;
mod svg;
mod theme;
mod variants;

pub use axes::AxisScale;
pub use compare::RunComparison;
pub use gallery::Gallery;
pub use heatmap::Heatmap;
pub use heatmap_anim::AnimatedHeatmap;
pub use image::{Image, ImageGrid};
pub use landscape2d::{Landscape2d, Marker};
pub use landscape3d::Landscape3d;
pub use line::{LineChart, SeriesValue};
pub use report::SizeReport;
pub use surface_anim::AnimatedSurface;
pub use theme::ColourMap;
pub use variants::{Choice, Variants};

pub use crate::plane::{Grid, GridError, Point, Trace};

use std::path::Path;

/// What can go wrong when a figure is built, written or shown.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    /// A figure was given no data where it needs some.
    #[error("{what} is empty: give it at least one value")]
    Empty {
        /// What was empty.
        what: String,
    },
    /// Data has the wrong number of values for the shape it was given.
    #[error("{what} has {got} values but its shape needs {expected}: check the width and height")]
    Shape {
        /// What was mis-shaped.
        what: String,
        /// Values the shape needs.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// An argument is out of its allowed range.
    #[error("{what}: {why}")]
    Invalid {
        /// Which argument.
        what: String,
        /// Why it is refused and what to give instead.
        why: String,
    },
    /// A grid could not be made (too few points, a bad range, values that do not fill it).
    #[error(transparent)]
    Grid(#[from] GridError),
    /// plotters could not lay out the chart frame.
    #[error("could not lay out the chart frame: {0}; try a larger figure size")]
    Layout(String),
    /// Writing the figure failed.
    #[error("could not write the figure to {path}: {source}")]
    Write {
        /// Where it was being written.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Handing the figure to the page failed.
    #[error("could not hand the figure to the book page: {0}")]
    Show(std::io::Error),
}

/// A figure: something that renders to one line of inline-safe SVG.
pub trait Figure {
    /// Renders the figure. Identical input gives byte-identical output; its ids carry a
    /// prefix derived from that output, so different figures on one page never clash (show
    /// the very same figure twice on a page and give the second another title).
    ///
    /// # Errors
    /// When the figure's data cannot be drawn (empty, mis-shaped, out of range).
    fn to_svg(&self) -> Result<String, FigureError>;

    /// Puts the figure into the book page (through [`crate::cell::show_svg`]); outside the book
    /// it prints the SVG.
    ///
    /// # Errors
    /// When the figure cannot be rendered or handed over.
    fn show(&self) -> Result<(), FigureError> {
        let svg = self.to_svg()?;
        report::record(&svg);
        crate::cell::show_svg(&svg).map_err(FigureError::Show)
    }

    /// Writes the figure to a file.
    ///
    /// # Errors
    /// When the figure cannot be rendered or the file cannot be written.
    fn save(&self, path: &Path) -> Result<(), FigureError> {
        let svg = self.to_svg()?;
        std::fs::write(path, svg).map_err(|source| FigureError::Write {
            path: path.display().to_string(),
            source,
        })
    }
}

/// The required words of every figure.
#[derive(Clone, Debug)]
pub(crate) struct Meta {
    pub title: String,
    pub desc: String,
}

impl Meta {
    pub(crate) fn new(title: &str, desc: &str) -> Self {
        Meta {
            title: title.to_owned(),
            desc: desc.to_owned(),
        }
    }

    /// Refuses empty titles and descriptions: they are what a screen reader says.
    pub(crate) fn check(&self) -> Result<(), FigureError> {
        if self.title.trim().is_empty() || self.desc.trim().is_empty() {
            return Err(FigureError::Invalid {
                what: "title and description".into(),
                why: "both are required (they become <title> and <desc>): write a few words".into(),
            });
        }
        Ok(())
    }
}
