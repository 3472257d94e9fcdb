//! Contour lines by marching squares, joined into polylines.

use std::collections::HashMap;

use crate::plane::Grid;

/// A grid edge: horizontal (`false`) from (i, j) to (i+1, j), or vertical from (i, j) to (i, j+1).
type Edge = (bool, usize, usize);

fn crossing(g: &Grid, (vertical, i, j): Edge, level: f64) -> (f64, f64) {
    let (i2, j2) = if vertical { (i, j + 1) } else { (i + 1, j) };
    let (a, b) = (g.get(i, j), g.get(i2, j2));
    let t = if b == a {
        0.5
    } else {
        ((level - a) / (b - a)).clamp(0.0, 1.0)
    };
    (
        g.xi(i) + (g.xi(i2) - g.xi(i)) * t,
        g.yj(j) + (g.yj(j2) - g.yj(j)) * t,
    )
}

/// The contour lines of `g` at `level`, in data coordinates.
pub(crate) fn contour(g: &Grid, level: f64) -> Vec<Vec<(f64, f64)>> {
    let (nx, ny) = g.dim();
    let above = |i, j| g.get(i, j) >= level;
    let mut segments: Vec<(Edge, Edge)> = Vec::new();
    for j in 0..ny - 1 {
        for i in 0..nx - 1 {
            let corners = [
                g.get(i, j),
                g.get(i + 1, j),
                g.get(i + 1, j + 1),
                g.get(i, j + 1),
            ];
            if corners.iter().any(|v| !v.is_finite()) {
                continue;
            }
            // Edges in order around the cell: bottom, right, top, left.
            let edges = [
                (false, i, j),
                (true, i + 1, j),
                (false, i, j + 1),
                (true, i, j),
            ];
            let ends = [
                ((i, j), (i + 1, j)),
                ((i + 1, j), (i + 1, j + 1)),
                ((i, j + 1), (i + 1, j + 1)),
                ((i, j), (i, j + 1)),
            ];
            let cut: Vec<Edge> = edges
                .iter()
                .zip(ends.iter())
                .filter(|(_, (a, b))| above(a.0, a.1) != above(b.0, b.1))
                .map(|(e, _)| *e)
                .collect();
            match cut.len() {
                2 => segments.push((cut[0], cut[1])),
                4 => {
                    // A saddle: the centre value decides which corners connect.
                    let centre = corners.iter().sum::<f64>() / 4.0;
                    if (centre >= level) == above(i, j) {
                        segments.push((cut[0], cut[1]));
                        segments.push((cut[2], cut[3]));
                    } else {
                        segments.push((cut[0], cut[3]));
                        segments.push((cut[1], cut[2]));
                    }
                }
                _ => {}
            }
        }
    }
    join(g, &segments, level)
}

fn join(g: &Grid, segments: &[(Edge, Edge)], level: f64) -> Vec<Vec<(f64, f64)>> {
    let mut by_edge: HashMap<Edge, Vec<usize>> = HashMap::new();
    for (k, (a, b)) in segments.iter().enumerate() {
        by_edge.entry(*a).or_default().push(k);
        by_edge.entry(*b).or_default().push(k);
    }
    let mut used = vec![false; segments.len()];
    let mut lines = Vec::new();
    for start in 0..segments.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let mut chain = std::collections::VecDeque::from([segments[start].0, segments[start].1]);
        for forward in [true, false] {
            loop {
                let end = if forward {
                    chain[chain.len() - 1]
                } else {
                    chain[0]
                };
                let next = by_edge
                    .get(&end)
                    .and_then(|ks| ks.iter().copied().find(|&k| !used[k]));
                let Some(k) = next else { break };
                used[k] = true;
                let (a, b) = segments[k];
                let other = if a == end { b } else { a };
                if forward {
                    chain.push_back(other);
                } else {
                    chain.push_front(other);
                }
            }
        }
        lines.push(chain.into_iter().map(|e| crossing(g, e, level)).collect());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_circle_becomes_one_closed_line_of_the_right_radius() {
        let g = Grid::sample(|x, y| x * x + y * y, -2.0..=2.0, -2.0..=2.0, 41).unwrap();
        let lines = contour(&g, 1.0);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line.first(), line.last());
        for &(x, y) in line {
            assert!(((x * x + y * y).sqrt() - 1.0).abs() < 0.02);
        }
    }
}
