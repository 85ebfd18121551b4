//! Disclosure control for aggregate figures: small counts are never shown exactly, so that a
//! figure cannot point to a person ("the one patient at Kirkby Dale who declined consent").
//! The rule and its reasons are in `docs/design/administration.md`.

/// Counts from 1 up to this are shown as "fewer than 5".
pub const SUPPRESS_BELOW: i64 = 5;

/// A count as it may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosed {
    /// The exact count (zero, or at least `SUPPRESS_BELOW`).
    Exact(i64),
    /// Between 1 and 4: too few to show.
    FewerThanFive,
    /// A count that is large enough but hidden because it, with the total, would reveal a
    /// suppressed cell of the same breakdown.
    Hidden,
}

impl Disclosed {
    /// The primary rule: 1 to 4 is "fewer than 5"; zero and larger counts are shown.
    pub fn count(n: i64) -> Disclosed {
        if (1..SUPPRESS_BELOW).contains(&n) {
            Disclosed::FewerThanFive
        } else {
            Disclosed::Exact(n.max(0))
        }
    }

    /// The cells of one breakdown whose `total` is shown. When exactly one cell is suppressed,
    /// the smallest other non-zero cell is hidden too; otherwise the total minus the shown
    /// cells would give the suppressed one away.
    pub fn breakdown(cells: &[i64]) -> Vec<Disclosed> {
        let mut shown: Vec<Disclosed> = cells.iter().map(|n| Disclosed::count(*n)).collect();
        let suppressed = shown
            .iter()
            .filter(|d| **d == Disclosed::FewerThanFive)
            .count();
        if suppressed == 1
            && let Some((index, _)) = cells
                .iter()
                .enumerate()
                .filter(|(i, n)| **n > 0 && shown[*i] != Disclosed::FewerThanFive)
                .min_by_key(|(_, n)| **n)
        {
            shown[index] = Disclosed::Hidden;
        }
        shown
    }

    /// A share of a whole, in whole percent: shown only when the part and the rest of the whole
    /// are each zero or at least `SUPPRESS_BELOW` (a share of 49 out of 50 would otherwise
    /// reveal the one). `None` when it must not be shown or the whole is empty.
    pub fn percent(part: i64, whole: i64) -> Option<i64> {
        let rest = whole - part;
        let safe = |n: i64| n == 0 || n >= SUPPRESS_BELOW;
        if whole <= 0 || part < 0 || rest < 0 || !safe(part) || !safe(rest) {
            return None;
        }
        Some((part * 100 + whole / 2) / whole)
    }
}

impl std::fmt::Display for Disclosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Disclosed::Exact(n) => write!(f, "{n}"),
            Disclosed::FewerThanFive => f.write_str("fewer than 5"),
            Disclosed::Hidden => f.write_str("not shown"),
        }
    }
}

/// The middle value of `values` (the mean of the two middle ones for an even count), or `None`
/// when there are fewer than `SUPPRESS_BELOW` values: a median of two deaths tells too much.
pub fn median(mut values: Vec<i64>) -> Option<i64> {
    let n = i64::try_from(values.len()).ok()?;
    if n < SUPPRESS_BELOW {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values.get(mid).copied()
    } else {
        Some((values.get(mid - 1)? + values.get(mid)?) / 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_one_to_four_are_suppressed() {
        assert_eq!(Disclosed::count(0), Disclosed::Exact(0));
        for n in 1..=4 {
            assert_eq!(Disclosed::count(n), Disclosed::FewerThanFive);
        }
        assert_eq!(Disclosed::count(5), Disclosed::Exact(5));
        assert_eq!(Disclosed::count(3).to_string(), "fewer than 5");
    }

    #[test]
    fn a_lone_suppressed_cell_hides_the_next_smallest_too() {
        assert_eq!(
            Disclosed::breakdown(&[40, 3, 7, 0]),
            [
                Disclosed::Exact(40),
                Disclosed::FewerThanFive,
                Disclosed::Hidden,
                Disclosed::Exact(0)
            ]
        );
        assert_eq!(
            Disclosed::breakdown(&[40, 3, 2]),
            [
                Disclosed::Exact(40),
                Disclosed::FewerThanFive,
                Disclosed::FewerThanFive
            ]
        );
        assert_eq!(
            Disclosed::breakdown(&[40, 6]),
            [Disclosed::Exact(40), Disclosed::Exact(6)]
        );
    }

    #[test]
    fn percentages_that_would_reveal_a_small_number_are_withheld() {
        assert_eq!(Disclosed::percent(25, 50), Some(50));
        assert_eq!(Disclosed::percent(49, 50), None, "reveals the one left");
        assert_eq!(Disclosed::percent(2, 50), None);
        assert_eq!(Disclosed::percent(0, 50), Some(0));
        assert_eq!(Disclosed::percent(50, 50), Some(100));
        assert_eq!(Disclosed::percent(0, 0), None);
    }

    #[test]
    fn medians_need_five_values() {
        assert_eq!(median(vec![1, 2, 3, 4]), None);
        assert_eq!(median(vec![9, 1, 5, 3, 7]), Some(5));
        assert_eq!(median(vec![1, 2, 3, 4, 5, 6]), Some(3));
    }
}
