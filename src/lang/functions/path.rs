//! Path functions: `basename`, `dirname`, `abspath`, `pathexpand` (Go's
//! `filepath` rules on Unix), and `fileset` (doublestar patterns).

use std::path::Path;

use super::{CallContext, FnError, FnResult, str_arg};
use crate::lang::value::Value;

/// Go's `filepath.Clean`: the shortest equivalent path.
fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

pub fn basename(a: &[Value], _: &CallContext) -> FnResult {
    let p = str_arg(a, 0)?;
    let trimmed = p.trim_end_matches('/');
    Ok(Value::String(if p.is_empty() {
        ".".into()
    } else if trimmed.is_empty() {
        "/".into()
    } else {
        trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
    }))
}

pub fn dirname(a: &[Value], _: &CallContext) -> FnResult {
    let p = str_arg(a, 0)?;
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    Ok(Value::String(clean(dir)))
}

pub fn abspath(a: &[Value], ctx: &CallContext) -> FnResult {
    let p = str_arg(a, 0)?;
    let full = if p.starts_with('/') {
        p
    } else {
        let base = if ctx.cwd.is_absolute() {
            ctx.cwd.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|e| FnError::Msg(e.to_string()))?
                .join(ctx.cwd)
        };
        format!("{}/{p}", base.display())
    };
    Ok(Value::String(clean(&full)))
}

pub fn pathexpand(a: &[Value], _: &CallContext) -> FnResult {
    let p = str_arg(a, 0)?;
    if p != "~" && !p.starts_with("~/") {
        return Ok(Value::String(p));
    }
    let home = std::env::var("HOME")
        .map_err(|_| FnError::Msg("cannot determine the home directory: HOME is not set".into()))?;
    Ok(Value::String(format!("{home}{}", &p[1..])))
}

/// Whether one path segment matches one pattern segment (`*`, `?`,
/// `[class]`, `{a,b}`, `\` escapes), or the pattern is malformed.
fn seg_match(pat: &[char], s: &[char]) -> Result<bool, ()> {
    let Some((&c, rest)) = pat.split_first() else {
        return Ok(s.is_empty());
    };
    match c {
        '*' => {
            for i in 0..=s.len() {
                if seg_match(rest, &s[i..])? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        '?' => Ok(!s.is_empty() && seg_match(rest, &s[1..])?),
        '[' => {
            let close = rest.iter().position(|c| *c == ']').ok_or(())?;
            let (class, after) = (&rest[..close], &rest[close + 1..]);
            let Some(&ch) = s.first() else {
                return Ok(false);
            };
            let (neg, class) = match class.first() {
                Some('!') | Some('^') => (true, &class[1..]),
                _ => (false, class),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= class[i] <= ch && ch <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == ch;
                    i += 1;
                }
            }
            Ok(hit != neg && seg_match(after, &s[1..])?)
        }
        '{' => {
            let close = rest.iter().position(|c| *c == '}').ok_or(())?;
            let (alts, after) = (&rest[..close], &rest[close + 1..]);
            for alt in alts.split(|c| *c == ',') {
                let mut p: Vec<char> = alt.to_vec();
                p.extend_from_slice(after);
                if seg_match(&p, s)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        '\\' => {
            let (&e, rest) = rest.split_first().ok_or(())?;
            Ok(s.first() == Some(&e) && seg_match(rest, &s[1..])?)
        }
        _ => Ok(s.first() == Some(&c) && seg_match(rest, &s[1..])?),
    }
}

/// Whether the path segments match the pattern segments; `**` matches any
/// number of whole segments.
#[cfg(test)]
fn path_match(pat: &[Vec<char>], path: &[Vec<char>]) -> Result<bool, ()> {
    let Some((first, rest)) = pat.split_first() else {
        return Ok(path.is_empty());
    };
    if first.iter().collect::<String>() == "**" {
        for i in 0..=path.len() {
            if path_match(rest, &path[i..])? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    match path.split_first() {
        Some((seg, more)) => Ok(seg_match(first, seg)? && path_match(rest, more)?),
        None => Ok(false),
    }
}

/// Collects the regular files under `dir` (named `rel` in results) that
/// match `pat`, descending only where the pattern can still match.
fn walk(
    dir: &Path,
    rel: &str,
    pat: &[Vec<char>],
    out: &mut Vec<String>,
    budget: &mut usize,
) -> Result<(), ()> {
    let Some((first, rest)) = pat.split_first() else {
        return Ok(());
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let globstar = first.iter().collect::<String>() == "**";
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    if globstar {
        // `**` matching nothing: the rest of the pattern applies here.
        walk(dir, rel, rest, out, budget)?;
    }
    for e in entries {
        if *budget == 0 {
            return Ok(());
        }
        *budget -= 1;
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let Ok(meta) = std::fs::metadata(e.path()) else {
            continue;
        };
        let chars: Vec<char> = name.chars().collect();
        if globstar {
            if meta.is_dir() {
                walk(&e.path(), &path, pat, out, budget)?;
            }
            continue;
        }
        if !seg_match(first, &chars)? {
            continue;
        }
        if rest.is_empty() {
            if meta.is_file() {
                out.push(path);
            }
        } else if meta.is_dir() {
            walk(&e.path(), &path, rest, out, budget)?;
        }
    }
    Ok(())
}

/// The regular files under `path` whose path relative to it matches
/// `pattern`, with `/` separators.
pub fn fileset(a: &[Value], ctx: &CallContext) -> FnResult {
    let base = str_arg(a, 0)?;
    let pattern = str_arg(a, 1)?;
    let pat: Vec<Vec<char>> = pattern
        .split('/')
        .filter(|x| !x.is_empty() && *x != ".")
        .map(|x| x.chars().collect())
        .collect();
    let root = ctx.cwd.join(&base);
    let mut files = Vec::new();
    let mut budget = 1_000_000usize;
    walk(&root, "", &pat, &mut files, &mut budget).map_err(|()| {
        FnError::Msg(format!(
            "failed to glob pattern {:?}: syntax error in pattern",
            format!("{}/{pattern}", clean(&base))
        ))
    })?;
    Ok(Value::set(files.into_iter().map(Value::String).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        let segs =
            |x: &str| -> Vec<Vec<char>> { x.split('/').map(|y| y.chars().collect()).collect() };
        path_match(&segs(p), &segs(s)).unwrap()
    }

    #[test]
    fn doublestar_patterns() {
        assert!(m("*.txt", "a.txt"));
        assert!(!m("*.txt", "d/a.txt"));
        assert!(m("**/*.txt", "a.txt"));
        assert!(m("**/*.txt", "d/e/a.txt"));
        assert!(m("{a,b}.tf", "b.tf"));
        assert!(m("[a-c]?.tf", "bx.tf"));
        assert_eq!(clean("/a/../b/./c/"), "/b/c");
        assert_eq!(clean("../x/.."), "..");
    }
}
