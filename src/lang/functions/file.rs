//! Functions that read files; relative paths resolve against the working
//! directory, as in Terraform (`path.module` makes them module-relative).
//!
//! Only regular files are read (a named pipe would block forever and a
//! device such as `/dev/zero` never ends), and at most [`MAX_FILE_SIZE`]
//! bytes of them.

use std::io::Read as _;
use std::path::Path;

use base64::Engine as _;
use md5::Digest as _;

use super::crypto::hex;
use super::{CallContext, FnError, FnResult, str_arg};
use crate::lang::value::Value;

/// The largest file the `file` family reads: 16 MiB.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// What a path names, when it is not a regular file.
fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Why a file the file functions (or a variables file) name cannot be read.
/// `path` is the path as the configuration wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error(
        "no file exists at {path:?}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource"
    )]
    NotFound { path: String },
    #[error("cannot read {path:?}: permission denied")]
    PermissionDenied { path: String },
    #[error("cannot read {path:?}: {message}")]
    Io { path: String, message: String },
    #[error("{path:?} is {kind}, not a regular file")]
    NotRegular { path: String, kind: &'static str },
    #[error("{path:?} is larger than {} MiB, the most drinfra reads with the file functions", MAX_FILE_SIZE / (1024 * 1024))]
    TooLarge { path: String },
    #[error(
        "contents of {path:?} are not valid UTF-8 (at byte {at}); use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead"
    )]
    NotUtf8 { path: String, at: usize },
}

fn too_large(p: &str) -> FileError {
    FileError::TooLarge {
        path: p.to_string(),
    }
}

fn io_problem(p: &str, e: &std::io::Error) -> FileError {
    let path = p.to_string();
    match e.kind() {
        std::io::ErrorKind::NotFound => FileError::NotFound { path },
        std::io::ErrorKind::PermissionDenied => FileError::PermissionDenied { path },
        _ => FileError::Io {
            path,
            message: e.to_string(),
        },
    }
}

/// The bytes of the regular file at `p` (relative to `cwd`), or a message
/// saying what is really wrong: missing, a directory, a pipe or device,
/// too large, unreadable.
pub(crate) fn read_file_bytes(cwd: &Path, p: &str) -> Result<Vec<u8>, FileError> {
    read_regular_file(&cwd.join(p), p)
}

/// The bytes of the regular file at `full`, at most [`MAX_FILE_SIZE`];
/// problems name it as `p`. Also reads variables files.
pub(crate) fn read_regular_file(full: &Path, p: &str) -> Result<Vec<u8>, FileError> {
    // Look before opening: opening a named pipe blocks until a writer comes.
    let meta = std::fs::metadata(full).map_err(|e| io_problem(p, &e))?;
    let not_regular = |t: &std::fs::FileType| FileError::NotRegular {
        path: p.to_string(),
        kind: kind_of(t),
    };
    if !meta.is_file() {
        return Err(not_regular(&meta.file_type()));
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(too_large(p));
    }
    let f = std::fs::File::open(full).map_err(|e| io_problem(p, &e))?;
    // The path may have changed in between; trust only the open file.
    let meta = f.metadata().map_err(|e| io_problem(p, &e))?;
    if !meta.is_file() {
        return Err(not_regular(&meta.file_type()));
    }
    // Some regular files (in /proc) report a size of 0: read one byte more
    // than the limit to notice those that exceed it.
    let mut bytes = Vec::with_capacity(meta.len().min(MAX_FILE_SIZE) as usize);
    f.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_problem(p, &e))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_large(p));
    }
    Ok(bytes)
}

/// The file at `p` as UTF-8 text.
pub(crate) fn read_file_text(cwd: &Path, p: &str) -> Result<String, FileError> {
    let bytes = read_file_bytes(cwd, p)?;
    String::from_utf8(bytes).map_err(|e| FileError::NotUtf8 {
        path: p.to_string(),
        at: e.utf8_error().valid_up_to(),
    })
}

pub fn file(a: &[Value], ctx: &CallContext) -> FnResult {
    let p = str_arg(a, 0)?;
    read_file_text(ctx.cwd, &p)
        .map(Value::String)
        .map_err(|e| FnError::Arg(0, e.to_string()))
}

fn bytes_arg(a: &[Value], ctx: &CallContext) -> Result<Vec<u8>, FnError> {
    let p = str_arg(a, 0)?;
    read_file_bytes(ctx.cwd, &p).map_err(|e| FnError::Arg(0, e.to_string()))
}

pub fn filebase64(a: &[Value], ctx: &CallContext) -> FnResult {
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(bytes_arg(a, ctx)?),
    ))
}
pub fn filemd5(a: &[Value], ctx: &CallContext) -> FnResult {
    Ok(Value::String(hex(&md5::Md5::digest(bytes_arg(a, ctx)?))))
}
pub fn filesha1(a: &[Value], ctx: &CallContext) -> FnResult {
    Ok(Value::String(hex(&sha1::Sha1::digest(bytes_arg(a, ctx)?))))
}
pub fn filesha256(a: &[Value], ctx: &CallContext) -> FnResult {
    Ok(Value::String(hex(&sha2::Sha256::digest(bytes_arg(
        a, ctx,
    )?))))
}

pub fn fileexists(a: &[Value], ctx: &CallContext) -> FnResult {
    let p = str_arg(a, 0)?;
    let full = ctx.cwd.join(&p);
    match std::fs::metadata(&full) {
        Ok(m) if m.is_file() => Ok(Value::Bool(true)),
        Ok(m) => Err(FnError::Arg(
            0,
            format!("{p:?} is {}, not a regular file", kind_of(&m.file_type())),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Bool(false)),
        Err(e) => Err(FnError::Arg(0, io_problem(&p, &e).to_string())),
    }
}

pub fn filesha512(a: &[Value], ctx: &CallContext) -> FnResult {
    Ok(Value::String(super::crypto::hex_sha512(&bytes_arg(
        a, ctx,
    )?)))
}
pub fn filebase64sha256(a: &[Value], ctx: &CallContext) -> FnResult {
    Ok(Value::String(super::crypto::b64_digest(
        &bytes_arg(a, ctx)?,
        false,
    )))
}
pub fn filebase64sha512(a: &[Value], ctx: &CallContext) -> FnResult {
    Ok(Value::String(super::crypto::b64_digest(
        &bytes_arg(a, ctx)?,
        true,
    )))
}
