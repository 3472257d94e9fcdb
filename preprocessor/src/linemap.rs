//! Maps lines of a chapter as the preprocessor sees it (after mdBook's `links` expanded
//! `{{#include}}`) back to lines of the file the author wrote, so every error names the
//! author's line. Lines are aligned by a longest common subsequence; a line that only exists
//! in the expanded text (it came from an include) maps to the directive that produced it.

/// Largest middle section (expanded lines x original lines) aligned exactly.
const MAX_CELLS: usize = 4_000_000;

/// A map from 1-based expanded lines to 1-based original lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMap {
    to_original: Vec<usize>,
}

impl LineMap {
    /// The identity map (no include changed the chapter).
    pub fn identity() -> Self {
        Self {
            to_original: Vec::new(),
        }
    }

    /// Aligns `expanded` with `original`.
    pub fn new(expanded: &str, original: &str) -> Self {
        let e: Vec<&str> = expanded.lines().collect();
        let o: Vec<&str> = original.lines().collect();
        if e == o {
            return Self::identity();
        }
        let prefix = e.iter().zip(&o).take_while(|(a, b)| a == b).count();
        let suffix = e[prefix..]
            .iter()
            .rev()
            .zip(o[prefix..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let (em, om) = (&e[prefix..e.len() - suffix], &o[prefix..o.len() - suffix]);
        let mut to_original: Vec<usize> = (1..=prefix).collect();
        to_original.extend(align(em, om).into_iter().map(|l| l + prefix));
        to_original.extend((o.len() - suffix + 1..=o.len()).take(suffix));
        Self { to_original }
    }

    /// The original line of expanded line `line` (1-based).
    pub fn original(&self, line: usize) -> usize {
        if self.to_original.is_empty() {
            return line;
        }
        match self.to_original.get(line.wrapping_sub(1)) {
            Some(&l) => l,
            None => {
                let last = self.to_original.last().copied().unwrap_or(0);
                last + (line - self.to_original.len())
            }
        }
    }
}

/// For each line of `e`, its 1-based line in `o`: the matching line, or for an unmatched
/// line the original line after the last match (the include directive).
fn align(e: &[&str], o: &[&str]) -> Vec<usize> {
    let (n, m) = (e.len(), o.len());
    if n == 0 {
        return Vec::new();
    }
    if m == 0 || n.saturating_mul(m) > MAX_CELLS {
        return vec![1; n];
    }
    // lcs[i][j] = LCS length of e[i..] and o[j..].
    let width = m + 1;
    let mut lcs = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * width + j] = if e[i] == o[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let mut out = Vec::with_capacity(n);
    let (mut i, mut j) = (0, 0);
    while i < n {
        if j < m && e[i] == o[j] {
            out.push(j + 1);
            i += 1;
            j += 1;
        } else if j < m && lcs[i * width + j + 1] > lcs[(i + 1) * width + j] {
            j += 1;
        } else {
            out.push((j + 1).min(m));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_text_maps_each_line_to_itself() {
        let map = LineMap::new("a\nb\n", "a\nb\n");
        assert_eq!(
            (map.original(1), map.original(2), map.original(9)),
            (1, 2, 9)
        );
    }

    #[test]
    fn included_lines_map_to_the_directive_and_later_lines_shift_back() {
        let original = "intro\n{{#include x.rs}}\nafter\nend\n";
        let expanded = "intro\nfn a() {}\nfn b() {}\nafter\nend\n";
        let map = LineMap::new(expanded, original);
        let lines: Vec<_> = (1..=5).map(|l| map.original(l)).collect();
        assert_eq!(lines, vec![1, 2, 2, 3, 4]);
    }

    #[test]
    fn an_include_of_lines_that_repeat_nearby_still_aligns_the_rest() {
        let original = "a\n\n{{#include x}}\n\nb\n";
        let expanded = "a\n\nx1\n\nx2\n\nb\n";
        let map = LineMap::new(expanded, original);
        assert_eq!(map.original(7), 5);
        assert_eq!(map.original(1), 1);
    }
}
