//! The two kinds of failure a command can have.

/// Something the user did wrong, or must do: its text is exactly what paved prints (one sentence
/// that says what is wrong and what to do next).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

impl UserError {
    pub fn new(message: impl Into<String>) -> UserError {
        UserError(message.into())
    }
}

/// Exit code for bad input (usage, unreadable file, invalid plan, broken policy file).
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code for a failure inside paved.
pub const EXIT_INTERNAL: i32 = 1;
