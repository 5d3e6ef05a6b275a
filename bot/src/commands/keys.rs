//! `paved keys`: the audit's signing key.

use crate::cli::KeysCommand;
use crate::error::UserError;

pub fn run(cmd: &KeysCommand) -> anyhow::Result<String> {
    match cmd {
        KeysCommand::Generate { dir, force } => {
            let written = paved_audit::keys::generate_keypair(dir, *force).map_err(|e| {
                UserError::new(format!("Could not write the key pair in {}: {e}.", dir.display()))
            })?;
            Ok(format!(
                "Wrote the private key {} (mode 0600; give it to the audit worker only) and the public key {} (for the orchestrator and executor); key id {}.\n",
                written.private_key.display(),
                written.public_key.display(),
                written.key_id
            ))
        }
    }
}
