//! Terminal concerns shared by every command: output format, colour (`--color`, `NO_COLOR`),
//! tables whose coloured cells are styled by comfy-table itself (so escape codes never count as
//! width), spinners only on a terminal, and a buffered stdout whose write errors (a closed pipe)
//! surface as `io::Error`s instead of panics.

use std::io::{IsTerminal, Write};
use std::time::Duration;

/// `--output`: how results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Human-readable tables and lines.
    #[default]
    Table,
    /// Machine-readable JSON (JSON Lines for streams).
    Json,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Decides whether to colour: `always`/`never` win; `auto` needs a terminal and no `NO_COLOR`.
pub fn color_enabled(choice: ColorChoice, no_color_env: Option<&str>, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && no_color_env.is_none_or(|v| v.is_empty()),
    }
}

/// How a table cell is painted: the cell carries the paint and the table decides (from
/// [`Style::table`]) whether to emit it, after measuring the plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// No colour.
    Plain,
    /// Green (good).
    Green,
    /// Yellow (attention).
    Yellow,
    /// Red (bad).
    Red,
    /// Dim.
    Dim,
    /// Bold.
    Bold,
}

/// A table cell with `text` painted `paint` (styling shows only in a table from [`Style::table`]
/// with colour on).
pub fn cell(text: impl Into<String>, paint: Paint) -> comfy_table::Cell {
    use comfy_table::{Attribute, Cell, Color};
    let c = Cell::new(text.into());
    match paint {
        Paint::Plain => c,
        Paint::Green => c.fg(Color::DarkGreen),
        Paint::Yellow => c.fg(Color::DarkYellow),
        Paint::Red => c.fg(Color::DarkRed),
        Paint::Dim => c.add_attribute(Attribute::Dim),
        Paint::Bold => c.add_attribute(Attribute::Bold),
    }
}

/// ANSI styling that is a no-op when colour is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Whether escape codes are emitted.
    pub color: bool,
}

impl Style {
    /// The style for stdout given `--color` and the environment.
    pub fn detect(choice: ColorChoice) -> Self {
        let env = std::env::var("NO_COLOR").ok();
        Style {
            color: color_enabled(choice, env.as_deref(), std::io::stdout().is_terminal()),
        }
    }

    /// The style for stderr given `--color` and the environment.
    pub fn detect_stderr(choice: ColorChoice) -> Self {
        let env = std::env::var("NO_COLOR").ok();
        Style {
            color: color_enabled(choice, env.as_deref(), std::io::stderr().is_terminal()),
        }
    }

    /// No colour.
    pub fn plain() -> Self {
        Style { color: false }
    }

    fn wrap(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Bold text.
    pub fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    /// Green (good: PRIMARY, healthy, resumed).
    pub fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    /// Yellow (attention: SECONDARY lagging, disagreement).
    pub fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    /// Red (bad: unreachable, primary lost, outage).
    pub fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    /// Dim (timestamps, secondary details).
    pub fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }

    /// An empty table in rsctl's look (condensed UTF-8 borders, columns as wide as their text).
    /// It never asks the terminal anything; the cells' [`Paint`] is emitted only when colour is
    /// on, by comfy-table after it has measured the plain text. Coloured cells must go through
    /// [`cell`], never through [`Style::green`] and friends, whose escape codes comfy-table would
    /// count as width.
    pub fn table(&self, header: &[&str]) -> comfy_table::Table {
        use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .force_no_tty()
            .set_header(header.to_vec());
        if self.color {
            table.enforce_styling().style_text_only();
        }
        table
    }
}

/// Buffered stdout. Every write returns `io::Result`, so a closed pipe ends the command through the
/// normal error path (exit 0, nothing printed) rather than a panic.
pub struct Stdout {
    inner: std::io::BufWriter<std::io::Stdout>,
}

impl Default for Stdout {
    fn default() -> Self {
        Self::new()
    }
}

