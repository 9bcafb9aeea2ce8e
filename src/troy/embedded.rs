//! The text of the file being parsed, kept while a Troy file parses so that embedded scripts
//! (`define script`, a window's `script`) can be cut out as text and compiled per instance: the
//! token cursor knows positions only. A leaf, so that every statement parser can use it.

use super::error::Pos;
use std::cell::RefCell;
use std::sync::Arc;

thread_local! {
    /// The text being parsed: an embedded script is kept as text (compiled per instance), and
    /// the token cursor knows positions only.
    static SOURCE: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// Runs `parse` with `src` as the text that embedded scripts are cut from.
pub(crate) fn with_source<T>(src: &str, parse: impl FnOnce() -> T) -> T {
    let previous = SOURCE.with(|s| s.replace(Some(Arc::from(src))));
    let result = parse();
    SOURCE.with(|s| *s.borrow_mut() = previous);
    result
}

/// The whole text being parsed, shared: what a statement keeps to show its runtime errors on
/// their line (cutting each statement out would cost a pass over the text per statement).
pub(super) fn whole_source() -> Option<Arc<str>> {
    SOURCE.with(|s| s.borrow().clone())
}

/// The text from `start` to `end` (exclusive) of the source being parsed, preceded by blank
/// lines and spaces so that it starts at `start` again.
pub(super) fn cut_in_place(start: Pos, end: Pos) -> Option<Arc<str>> {
    SOURCE.with(|s| {
        let s = s.borrow();
        let src = s.as_deref()?;
        let offset = |pos: Pos| -> Option<usize> {
            let line_start = if pos.line <= 1 {
                0
            } else {
                src.match_indices('\n').nth(pos.line as usize - 2)?.0 + 1
            };
            let column = src[line_start..]
                .char_indices()
                .nth(pos.column.saturating_sub(1) as usize)
                .map_or(src.len() - line_start, |(i, _)| i);
            Some(line_start + column)
        };
        let (from, to) = (offset(start)?, offset(end)?);
        let mut text = "\n".repeat(start.line.saturating_sub(1) as usize);
        text.push_str(&" ".repeat(start.column.saturating_sub(1) as usize));
        text.push_str(src.get(from..to)?);
        Some(Arc::from(text))
    })
}
