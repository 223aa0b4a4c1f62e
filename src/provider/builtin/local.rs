//! hashicorp/local: `local_file` and `local_sensitive_file` (a file
//! written on create, removed on destroy, recreated when it changed or
//! vanished) and the data sources that read one. Relative file names are
//! relative to the working directory, as Terraform's are (`drinfra -C DIR`
//! works in DIR).

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use sha2::Digest as _;

use super::spec::{Default as D, Kind, TypeSpec, computed, opt, opt_default, problem, req, text};
use crate::lang::Value;
use crate::provider::{ArgProblem, ProviderError};

pub const NAME: &str = "registry.terraform.io/hashicorp/local";

const HASHES: [&str; 7] = [
    "id",
    "content_md5",
    "content_sha1",
    "content_sha256",
    "content_base64sha256",
    "content_sha512",
    "content_base64sha512",
];

pub const TYPES: &[TypeSpec] = &[
    TypeSpec {
        ty: "local_file",
        attrs: &[
            req("filename", Kind::Str),
            opt("content", Kind::Str),
            opt("sensitive_content", Kind::Str).secret(),
            opt("content_base64", Kind::Str),
            opt("source", Kind::Str),
            opt_default("file_permission", Kind::Str, D::Str("0777")),
            opt_default("directory_permission", Kind::Str, D::Str("0777")),
            computed("id", Kind::Str),
            computed("content_md5", Kind::Str),
            computed("content_sha1", Kind::Str),
            computed("content_sha256", Kind::Str),
            computed("content_base64sha256", Kind::Str),
            computed("content_sha512", Kind::Str),
            computed("content_base64sha512", Kind::Str),
        ],
    },
    TypeSpec {
        ty: "local_sensitive_file",
        attrs: &[
            req("filename", Kind::Str),
            opt("content", Kind::Str).secret(),
            opt("content_base64", Kind::Str).secret(),
            opt("source", Kind::Str),
            opt_default("file_permission", Kind::Str, D::Str("0700")),
            opt_default("directory_permission", Kind::Str, D::Str("0700")),
            computed("id", Kind::Str),
            computed("content_md5", Kind::Str),
            computed("content_sha1", Kind::Str),
            computed("content_sha256", Kind::Str),
            computed("content_base64sha256", Kind::Str),
            computed("content_sha512", Kind::Str),
            computed("content_base64sha512", Kind::Str),
        ],
    },
];

pub const DATA: &[TypeSpec] = &[
    TypeSpec {
        ty: "local_file",
        attrs: &[
            req("filename", Kind::Str),
            computed("content", Kind::Str),
            computed("content_base64", Kind::Str),
            computed("id", Kind::Str),
            computed("content_md5", Kind::Str),
            computed("content_sha1", Kind::Str),
            computed("content_sha256", Kind::Str),
            computed("content_base64sha256", Kind::Str),
            computed("content_sha512", Kind::Str),
            computed("content_base64sha512", Kind::Str),
        ],
    },
    TypeSpec {
        ty: "local_sensitive_file",
        attrs: &[
            req("filename", Kind::Str),
            computed("content", Kind::Str).secret(),
            computed("content_base64", Kind::Str).secret(),
            computed("id", Kind::Str),
            computed("content_md5", Kind::Str),
            computed("content_sha1", Kind::Str),
            computed("content_sha256", Kind::Str),
            computed("content_base64sha256", Kind::Str),
            computed("content_sha512", Kind::Str),
            computed("content_base64sha512", Kind::Str),
        ],
    },
];

const SOURCES: [&str; 4] = ["content", "sensitive_content", "content_base64", "source"];

fn permission(s: &str) -> Option<u32> {
    ((3..=4).contains(&s.len()) && s.chars().all(|c| ('0'..='7').contains(&c)))
        .then(|| u32::from_str_radix(s, 8).ok())
        .flatten()
}

