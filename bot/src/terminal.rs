//! The terminal adapter: the conversation in a terminal, for `paved demo` and `paved chat`, and
//! the first adapter the shared conversation tests run through.

use std::io::Write;
use std::sync::{Arc, Mutex};

use askama::Template;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cards::{AuditCard, EscalationCard, PlanCard, SummaryCard, UnderstandingCard};
use crate::chat::{ChatError, ChatFuture, ChatPlatform, ProgressBoard};
use crate::engine::{Card, Thread};

/// Where the terminal writes.
enum Sink {
    /// Standard output, with live progress bars when it is a terminal.
    Stdout,
    /// A transcript kept in memory (tests).
    Transcript(Arc<Mutex<Vec<String>>>),
}

/// The terminal as a chat platform.
pub struct Terminal {
    sink: Sink,
    bar: Mutex<Option<ProgressBar>>,
}

impl Terminal {
    /// A terminal that prints to standard output.
    pub fn stdout() -> Terminal {
        Terminal { sink: Sink::Stdout, bar: Mutex::new(None) }
    }

    /// A terminal that records what it shows, and the shared transcript.
    pub fn recording() -> (Terminal, Arc<Mutex<Vec<String>>>) {
        let transcript = Arc::new(Mutex::new(Vec::new()));
        (Terminal { sink: Sink::Transcript(Arc::clone(&transcript)), bar: Mutex::new(None) }, transcript)
    }

    fn show(&self, text: String) {
        match &self.sink {
            Sink::Stdout => {
                let bar = self.bar.lock().ok().and_then(|b| b.clone());
                match bar {
                    // Printing above a live bar keeps the bar at the bottom.
                    Some(bar) => bar.println(text),
                    None => {
                        let mut out = std::io::stdout().lock();
                        let _ = writeln!(out, "{text}");
                        let _ = out.flush();
                    }
                }
            }
            Sink::Transcript(t) => {
                if let Ok(mut t) = t.lock() {
                    t.push(text);
                }
            }
        }
    }
}

/// Renders a card as terminal text.
pub fn render(card: &Card) -> Result<String, askama::Error> {
    Ok(match card {
        Card::Understanding { intent } => UnderstandingCard::new(intent).render()?,
        Card::Plan { version, plan, changes, intent } => {
            let mut text = PlanCard::new(plan, &intent.compliance, None).render()?;
            text = text.replacen("── Plan:", &format!("── Plan v{version}:"), 1);
            if !changes.is_empty() {
                text.push_str("\n  Changed from the previous version:");
                for c in changes {
                    text.push_str(&format!("\n    • {c}"));
                }
            }
            text.push_str(&format!("\n  [a]pprove  [m]odify  [c]ancel   (plan v{version})"));
            text
        }
        Card::Audit { verdict } => AuditCard::new(verdict).render()?,
        Card::Escalation { role, conversation } => {
            let mut text = EscalationCard::new(role, conversation).render()?;
            text.push_str(&format!("\n  [g]rant {role}  [r]eject {role}   (only members of {role}; never the requester)"));
            text
        }
        Card::ModifyForm { version } => format!("What should change in plan v{version}? (e.g. \"use db.t3.medium\", \"no redis\")"),
        Card::Summary { conversation, created, drift } => SummaryCard::new(conversation, created, drift).render()?,
        Card::Failure { request_id, error, created } => format!(
            "── Deployment failed: {request_id} ──\n  {error}\n  {} resources were created before the failure; roll them back with `paved rollback {request_id}`.",
            created.len()
        ),
        Card::Notice { text } => format!("paved: {text}"),
    })
}

fn failed(e: impl std::fmt::Display) -> ChatError {
    ChatError { platform: "terminal".into(), message: e.to_string() }
}

impl ChatPlatform for Terminal {
    fn name(&self) -> &'static str {
        "terminal"
    }

    fn post<'a>(&'a self, thread: &'a Thread, card: &'a Card) -> ChatFuture<'a, Thread> {
        Box::pin(async move {
            self.show(render(card).map_err(failed)?);
            Ok(thread.clone())
        })
    }

    fn post_to_channel<'a>(&'a self, channel: &'a str, card: &'a Card) -> ChatFuture<'a, ()> {
        Box::pin(async move {
            self.show(format!("[{channel}]\n{}", render(card).map_err(failed)?));
            Ok(())
        })
    }

    fn whisper<'a>(&'a self, _thread: &'a Thread, user: &'a str, text: &'a str) -> ChatFuture<'a, ()> {
        Box::pin(async move {
            self.show(format!("(only {user} sees this) {text}"));
            Ok(())
        })
    }

    fn progress<'a>(&'a self, _thread: &'a Thread, board: &'a ProgressBoard) -> ChatFuture<'a, Option<String>> {
        Box::pin(async move {
            match &self.sink {
                Sink::Transcript(_) => {
                    let state = if board.finished { "finished" } else { "deploying" };
                    self.show(format!("progress {}: {} {state}", board.request_id, board.bar(20)));
                }
                Sink::Stdout => {
                    let mut slot = self.bar.lock().map_err(failed)?;
                    let bar = slot.get_or_insert_with(|| {
                        let bar = ProgressBar::with_draw_target(Some(board.rows.len() as u64), ProgressDrawTarget::stdout());
                        if let Ok(style) = ProgressStyle::with_template("  {prefix} [{bar:30}] {pos}/{len} {wide_msg}") {
                            bar.set_style(style.progress_chars("█▉░"));
                        }
                        bar.set_prefix(board.request_id.clone());
                        bar
                    });
                    bar.set_position(board.done() as u64);
                    let working: Vec<&str> = board
                        .rows
                        .iter()
                        .filter(|(_, s)| matches!(s, paved_core::message::ProgressStatus::Creating | paved_core::message::ProgressStatus::Updating | paved_core::message::ProgressStatus::Deleting | paved_core::message::ProgressStatus::Replacing))
                        .map(|(a, _)| a.as_str())
                        .take(3)
                        .collect();
                    bar.set_message(working.join(", "));
                    if board.finished {
                        bar.finish_with_message(if board.failed() > 0 { "stopped" } else { "done" });
                        *slot = None;
                    }
                }
            }
            // A terminal's output cannot be edited after a restart: nothing to remember.
            Ok(None)
        })
    }
}
