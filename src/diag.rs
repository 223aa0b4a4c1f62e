//! Diagnostics: problems found in user input, carried as values with the
//! source range they point at. Rendering them is `render::diagnostics`' job.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub range: Range<usize>,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span { file, range }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: Option<String>,
    pub span: Option<Span>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: None,
            span: None,
        }
    }
    pub fn warning(summary: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            summary: summary.into(),
            detail: None,
            span: None,
        }
    }
    pub fn at(mut self, span: Option<Span>) -> Diagnostic {
        self.span = span;
        self
    }
    pub fn with_detail(mut self, detail: impl Into<String>) -> Diagnostic {
        self.detail = Some(detail.into());
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Diagnostics collected while an analysis keeps going past the first problem.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        if !self.items.contains(&d) {
            self.items.push(d);
        }
    }
    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items {
            self.push(d);
        }
    }
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.is_error())
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// One loaded source file.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
    /// For a joined file ([`SourceMap::join`]): where each part's text
    /// starts and which file it is, so spans resolve to the real place.
    parts: Vec<(usize, FileId)>,
}

/// Line and column, both 1-based; the column counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            path,
            text,
            line_starts,
            parts: Vec::new(),
        }
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        LineCol {
            line: line + 1,
            col,
        }
    }

    /// Byte offset of a 1-based line and character column.
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let line_text = self.line_text(line);
        let within: usize = line_text
            .chars()
            .take(col.saturating_sub(1))
            .map(char::len_utf8)
            .sum();
        start + within
    }

    /// Text of a 1-based line without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// Every file read for one configuration, so spans can be shown later.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
}

impl SourceMap {
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(Arc::new(SourceFile::new(path, text)));
        FileId((self.files.len() - 1) as u32)
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
    pub fn path(&self, id: FileId) -> &Path {
        &self.get(id).path
    }
    pub fn text(&self, id: FileId) -> &str {
        &self.get(id).text
    }
    /// A file whose text is `base`'s, a newline, then `over`'s: a block
    /// merged from an override file holds syntax from both, and its spans
    /// are offsets into this text (`over`'s shifted by the returned offset).
    /// [`SourceMap::resolve`] maps them back to the file they came from.
    pub fn join(&mut self, base: FileId, over: FileId) -> (FileId, usize) {
        let (b, o) = (self.get(base), self.get(over));
        let offset = b.text.len() + 1;
        let mut file = SourceFile::new(b.path.clone(), format!("{}\n{}", b.text, o.text));
        file.parts = vec![(0, base), (offset, over)];
        self.files.push(Arc::new(file));
        (FileId((self.files.len() - 1) as u32), offset)
    }

    /// The span in the file it was written in: spans into a joined file
    /// ([`SourceMap::join`]) become spans into one of its parts.
    pub fn resolve(&self, span: &Span) -> Span {
        let mut span = span.clone();
        // Joined files only refer to earlier ones, so this ends.
        while let Some(f) = self.files.get(span.file.0 as usize) {
            let Some(&(start, part)) = f.parts.iter().rev().find(|(s, _)| *s <= span.range.start)
            else {
                break;
            };
            span = Span::new(
                part,
                span.range.start - start..span.range.end.saturating_sub(start),
            );
        }
        span
    }

    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }
}
