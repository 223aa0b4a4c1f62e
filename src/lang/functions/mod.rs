//! The function library, by Terraform's names and semantics.
//!
//! Functions receive arguments with sensitive marks already removed (the
//! caller re-marks the result) and return [`FnError::Unknown`] when a value
//! they need to look inside is not known yet.

use std::path::Path;

use super::convert::convert;
use super::value::{Type, Value};

mod collection;
mod crypto;
mod encoding;
pub(crate) mod file;
mod network;
mod numeric;
mod string;

pub use encoding::{json_encode, yaml_encode};
pub use file::MAX_FILE_SIZE;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum FnError {
    /// A value the function must inspect is unknown: the result is unknown.
    Unknown,
    /// Argument at this index (0-based) is invalid.
    Arg(usize, String),
    /// The call failed for another reason.
    Msg(String),
}

pub type FnResult = Result<Value, FnError>;

pub struct CallContext<'a> {
    pub cwd: &'a Path,
}

pub struct Func {
    pub min_args: usize,
    /// `None` for variadic functions.
    pub max_args: Option<usize>,
    /// Whether the function looks at unknown arguments itself; otherwise any
    /// unknown argument makes the result unknown without calling it.
    pub handles_unknown: bool,
    pub call: fn(&[Value], &CallContext) -> FnResult,
}

const fn f(min: usize, max: usize, call: fn(&[Value], &CallContext) -> FnResult) -> Func {
    Func {
        min_args: min,
        max_args: Some(max),
        handles_unknown: false,
        call,
    }
}
const fn variadic(min: usize, call: fn(&[Value], &CallContext) -> FnResult) -> Func {
    Func {
        min_args: min,
        max_args: None,
        handles_unknown: false,
        call,
    }
}
const fn structural(
    min: usize,
    max: Option<usize>,
    call: fn(&[Value], &CallContext) -> FnResult,
) -> Func {
    Func {
        min_args: min,
        max_args: max,
        handles_unknown: true,
        call,
    }
}

/// Names of every function, for documentation and tests.
pub const NAMES: &[&str] = &[
    "abs",
    "base64decode",
    "base64encode",
    "can",
    "ceil",
    "cidrhost",
    "cidrnetmask",
    "cidrsubnet",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "distinct",
    "element",
    "endswith",
    "file",
    "fileexists",
    "filebase64",
    "filemd5",
    "filesha1",
    "filesha256",
    "flatten",
    "floor",
    "format",
    "formatlist",
    "index",
    "join",
    "jsondecode",
    "jsonencode",
    "keys",
    "length",
    "lookup",
    "lower",
    "max",
    "md5",
    "merge",
    "min",
    "one",
    "parseint",
    "range",
    "regex",
    "regexall",
    "replace",
    "reverse",
    "setproduct",
    "setunion",
    "sha1",
    "sha256",
    "slice",
    "sort",
    "split",
    "startswith",
    "strcontains",
    "substr",
    "templatefile",
    "title",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "try",
    "upper",
    "values",
    "yamlencode",
    "zipmap",
];