impl Stdout {
    /// A 64 KiB buffered stdout.
    pub fn new() -> Self {
        Stdout {
            inner: std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout()),
        }
    }

    /// Writes one line (a newline is appended).
    pub fn line(&mut self, s: &str) -> std::io::Result<()> {
        self.inner.write_all(s.as_bytes())?;
        self.inner.write_all(b"\n")
    }

    /// Writes one line and flushes (streams: every event must show at once).
    pub fn line_flush(&mut self, s: &str) -> std::io::Result<()> {
        self.line(s)?;
        self.inner.flush()
    }

    /// Flushes the buffer.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Prints a line on stderr, ignoring a closed stderr (diagnostics must never abort a command).
pub fn note(s: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{s}");
}

/// A spinner on stderr when stderr is a terminal; a silent no-op otherwise.
pub struct Spinner {
    bar: Option<indicatif::ProgressBar>,
}

impl Spinner {
    /// Starts a spinner with a message (shown only on a terminal).
    pub fn start(message: impl Into<String>) -> Self {
        if !std::io::stderr().is_terminal() {
            return Spinner { bar: None };
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(100));
        Spinner { bar: Some(bar) }
    }

    /// Updates the message.
    pub fn set_message(&self, message: impl Into<String>) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.into());
        }
    }

    /// A line that stays, on stderr: above the spinner on a terminal, a plain line otherwise
    /// (logs and scripts see the progress the spinner shows).
    pub fn line(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => note(line),
        }
    }

    /// Removes the spinner from the screen.
    pub fn finish(mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Removes ANSI CSI sequences (`ESC [ ... final`), for tests that measure what a terminal shows.
#[cfg(test)]
pub(crate) fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('\x40'..='\x7e').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Asserts that `text` holds a comfy-table and that, once the escape codes are gone, every line
/// of it (borders, header, rows) is as wide as the others: the colour did not count as width.
#[cfg(test)]
pub(crate) fn assert_table_aligned(text: &str) {
    let plain = strip_ansi(text);
    let widths: Vec<(usize, &str)> = plain
        .lines()
        .filter(|l| l.starts_with(['┌', '│', '╞', '├', '└']))
        .map(|l| (l.chars().count(), l))
        .collect();
    assert!(widths.len() >= 4, "no table in:\n{plain}");
    let first = widths[0].0;
    for (w, l) in &widths {
        assert_eq!(*w, first, "misaligned table line:\n{l}\nin:\n{plain}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_ansi_leaves_only_the_text() {
        assert_eq!(
            strip_ansi("a\x1b[38;5;2mPRIMARY\x1b[39m b\x1b[1mc\x1b[0m"),
            "aPRIMARY bc"
        );
    }

    #[test]
    fn coloured_cells_keep_the_table_aligned() {
        let render = |style: Style| {
            let mut t = style.table(&["NAME", "STATE"]);
            t.add_row(vec![cell("a", Paint::Plain), cell("PRIMARY", Paint::Green)]);
            t.add_row(vec![
                cell("bb", Paint::Red),
                cell("SECONDARY", Paint::Plain),
            ]);
            t.add_row(vec![cell("c", Paint::Bold), cell("x", Paint::Dim)]);
            t.to_string()
        };
        let coloured = render(Style { color: true });
        assert!(coloured.contains("\x1b["), "colour is on: {coloured:?}");
        assert_table_aligned(&coloured);
        let plain = render(Style::plain());
        assert!(!plain.contains('\x1b'), "{plain:?}");
        assert_eq!(strip_ansi(&coloured), plain);
    }

    #[test]
    fn color_rules() {
        assert!(color_enabled(ColorChoice::Always, Some("1"), false));
        assert!(!color_enabled(ColorChoice::Never, None, true));
        assert!(color_enabled(ColorChoice::Auto, None, true));
        assert!(!color_enabled(ColorChoice::Auto, Some("1"), true));
        assert!(color_enabled(ColorChoice::Auto, Some(""), true));
        assert!(!color_enabled(ColorChoice::Auto, None, false));
    }

    #[test]
    fn plain_style_adds_nothing() {
        assert_eq!(Style::plain().red("x"), "x");
        assert_eq!(Style { color: true }.red("x"), "\x1b[31mx\x1b[0m");
    }
}
