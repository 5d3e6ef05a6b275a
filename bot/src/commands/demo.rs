//! `paved demo`: the whole journey in the terminal on embedded defaults.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use crate::cli::DemoArgs;
use crate::config::Config;
use crate::engine::{Button, Conversation, Event, Stage, Thread, User};
use crate::runtime::{Runtime, terminal_directory};
use crate::terminal::Terminal;

/// The requester in the terminal: the login name, verified by the operating system.
pub fn terminal_user(name: Option<&str>) -> User {
    let name = name.map(str::to_string).or_else(|| std::env::var("USER").ok()).filter(|n| !n.is_empty()).unwrap_or_else(|| "you".into());
    User { id: format!("terminal:{name}"), name }
}

pub async fn run(args: &DemoArgs, policies: Option<&std::path::Path>) -> anyhow::Result<String> {
    let config = Config::load(args.config.as_deref(), policies)?;
    let directory = terminal_directory(&config.approvers);
    let rt = Runtime::open(config, directory, true).await?;
    rt.host.register(Arc::new(Terminal::stdout()));
    let me = terminal_user(None);
    let thread = Thread { platform: "terminal".into(), channel: "demo".into(), thread: String::new() };
    let request = args.request.join(" ");
    let id = rt.host.submit(me.clone(), thread, &request).await?.request_id;
    let c = rt.host.conversation(&id).await?;
    if c.stage == Stage::NeedsClarification {
        return Ok(format!("\n{id} needs answers before it can be planned; answer them in `paved chat`.\n"));
    }
    println!("\n(demo) {} approves plan v{} of {id}.", me.name, c.current_version());
    let d = rt.host.dispatch(&id, Event::Pressed { user: me.clone(), groups: vec![], button: Button::Approve, version: c.current_version() }).await?;
    if let Some(reason) = d.refused {
        return Ok(format!("paved: {reason}\n"));
    }
    drive(&rt, &id, &me, args.yes).await?;
    let c = rt.host.conversation(&id).await?;
    Ok(format!(
        "\n{id} ended {}. Audit record: {id} — see every step with `paved log --request {id}`, check the trail with `paved log verify`.\n",
        c.stage.as_str().replace('_', " ")
    ))
}

/// Runs the audit and the host until the request needs nobody or waits for an answer; answers
/// escalations and confirmations in the terminal (or at once with `yes`).
pub async fn drive(rt: &Runtime, id: &str, me: &User, yes: bool) -> anyhow::Result<()> {
    loop {
        rt.settle().await?;
        let c = rt.host.conversation(id).await?;
        if c.stage != Stage::Escalated {
            return Ok(());
        }
        if !answer_escalation(rt, &c, me, yes).await? {
            println!("(demo) {id} waits for its approvers; approve it in `paved chat` (/as NAME, then /grant ROLE).");
            return Ok(());
        }
    }
}

/// Answers one round of an escalation; false when the terminal cannot ask and `yes` is off.
async fn answer_escalation(rt: &Runtime, c: &Conversation, me: &User, yes: bool) -> anyhow::Result<bool> {
    let engine_missing = {
        crate::engine::Engine::new(rt.policies.pipeline(), rt.host.directory()).missing_approvals(c)
    };
    let needs_confirmation = c.verdict.as_ref().is_some_and(|v| v.approvers.iter().any(|r| r == crate::engine::decide::REQUESTER_ROLE)) && !c.deletion_confirmed;
    if needs_confirmation {
        let word = c.intent.service.clone().or_else(|| c.rolls_back.clone()).unwrap_or_else(|| c.request_id.clone());
        let typed = if yes { Some(word.clone()) } else { ask(&format!("Type `{word}` to confirm the deletion (anything else keeps it waiting): "))? };
        let Some(typed) = typed else { return Ok(false) };
        rt.host.dispatch(&c.request_id, Event::Said { user: me.clone(), text: typed.clone() }).await?;
        return Ok(typed.trim() == word);
    }
    for role in engine_missing {
        let approver = rt
            .host
            .directory()
            .role(&role)
            .and_then(|r| r.users.iter().find(|u| **u != c.requester.id).cloned())
            .unwrap_or_else(|| format!("terminal:{role}"));
        let user = User { id: approver.clone(), name: approver.trim_start_matches("terminal:").to_string() };
        let approve = if yes { true } else {
            match ask(&format!("Approve {} as {role} ({})? [y/N] ", c.request_id, user.name))? {
                Some(a) => a.trim().eq_ignore_ascii_case("y") || a.trim().eq_ignore_ascii_case("yes"),
                None => return Ok(false),
            }
        };
        let button = if approve { Button::Grant { role: role.clone() } } else { Button::Reject { role: role.clone(), reason: Some("rejected in the terminal".into()) } };
        let d = rt.host.dispatch(&c.request_id, Event::Pressed { user, groups: vec![], button, version: c.current_version() }).await?;
        if let Some(reason) = d.refused {
            println!("paved: {reason}");
            return Ok(false);
        }
    }
    Ok(true)
}

/// Asks a question on the terminal; `None` when standard input is not a terminal.
fn ask(question: &str) -> std::io::Result<Option<String>> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    print!("{question}");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(Some(line.trim().to_string()))
}