pub fn lookup(name: &str) -> Option<Func> {
    use collection as c;
    use numeric as n;
    use string as s;
    Some(match name {
        "format" => variadic(1, s::format),
        "formatlist" => variadic(1, s::formatlist),
        "join" => variadic(2, s::join),
        "split" => f(2, 2, s::split),
        "lower" => f(1, 1, s::lower),
        "upper" => f(1, 1, s::upper),
        "title" => f(1, 1, s::title),
        "replace" => f(3, 3, s::replace),
        "substr" => f(3, 3, s::substr),
        "trim" => f(2, 2, s::trim),
        "trimspace" => f(1, 1, s::trimspace),
        "trimprefix" => f(2, 2, s::trimprefix),
        "trimsuffix" => f(2, 2, s::trimsuffix),
        "startswith" => f(2, 2, s::startswith),
        "endswith" => f(2, 2, s::endswith),
        "strcontains" => f(2, 2, s::strcontains),
        "regex" => f(2, 2, s::regex),
        "regexall" => f(2, 2, s::regexall),
        "length" => structural(1, Some(1), c::length),
        "lookup" => f(2, 3, c::lookup),
        "merge" => structural(0, None, c::merge),
        "concat" => structural(0, None, c::concat),
        "flatten" => structural(1, Some(1), c::flatten),
        "keys" => structural(1, Some(1), c::keys),
        "values" => structural(1, Some(1), c::values),
        "contains" => f(2, 2, c::contains),
        "distinct" => f(1, 1, c::distinct),
        "element" => structural(2, Some(2), c::element),
        "index" => f(2, 2, c::index),
        "slice" => structural(3, Some(3), c::slice),
        "sort" => f(1, 1, c::sort),
        "reverse" => structural(1, Some(1), c::reverse),
        "toset" => f(1, 1, c::toset),
        "tolist" => f(1, 1, c::tolist),
        "tomap" => f(1, 1, c::tomap),
        "tostring" => f(1, 1, c::tostring),
        "tonumber" => f(1, 1, c::tonumber),
        "tobool" => f(1, 1, c::tobool),
        "zipmap" => structural(2, Some(2), c::zipmap),
        "coalesce" => variadic(1, c::coalesce),
        "coalescelist" => structural(1, None, c::coalescelist),
        "compact" => f(1, 1, c::compact),
        "range" => f(1, 3, c::range),
        "setproduct" => variadic(1, c::setproduct),
        "setunion" => variadic(1, c::setunion),
        "one" => structural(1, Some(1), c::one),
        "min" => variadic(1, n::min),
        "max" => variadic(1, n::max),
        "abs" => f(1, 1, n::abs),
        "ceil" => f(1, 1, n::ceil),
        "floor" => f(1, 1, n::floor),
        "parseint" => f(2, 2, n::parseint),
        "jsonencode" => f(1, 1, encoding::jsonencode),
        "jsondecode" => f(1, 1, encoding::jsondecode),
        "yamlencode" => f(1, 1, encoding::yamlencode),
        "base64encode" => f(1, 1, encoding::base64encode),
        "base64decode" => f(1, 1, encoding::base64decode),
        "md5" => f(1, 1, crypto::md5),
        "sha1" => f(1, 1, crypto::sha1),
        "sha256" => f(1, 1, crypto::sha256),
        "file" => f(1, 1, file::file),
        "fileexists" => f(1, 1, file::fileexists),
        "filebase64" => f(1, 1, file::filebase64),
        "filemd5" => f(1, 1, file::filemd5),
        "filesha1" => f(1, 1, file::filesha1),
        "filesha256" => f(1, 1, file::filesha256),
        // Evaluated by the evaluator itself (it needs the template language).
        "templatefile" => f(2, 2, |_, _| {
            Err(FnError::Msg(
                "templatefile is evaluated by the evaluator".into(),
            ))
        }),
        "cidrsubnet" => f(3, 3, network::cidrsubnet),
        "cidrhost" => f(2, 2, network::cidrhost),
        "cidrnetmask" => f(1, 1, network::cidrnetmask),
        _ => return None,
    })
}

// ---- argument helpers ----

pub(crate) fn arg(args: &[Value], i: usize) -> Result<&Value, FnError> {
    match args.get(i) {
        Some(Value::Unknown(_)) => Err(FnError::Unknown),
        Some(v) => Ok(v),
        None => Err(FnError::Msg(format!("missing argument {}", i + 1))),
    }
}

pub(crate) fn str_arg(args: &[Value], i: usize) -> Result<String, FnError> {
    let v = arg(args, i)?;
    if v.is_null() {
        return Err(FnError::Arg(i, "argument must not be null".into()));
    }
    match convert(v, &Type::String) {
        Ok(Value::String(s)) => Ok(s),
        Ok(Value::Unknown(_)) => Err(FnError::Unknown),
        _ => Err(FnError::Arg(
            i,
            format!("string required, but have {}", v.kind_name()),
        )),
    }
}

pub(crate) fn num_arg(args: &[Value], i: usize) -> Result<f64, FnError> {
    let v = arg(args, i)?;
    if v.is_null() {
        return Err(FnError::Arg(i, "argument must not be null".into()));
    }
    match convert(v, &Type::Number) {
        Ok(Value::Number(n)) => Ok(n),
        Ok(Value::Unknown(_)) => Err(FnError::Unknown),
        _ => Err(FnError::Arg(
            i,
            format!("number required, but have {}", v.kind_name()),
        )),
    }
}

pub(crate) fn int_arg(args: &[Value], i: usize) -> Result<i64, FnError> {
    let n = num_arg(args, i)?;
    if n.fract() != 0.0 {
        return Err(FnError::Arg(i, "value must be a whole number".into()));
    }
    Ok(n as i64)
}

pub(crate) fn seq_arg(args: &[Value], i: usize) -> Result<&[Value], FnError> {
    let v = arg(args, i)?;
    if v.is_null() {
        return Err(FnError::Arg(i, "argument must not be null".into()));
    }
    v.as_seq().ok_or_else(|| {
        FnError::Arg(
            i,
            format!("list, set or tuple required, but have {}", v.kind_name()),
        )
    })
}

/// A string element of a collection; unknown elements make the result unknown.
pub(crate) fn elem_str(v: &Value, i: usize) -> Result<String, FnError> {
    match v {
        Value::Unknown(_) => Err(FnError::Unknown),
        Value::Null => Err(FnError::Arg(i, "element must not be null".into())),
        _ => match convert(v, &Type::String) {
            Ok(Value::String(s)) => Ok(s),
            _ => Err(FnError::Arg(
                i,
                format!("element must be a string, not {}", v.kind_name()),
            )),
        },
    }
}
