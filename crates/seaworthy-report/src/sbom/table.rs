//! The SBOM for people: one header line, then one row per package.
//!
//! ```text
//! debian:12 (sha256:0123456789ab), Debian GNU/Linux 12 (bookworm), 2 packages
//!
//! NAME    VERSION          TYPE  LAYER                      PATH
//! libc6   2.36-9+deb12u4   deb   0 ADD file:1a2b in /       /var/lib/dpkg/status
//! lodash  4.17.21          npm   2 RUN npm ci               /app/node_modules/lodash/package.json
//! ```
//!
//! Columns are aligned by hand (the crate's other table does the same, with `anstyle`); long
//! cells are cut with `…`. Colors only when asked; text from the image goes through
//! [`terminal_safe`] so a hostile package name cannot drive the terminal.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Effects, Style};
use seaworthy_inventory::{Inventory, Package};
use seaworthy_oci::ImageInfo;

use super::{SbomInput, layer_command, layer_of, sorted_packages};
use crate::text::{count, terminal_safe};

const HEADERS: [&str; 5] = ["NAME", "VERSION", "TYPE", "LAYER", "PATH"];
/// Widest a cell may be, per column; PATH, the last column, is never cut.
const MAX_WIDTHS: [usize; 4] = [48, 32, 10, 40];

struct Palette {
    color: bool,
}

impl Palette {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}

pub(crate) fn render(input: &SbomInput<'_>, color: bool) -> String {
    let pal = Palette { color };
    let bold = Style::new().effects(Effects::BOLD);
    let mut out = String::new();
    let _ = writeln!(out, "{}", pal.paint(bold, &header(input)));
    out.push('\n');

    let packages = sorted_packages(input.inventory);
    if packages.is_empty() {
        out.push_str("No packages found.\n");
    } else {
        let rows: Vec<[String; 5]> = packages.iter().map(|p| row(input.image, p)).collect();
        let mut widths = HEADERS.map(|h| h.chars().count());
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let title = Style::new().effects(Effects::BOLD | Effects::UNDERLINE);
        line(&mut out, &HEADERS.map(String::from), &widths, |_, s| {
            pal.paint(title, s)
        });
        let dim = Style::new().effects(Effects::DIMMED);
        let kind = AnsiColor::Cyan.on_default();
        for row in &rows {
            line(&mut out, row, &widths, |col, s| match col {
                0 => pal.paint(bold, s),
                2 => pal.paint(kind, s),
                3 | 4 => pal.paint(dim, s),
                _ => s.to_string(),
            });
        }
    }

    out.push_str(&problems(input.inventory, color));
    out
}

/// `ref (sha256:short), OS, N packages`.
fn header(input: &SbomInput<'_>) -> String {
    let image = input.image;
    let mut head = terminal_safe(&image.reference);
    if let Some(d) = image
        .config_digest
        .as_ref()
        .or(image.manifest_digest.as_ref())
    {
        let _ = write!(head, " ({}:{})", d.algorithm(), d.short());
    }
    let os = match &input.inventory.os {
        Some(os) => os.pretty_name.clone().unwrap_or_else(|| os.distro()),
        None => "unknown OS".to_string(),
    };
    let n = input.inventory.packages.len();
    let mut line = format!(
        "{head}, {}, {}",
        terminal_safe(&os),
        count(n, "package", "packages")
    );
    for (n, one, many) in [
        (
            input.inventory.errors.len(),
            "file not read",
            "files not read",
        ),
        (
            input.inventory.skipped.len(),
            "part skipped",
            "parts skipped",
        ),
    ] {
        if n > 0 {
            let _ = write!(line, ", {}", count(n, one, many));
        }
    }
    line
}

/// The cells of one package: its first location gives LAYER and PATH; more are counted.
fn row(image: &ImageInfo, p: &Package) -> [String; 5] {
    let (layer, path) = match p.locations.first() {
        Some(l) => {
            let cmd = layer_of(image, l).and_then(layer_command);
            let layer = match cmd {
                Some(cmd) => format!("{} {cmd}", l.layer),
                None => l.layer.to_string(),
            };
            let mut path = l.path.clone();
            let more = p.locations.len().saturating_sub(1);
            if more > 0 {
                let _ = write!(path, " (+{more} more)");
            }
            (layer, path)
        }
        None => (String::new(), String::new()),
    };
    let cells = [
        p.name.clone(),
        p.version.clone(),
        p.ecosystem.to_string(),
        layer,
        path,
    ];
    let mut out = cells.map(|c| terminal_safe(&c.replace(['\n', '\r'], " ")));
    for (cell, max) in out.iter_mut().zip(MAX_WIDTHS) {
        *cell = cut(cell, max);
    }
    out
}

/// Writes one row: every cell but the last padded to its column's width.
fn line(
    out: &mut String,
    cells: &[String; 5],
    widths: &[usize; 5],
    paint: impl Fn(usize, &str) -> String,
) {
    let last = cells.len().saturating_sub(1);
    for (col, (cell, width)) in cells.iter().zip(widths).enumerate() {
        out.push_str(&paint(col, cell));
        if col < last {
            let pad = width.saturating_sub(cell.chars().count()).saturating_add(2);
            out.extend(std::iter::repeat_n(' ', pad));
        }
    }
    out.push('\n');
}

/// `s` cut to `max` characters, the last one `…` when anything was cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The files not read (`error:`) and the parts of files skipped (`skipped:`), after a blank
/// line; empty when there are none. Shared with the vulnerability table.
pub(crate) fn problems(inventory: &Inventory, color: bool) -> String {
    let mut out = String::new();
    if inventory.errors.is_empty() && inventory.skipped.is_empty() {
        return out;
    }
    let pal = Palette { color };
    out.push('\n');
    let error = AnsiColor::BrightRed.on_default().effects(Effects::BOLD);
    let warning = AnsiColor::Yellow.on_default().effects(Effects::BOLD);
    let lists = [
        (pal.paint(error, "error:"), &inventory.errors),
        (pal.paint(warning, "skipped:"), &inventory.skipped),
    ];
    for (label, list) in lists {
        for e in super::json::sorted_problems(list) {
            let _ = writeln!(
                out,
                "{label} {} (layer {}, {}): {}",
                terminal_safe(&e.path),
                e.layer,
                e.cataloger,
                terminal_safe(&e.message)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_marks_what_it_cuts() {
        assert_eq!(cut("abcdef", 6), "abcdef");
        assert_eq!(cut("abcdefg", 6), "abcde…");
        assert_eq!(cut("ééééé", 3), "éé…");
        assert_eq!(cut("abc", 0), "…");
    }
}
