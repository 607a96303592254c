//! Column widths from what the rows hold, and text cut to a width with an ellipsis.
//!
//! ratatui cuts a cell at its column's edge without a sign, so `NYC-R000007` read as
//! `NYC-R00000` (issue 6, finding 2). The tables here size each column from its content, give
//! the room left to the one column that can use it, and cut only what still does not fit, with
//! `…`, counting terminal cells (a CJK character or an emoji takes two).

use ratatui::text::Span;

/// Terminal cells `s` takes.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

fn char_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    width(c.encode_utf8(&mut buf))
}

/// `s` in at most `w` cells: whole when it fits, else cut and ended with `…`.
pub fn fit(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    // Room for the ellipsis (one cell); a wide character that would straddle the edge goes.
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if used + cw > w - 1 {
            break;
        }
        used += cw;
        out.push(c);
    }
    out.push('…');
    out
}

/// One column of a table: the cells its content asks for, the least it may be cut to, and
/// whether it takes the room left over.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub want: usize,
    pub min: usize,
    pub fill: bool,
}

impl Col {
    /// A column as wide as its content (at least its header), never under `min`.
    pub fn content<'a>(header: &str, cells: impl Iterator<Item = &'a str>, min: usize) -> Col {
        let want = cells.map(width).chain([width(header)]).max().unwrap_or(0);
        Col {
            want: want.max(min),
            min,
            fill: false,
        }
    }

    /// A column of a fixed width.
    pub fn fixed(w: usize) -> Col {
        Col {
            want: w,
            min: w,
            fill: false,
        }
    }

    /// The column that takes what the others leave (CUSTOMER, WHY).
    pub fn fill(min: usize) -> Col {
        Col {
            want: min,
            min,
            fill: true,
        }
    }
}

/// The widths of `cols` in a table `area_width` wide (one cell of highlight symbol, one of
/// spacing between columns). Every column gets its content's width when that fits, and the
/// fill column the rest; when it does not fit, the columns named in `give` (in that order)
/// give back down to their `min`, then the fill column down to its own. Anything still too
/// wide is cut by the terminal's edge, each cell by [`fit`].
pub fn widths(area_width: u16, cols: &[Col], give: &[usize]) -> Vec<usize> {
    let chrome = 1 + cols.len().saturating_sub(1);
    let room = usize::from(area_width).saturating_sub(chrome);
    let mut w: Vec<usize> = cols.iter().map(|c| c.want).collect();
    let total = |w: &[usize]| w.iter().sum::<usize>();
    // The fill column keeps its floor while the others give back first.
    for &i in give {
        let over = total(&w).saturating_sub(room);
        if over == 0 {
            break;
        }
        let back = over.min(w[i].saturating_sub(cols[i].min));
        w[i] -= back;
    }
    if let Some(f) = cols.iter().position(|c| c.fill) {
        let others: usize = w
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != f)
            .map(|(_, x)| x)
            .sum();
        w[f] = room.saturating_sub(others);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_what_fits_and_marks_what_it_cuts() {
        assert_eq!(fit("NYC-R000007", 11), "NYC-R000007");
        assert_eq!(fit("111-6707662-0000051", 10), "111-67076…");
        assert_eq!(width(&fit("111-6707662-0000051", 10)), 10);
        // Two-cell characters: never half of one, never past the width.
        assert_eq!(fit("李雷 Lǐ Léi", 4), "李…");
        assert_eq!(fit("李雷 Lǐ Léi", 5), "李雷…");
        assert!(width(&fit("Zoë 🚀 Ångström", 6)) <= 6);
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("abc", 1), "…");
    }

    #[test]
    fn widths_give_content_first_and_the_rest_to_the_fill_column() {
        let cols = [
            Col::content("NUMBER", ["111-6707662-0000051"].into_iter(), 6),
            Col::fill(10),
            Col::fixed(5),
        ];
        // 1 highlight + 2 spacing: 40 - 3 = 37 = 19 + 13 + 5.
        assert_eq!(widths(40, &cols, &[0]), vec![19, 13, 5]);
        // Too narrow: NUMBER gives back down to its floor, the fill column keeps its own.
        assert_eq!(widths(25, &cols, &[0]), vec![7, 10, 5]);
    }
}