pub fn check(ty: &str, cfg: &BTreeMap<String, Value>) -> Vec<ArgProblem> {
    let mut out = Vec::new();
    let set: Vec<&str> = SOURCES
        .iter()
        .copied()
        .filter(|k| cfg.get(*k).is_some_and(|v| !v.is_null()))
        .collect();
    let written = || {
        SOURCES
            .iter()
            .filter(|k| *k != &"sensitive_content" || ty == "local_file")
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    };
    if set.len() > 1 {
        out.push(problem(
            set[1],
            "Invalid Attribute Combination",
            format!(
                "Only one of {} may be set; this configuration sets {}.",
                written(),
                set.join(" and ")
            ),
        ));
    }
    if set.is_empty() {
        out.push(ArgProblem {
            argument: None,
            summary: "Invalid Attribute Combination".into(),
            detail: format!("{ty} needs one of {}.", written()),
        });
    }
    for k in ["file_permission", "directory_permission"] {
        if let Some(s) = text(cfg, k)
            && permission(&s).is_none()
        {
            out.push(problem(
                k,
                "Invalid Attribute Value",
                format!(
                    "{s:?} is not a file permission: write 3 or 4 octal digits such as \"0644\"."
                ),
            ));
        }
    }
    if let Some(b) = text(cfg, "content_base64")
        && base64::engine::general_purpose::STANDARD
            .decode(&b)
            .is_err()
    {
        out.push(problem(
            "content_base64",
            "Invalid Attribute Value",
            "content_base64 is not valid base64.".into(),
        ));
    }
    out
}

fn io(path: &str, e: std::io::Error) -> ProviderError {
    ProviderError::Invalid(format!("{path}: {e}"))
}

/// The bytes a `local_file` configuration asks to write.
fn bytes_of(m: &BTreeMap<String, Value>) -> Result<Vec<u8>, ProviderError> {
    if let Some(s) = text(m, "content").or_else(|| text(m, "sensitive_content")) {
        return Ok(s.into_bytes());
    }
    if let Some(b) = text(m, "content_base64") {
        return base64::engine::general_purpose::STANDARD
            .decode(&b)
            .map_err(|e| ProviderError::Invalid(format!("content_base64: {e}")));
    }
    if let Some(src) = text(m, "source") {
        return std::fs::read(&src).map_err(|e| io(&src, e));
    }
    Ok(Vec::new())
}

fn hashes(m: &mut BTreeMap<String, Value>, bytes: &[u8]) {
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    let hex = crate::random::hex;
    let sha1 = sha1::Sha1::digest(bytes);
    let sha256 = sha2::Sha256::digest(bytes);
    let sha512 = sha2::Sha512::digest(bytes);
    let values = [
        hex(&sha1),
        hex(&md5::Md5::digest(bytes)),
        hex(&sha1),
        hex(&sha256),
        b64(&sha256),
        hex(&sha512),
        b64(&sha512),
    ];
    for (k, v) in HASHES.iter().zip(values) {
        m.insert(k.to_string(), Value::String(v));
    }
}

pub fn create(m: &mut BTreeMap<String, Value>) -> Result<(), ProviderError> {
    let name = text(m, "filename").unwrap_or_default();
    let bytes = bytes_of(m)?;
    let path = Path::new(&name);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io(&name, e))?;
        #[cfg(unix)]
        if let Some(mode) = text(m, "directory_permission").and_then(|s| permission(&s)) {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode));
        }
    }
    std::fs::write(path, &bytes).map_err(|e| io(&name, e))?;
    #[cfg(unix)]
    if let Some(mode) = text(m, "file_permission").and_then(|s| permission(&s)) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| io(&name, e))?;
    }
    hashes(m, &bytes);
    Ok(())
}

/// A file that is gone or no longer holds what was written is gone for
/// Terraform too: the next plan writes it again.
pub fn read(_ty: &str, m: BTreeMap<String, Value>) -> Option<Value> {
    let name = text(&m, "filename")?;
    let bytes = std::fs::read(&name).ok()?;
    let id = text(&m, "id")?;
    (crate::random::hex(&sha1::Sha1::digest(&bytes)) == id).then_some(Value::Object(m))
}

pub fn delete(m: &BTreeMap<String, Value>) -> Result<(), ProviderError> {
    let Some(name) = text(m, "filename") else {
        return Ok(());
    };
    match std::fs::remove_file(&name) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&name, e)),
        _ => Ok(()),
    }
}

/// The `local_file` data source.
pub fn read_file(mut cfg: BTreeMap<String, Value>) -> Result<Value, ProviderError> {
    let name = text(&cfg, "filename").unwrap_or_default();
    let bytes = std::fs::read(&name).map_err(|e| io(&name, e))?;
    cfg.insert(
        "content".into(),
        Value::String(String::from_utf8_lossy(&bytes).into_owned()),
    );
    cfg.insert(
        "content_base64".into(),
        Value::String(base64::engine::general_purpose::STANDARD.encode(&bytes)),
    );
    hashes(&mut cfg, &bytes);
    Ok(Value::Object(cfg))
}
