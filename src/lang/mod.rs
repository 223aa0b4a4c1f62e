//! The Terraform expression language: values, types, conversion,
//! references, the evaluator and the function library. Knows nothing of
//! files, modules or resources.

pub mod convert;
pub mod eval;
pub mod functions;
pub mod refs;
pub mod types;
pub mod value;

pub use eval::{EvalError, Evaluator, Scope};
pub use value::{Type, Value};
