//! The plane: points, paths and sampled grids as plain data.
//!
//! [`crate::optim`] walks [`Point`]s, [`crate::landscape`] samples [`Grid`]s and
//! [`crate::figure`] draws both, without any of them knowing the others: this module is the
//! vocabulary they share. It knows no other module of the crate.
//!
//! ```
//! use descent::plane::{Grid, Point, Trace};
//!
//! let grid = Grid::sample(|x, y| x * x + y * y, -1.0..=1.0, -1.0..=1.0, 3)?;
//! assert_eq!(grid.value(1, 1), Some(0.0));
//!
//! // Any slice of points is a trace; one that leaves the finite numbers says where.
//! let trace = Trace::from(&[(0.0, 1.0), (2.0, 3.0), (f64::INFINITY, 0.0)]);
//! assert_eq!(trace.points(), &[Point::new(0.0, 1.0), Point::new(2.0, 3.0)]);
//! assert_eq!(trace.diverged_at(), Some(2));
//! # Ok::<(), descent::plane::GridError>(())
//! ```

mod grid;
mod point;
mod trace;

pub use grid::{Grid, GridError};
pub use point::Point;
pub use trace::Trace;
