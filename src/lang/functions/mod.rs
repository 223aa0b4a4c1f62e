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
mod params;
mod path;
mod rsa;
mod string;
mod text;
mod time;
mod yaml;

pub use encoding::{json_encode, yaml_encode};
pub use file::MAX_FILE_SIZE;
pub use params::{TERRAFORM_FUNCTIONS, param_name};

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
    /// See [`crate::lang::Evaluator::impure_known`].
    pub impure_known: bool,
}

pub struct Func {
    pub min_args: usize,
    /// `None` for variadic functions.
    pub max_args: Option<usize>,
    /// Whether the function looks at unknown arguments itself; otherwise any
    /// unknown argument makes the result unknown without calling it.
    pub handles_unknown: bool,
    /// Gives a different result each call (`timestamp`, `uuid`, `bcrypt`):
    /// unknown while planning.
    pub impure: bool,
    pub call: fn(&[Value], &CallContext) -> FnResult,
}

const fn f(min: usize, max: usize, call: fn(&[Value], &CallContext) -> FnResult) -> Func {
    Func {
        min_args: min,
        max_args: Some(max),
        handles_unknown: false,
        impure: false,
        call,
    }
}
const fn impure(min: usize, max: usize, call: fn(&[Value], &CallContext) -> FnResult) -> Func {
    Func {
        min_args: min,
        max_args: Some(max),
        handles_unknown: false,
        impure: true,
        call,
    }
}
const fn variadic(min: usize, call: fn(&[Value], &CallContext) -> FnResult) -> Func {
    Func {
        min_args: min,
        max_args: None,
        handles_unknown: false,
        impure: false,
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
        impure: false,
        call,
    }
}

/// Names of every function, for documentation and tests: Terraform's 119
/// (the console-only `type` besides).
pub const NAMES: &[&str] = &TERRAFORM_FUNCTIONS;

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
        "coalesce" => variadic(0, c::coalesce),
        "coalescelist" => structural(1, None, c::coalescelist),
        "compact" => f(1, 1, c::compact),
        "range" => f(1, 3, c::range),
        "setproduct" => variadic(1, c::setproduct),
        "setunion" => variadic(1, c::setunion),
        "one" => structural(1, Some(1), c::one),
        "min" => variadic(0, n::min),
        "max" => variadic(0, n::max),
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
        // Evaluated by the evaluator itself (they see marks, types or the
        // argument's expression), listed here for their arity.
        "sensitive" | "nonsensitive" | "issensitive" | "ephemeralasnull" => f(1, 1, evaluator_only),
        "convert" | "templatestring" => f(2, 2, evaluator_only),
        "cidrsubnet" => f(3, 3, network::cidrsubnet),
        "cidrhost" => f(2, 2, network::cidrhost),
        "cidrnetmask" => f(1, 1, network::cidrnetmask),
        "cidrsubnets" => variadic(1, network::cidrsubnets),
        "chomp" => f(1, 1, s::chomp),
        "indent" => f(2, 2, s::indent),
        "strrev" => f(1, 1, s::strrev),
        "alltrue" => structural(1, Some(1), c::alltrue),
        "anytrue" => structural(1, Some(1), c::anytrue),
        "chunklist" => f(2, 2, c::chunklist),
        "transpose" => f(1, 1, c::transpose),
        "matchkeys" => f(3, 3, c::matchkeys),
        "setintersection" => variadic(1, c::setintersection),
        "setsubtract" => f(2, 2, c::setsubtract),
        "sum" => f(1, 1, n::sum),
        "pow" => f(2, 2, n::pow),
        "log" => f(2, 2, n::log),
        "signum" => f(1, 1, n::signum),
        "sha512" => f(1, 1, crypto::sha512),
        "base64sha256" => f(1, 1, crypto::base64sha256),
        "base64sha512" => f(1, 1, crypto::base64sha512),
        "uuid" => impure(0, 0, crypto::uuid),
        "uuidv5" => f(2, 2, crypto::uuidv5),
        "bcrypt" => Func {
            max_args: None,
            ..impure(1, 1, crypto::bcrypt)
        },
        "rsadecrypt" => f(2, 2, rsa::rsadecrypt),
        "base64gzip" => f(1, 1, text::base64gzip),
        "urlencode" => f(1, 1, text::urlencode),
        "csvdecode" => f(1, 1, text::csvdecode),
        "textencodebase64" => f(2, 2, text::textencodebase64),
        "textdecodebase64" => f(2, 2, text::textdecodebase64),
        "yamldecode" => f(1, 1, yaml::yamldecode),
        "filesha512" => f(1, 1, file::filesha512),
        "filebase64sha256" => f(1, 1, file::filebase64sha256),
        "filebase64sha512" => f(1, 1, file::filebase64sha512),
        "fileset" => f(2, 2, path::fileset),
        "basename" => f(1, 1, path::basename),
        "dirname" => f(1, 1, path::dirname),
        "abspath" => f(1, 1, path::abspath),
        "pathexpand" => f(1, 1, path::pathexpand),
        "formatdate" => f(2, 2, time::formatdate),
        "timeadd" => f(2, 2, time::timeadd),
        "timecmp" => f(2, 2, time::timecmp),
        "timestamp" => impure(0, 0, time::timestamp),
        "plantimestamp" => f(0, 0, time::plantimestamp),
        _ => return None,
    })
}

fn evaluator_only(_: &[Value], _: &CallContext) -> FnResult {
    Err(FnError::Msg(
        "this function is evaluated by the evaluator".into(),
    ))
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
        _ => Err(FnError::Arg(i, "a number is required".to_string())),
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
