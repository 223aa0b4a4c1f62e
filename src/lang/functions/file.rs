//! Functions that read files; relative paths resolve against the working
//! directory, as in Terraform (`path.module` makes them module-relative).

use super::{CallContext, FnError, FnResult, str_arg};
use crate::lang::value::Value;

pub fn file(a: &[Value], ctx: &CallContext) -> FnResult {
    let p = str_arg(a, 0)?;
    let full = ctx.cwd.join(&p);
    let bytes = std::fs::read(&full).map_err(|_| FnError::Arg(0, format!("no file exists at {p:?}")))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| FnError::Arg(0, format!("contents of {p:?} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead")))
}

pub fn fileexists(a: &[Value], ctx: &CallContext) -> FnResult {
    let p = str_arg(a, 0)?;
    let full = ctx.cwd.join(&p);
    match std::fs::metadata(&full) {
        Ok(m) if m.is_file() => Ok(Value::Bool(true)),
        Ok(_) => Err(FnError::Msg(format!("{p:?} is not a regular file, but \"directory\""))),
        Err(_) => Ok(Value::Bool(false)),
    }
}
