//! Binary and unary operators' operands and results.

use super::*;

impl Evaluator {
    pub(super) fn eval_binary(&self, b: &hcl_edit::expr::BinaryOp, scope: &Scope) -> R {
        use BinaryOperator::*;
        let op = *b.operator.value();
        let lhs = self.eval(&b.lhs_expr, scope)?;
        let rhs = self.eval(&b.rhs_expr, scope)?;
        let (l, ml) = lhs.deep_unmark();
        let (r, mr) = rhs.deep_unmark();
        let marked = ml || mr;
        let out = match op {
            Eq | NotEq => {
                if !l.is_wholly_known() || !r.is_wholly_known() {
                    Value::Unknown(Type::Bool)
                } else {
                    let eq = values_equal(&l, &r);
                    Value::Bool(if op == Eq { eq } else { !eq })
                }
            }
            And | Or => {
                let lb = self.operand(&l, &Type::Bool, &b.lhs_expr)?;
                let rb = self.operand(&r, &Type::Bool, &b.rhs_expr)?;
                match (op, lb, rb) {
                    (And, Value::Bool(false), _) | (And, _, Value::Bool(false)) => {
                        Value::Bool(false)
                    }
                    (Or, Value::Bool(true), _) | (Or, _, Value::Bool(true)) => Value::Bool(true),
                    (_, Value::Bool(x), Value::Bool(y)) => {
                        Value::Bool(if op == And { x && y } else { x || y })
                    }
                    _ => Value::Unknown(Type::Bool),
                }
            }
            _ => {
                let ln = self.operand(&l, &Type::Number, &b.lhs_expr)?;
                let rn = self.operand(&r, &Type::Number, &b.rhs_expr)?;
                let is_cmp = matches!(op, Less | LessEq | Greater | GreaterEq);
                match (ln, rn) {
                    (Value::Number(x), Value::Number(y)) => match op {
                        Plus => Value::Number(x + y),
                        Minus => Value::Number(x - y),
                        Mul => Value::Number(x * y),
                        Div => {
                            if y == 0.0 {
                                return Err(self.fail(
                                    b,
                                    "Operation failed",
                                    "Error during operation: can't divide by zero.",
                                ));
                            }
                            Value::Number(x / y)
                        }
                        Mod => {
                            if y == 0.0 {
                                return Err(self.fail(
                                    b,
                                    "Operation failed",
                                    "Error during operation: can't use modulo by zero.",
                                ));
                            }
                            // Terraform's modulo keeps the sign of the dividend, like Go's.
                            Value::Number(x % y)
                        }
                        Less => Value::Bool(x < y),
                        LessEq => Value::Bool(x <= y),
                        Greater => Value::Bool(x > y),
                        GreaterEq => Value::Bool(x >= y),
                        _ => unreachable!("handled above"),
                    },
                    _ => Value::Unknown(if is_cmp { Type::Bool } else { Type::Number }),
                }
            }
        };
        Ok(out.mark_if(marked))
    }

    pub(super) fn operand(&self, v: &Value, ty: &Type, at: &Expression) -> R {
        if v.is_null() {
            return Err(self.fail(
                at,
                "Invalid operand",
                format!(
                    "Unsuitable value for operand: a {} is required, not null.",
                    ty
                ),
            ));
        }
        convert(v, ty).map_err(|_| {
            self.fail(
                at,
                "Invalid operand",
                format!(
                    "Unsuitable value for operand: a {} is required, not {}.",
                    ty,
                    v.kind_name()
                ),
            )
        })
    }
}
