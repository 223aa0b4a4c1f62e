//! The Terraform expression language: values, types, conversion,
//! references, the evaluator and the function library. Knows nothing of
//! files, modules or resources.

pub mod convert;
pub mod eval;
pub mod functions;
pub mod redact;
pub mod refs;
pub mod types;
pub mod value;

pub use eval::{EvalError, Evaluator, Scope};
pub use value::{Type, Value};

/// Stack headroom kept free before a recursive evaluation step, and the size
/// of each extra stack segment when it runs low (see [`with_stack`]).
const STACK_RED_ZONE: usize = 1024 * 1024;
const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// Runs `f` with at least [`STACK_RED_ZONE`] bytes of stack, moving to a new
/// heap-allocated segment when the current one runs low. Every recursive
/// evaluation entry point goes through this, so how deep evaluation goes (a
/// chain of thousands of locals, templates, nested expressions) is bounded
/// by memory rather than by the native thread stack. The red zone leaves
/// room for the recursive operations on values between two entry points
/// (values nest at most `config::evaluate::MAX_VALUE_DEPTH` levels).
pub fn with_stack<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, f)
}
