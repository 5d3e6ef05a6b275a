//! `paved chat`: an interactive conversation in the terminal, for trying everything by hand.

use std::io::{BufRead, Write};
use std::sync::Arc;

use crate::cli::ChatArgs;
use crate::commands::demo::terminal_user;
use crate::config::Config;
use crate::engine::{Button, Event, Stage, Thread, User};
use crate::runtime::{Runtime, terminal_directory};
use crate::terminal::Terminal;

const HELP: &str = "Type a request in plain English. Then:
  a                 approve the current plan          m <change>   modify it (\"m no redis\")
  c                 cancel the request                 <text>       answer a question / give a ticket / confirm
  g <role>          grant an escalation as yourself    r <role> [reason]   reject it
  /as <name>        become another user                /new <request>      start another request
  /rollback <id>    roll back a request                /status      where the current request stands
  /help             this text                          /quit        leave";

pub async fn run(args: &ChatArgs, policies: Option<&std::path::Path>) -> anyhow::Result<String> {
    let config = Config::load(args.config.as_deref(), policies)?;
    let directory = terminal_directory(&config.approvers);
    let rt = Runtime::open(config, directory, true).await?;
    rt.host.register(Arc::new(Terminal::stdout()));
    let mut me = terminal_user(Some(&args.user));
    let mut current: Option<String> = None;
    println!("paved chat as {} (approvers: {}).\n{HELP}", me.name, rt.host.directory().roles.iter().map(|(r, v)| format!("{r} = {}", v.users.join("/"))).collect::<Vec<_>>().join(", "));
    let stdin = std::io::stdin();
    loop {
        print!("{}> ", me.name);
        std::io::stdout().flush()?;
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 {
            return Ok(String::new());
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (word, rest) = line.split_once(' ').map(|(w, r)| (w, r.trim())).unwrap_or((line, ""));
        let version = match &current {
            Some(id) => rt.host.conversation(id).await.map(|c| c.current_version()).unwrap_or(0),
            None => 0,
        };
        let event = match (word, current.as_deref()) {
            ("/quit" | "/exit", _) => return Ok(String::new()),
            ("/help", _) => {
                println!("{HELP}");
                continue;
            }
            ("/as", _) if !rest.is_empty() => {
                me = terminal_user(Some(rest));
                println!("You are now {} ({}).", me.name, me.id);
                continue;
            }
            ("/status", Some(id)) => {
                let c = rt.host.conversation(id).await?;
                println!("{id}: {} (plan v{}, requested by {})", c.stage.as_str().replace('_', " "), c.current_version(), c.requester.name);
                continue;
            }
            ("/rollback", _) if !rest.is_empty() => {
                current = Some(submit(&rt, &me, &format!("roll back {rest}")).await?);
                continue;
            }
            ("/new", _) if !rest.is_empty() => {
                current = Some(submit(&rt, &me, rest).await?);
                continue;
            }
            ("a", Some(_)) if rest.is_empty() => press(&me, Button::Approve, version),
            ("c", Some(_)) if rest.is_empty() => press(&me, Button::Cancel, version),
            ("m", Some(_)) if !rest.is_empty() => Event::Modified { user: me.clone(), instruction: rest.to_string(), version },
            ("g", Some(_)) if !rest.is_empty() => press(&me, Button::Grant { role: rest.to_string() }, version),
            ("r", Some(_)) if !rest.is_empty() => {
                let (role, reason) = rest.split_once(' ').map(|(r, why)| (r, Some(why.to_string()))).unwrap_or((rest, None));
                press(&me, Button::Reject { role: role.to_string(), reason }, version)
            }
            (_, Some(id)) if awaits_words(&rt, id).await => Event::Said { user: me.clone(), text: line.to_string() },
            _ => {
                current = Some(submit(&rt, &me, line).await?);
                continue;
            }
        };
        let Some(id) = current.clone() else { continue };
        let d = rt.host.dispatch(&id, event).await?;
        if let Some(reason) = d.refused {
            println!("(only {} sees this) {reason}", me.name);
        }
        rt.settle().await?;
    }
}

fn press(user: &User, button: Button, version: i64) -> Event {
    Event::Pressed { user: user.clone(), groups: vec![], button, version }
}

/// True when the current request is waiting for words: an answer, a change, a ticket or a
/// confirmation.
async fn awaits_words(rt: &Runtime, id: &str) -> bool {
    rt.host.conversation(id).await.is_ok_and(|c| matches!(c.stage, Stage::NeedsClarification | Stage::Planned | Stage::Vetoed | Stage::Escalated))
}

async fn submit(rt: &Runtime, me: &User, text: &str) -> anyhow::Result<String> {
    let thread = Thread { platform: "terminal".into(), channel: "chat".into(), thread: String::new() };
    match rt.host.submit(me.clone(), thread, text).await {
        Ok(s) => {
            println!("({})", s.request_id);
            Ok(s.request_id)
        }
        Err(crate::host::HostError::Refused(reason)) => {
            println!("paved: {reason}");
            Err(anyhow::anyhow!("{reason}"))
        }
        Err(e) => Err(e.into()),
    }
}
