//! Interactive decisions an operation needs, asked through a trait the
//! caller implements (a terminal prompt, `--auto-approve`, a test script).

use super::error::Error;

/// What the operation asks before it changes anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// Apply or destroy: `action` is "perform these actions",
    /// "destroy all resources", ...; answered with `yes`.
    Proceed { action: String },
    /// A failover or failback moves production; answered by typing
    /// `phrase` ("GROUP -> SITE").
    MoveProduction { phrase: String },
}

/// Answers an operation's questions.
pub trait Confirm {
    /// Whether to go ahead; an error when nobody can answer.
    fn confirm(&mut self, question: &Question) -> Result<bool, Error>;
}

/// Says yes to everything (`--auto-approve`).
pub struct AutoApprove;

impl Confirm for AutoApprove {
    fn confirm(&mut self, _: &Question) -> Result<bool, Error> {
        Ok(true)
    }
}

/// Answers from a list, in order (tests); no answer left is a refusal.
#[derive(Debug, Default)]
pub struct Scripted {
    pub answers: std::collections::VecDeque<bool>,
    /// The questions asked, in order.
    pub asked: Vec<Question>,
}

impl Scripted {
    pub fn new(answers: impl IntoIterator<Item = bool>) -> Scripted {
        Scripted {
            answers: answers.into_iter().collect(),
            asked: vec![],
        }
    }
}

impl Confirm for Scripted {
    fn confirm(&mut self, question: &Question) -> Result<bool, Error> {
        self.asked.push(question.clone());
        Ok(self.answers.pop_front().unwrap_or(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_answers_in_order_then_refuses() {
        let q = Question::MoveProduction {
            phrase: "g -> b".into(),
        };
        let mut s = Scripted::new([true]);
        assert!(s.confirm(&q).unwrap());
        assert!(!s.confirm(&q).unwrap(), "no answer left is a no");
        assert_eq!(s.asked, vec![q.clone(), q.clone()]);
        assert!(AutoApprove.confirm(&q).unwrap());
    }
}
