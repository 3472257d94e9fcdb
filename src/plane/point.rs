//! A point of the plane.

use std::fmt;

/// A point `(x, y)` of the plane: where an optimiser stands, a marker, a vertex of a path.
///
/// Made from `[x, y]`, `(x, y)` or [`Point::new`] wherever a function takes
/// `impl Into<Point>`, and turned back into `[x, y]` for an optimiser's parameter slice.
///
/// ```
/// use descent::plane::Point;
/// let p: Point = [1.0, 2.0].into();
/// assert_eq!(p, Point::from((1.0, 2.0)));
/// assert_eq!((p.x, p.y), (1.0, 2.0));
/// assert_eq!(<[f64; 2]>::from(p), [1.0, 2.0]);
/// assert_eq!(p.to_string(), "(1, 2)");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    /// The first coordinate (θ₁ on a loss landscape).
    pub x: f64,
    /// The second coordinate (θ₂ on a loss landscape).
    pub y: f64,
}

impl Point {
    /// The point `(x, y)`.
    pub const fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }

    /// Whether both coordinates are finite.
    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

impl From<[f64; 2]> for Point {
    fn from([x, y]: [f64; 2]) -> Self {
        Point { x, y }
    }
}

impl From<(f64, f64)> for Point {
    fn from((x, y): (f64, f64)) -> Self {
        Point { x, y }
    }
}

impl From<&[f64; 2]> for Point {
    fn from(p: &[f64; 2]) -> Self {
        Point::from(*p)
    }
}

impl From<&(f64, f64)> for Point {
    fn from(p: &(f64, f64)) -> Self {
        Point::from(*p)
    }
}

impl From<&Point> for Point {
    fn from(p: &Point) -> Self {
        *p
    }
}

impl From<Point> for [f64; 2] {
    fn from(p: Point) -> Self {
        [p.x, p.y]
    }
}

impl From<Point> for (f64, f64) {
    fn from(p: Point) -> Self {
        (p.x, p.y)
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.x, self.y)
    }
}
