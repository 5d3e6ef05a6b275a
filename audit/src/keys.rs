//! The audit's Ed25519 key pair: generated once, the private key kept by the audit worker alone
//! (mode 0600), the public key handed to the orchestrator and the executor.
//!
//! Keys are PEM files: PKCS#8 for the private key, SubjectPublicKeyInfo for the public key, so
//! that standard tools (`openssl pkey`) read them too.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use paved_core::signing::key_id;

/// The private key's file name inside the key directory.
pub const PRIVATE_KEY_FILE: &str = "audit.key";
/// The public key's file name inside the key directory.
pub const PUBLIC_KEY_FILE: &str = "audit.pub";

/// A key-handling failure, worded for whoever runs the command.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "{0} already exists; pass --force to replace the key pair (verdicts signed with the old key will no longer verify)"
    )]
    Exists(PathBuf),
    #[error("could not read or write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{0} is readable by group or others; run `chmod 600 {0}` so that only the audit worker can read it"
    )]
    TooOpen(PathBuf),
    #[error(
        "{0} does not hold an Ed25519 {1} key in PEM form; generate one with `paved keys generate`"
    )]
    Malformed(PathBuf, &'static str),
}

/// The files a key generation wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedKeys {
    pub private_key: PathBuf,
    pub public_key: PathBuf,
    /// The id signatures carry (`paved_core::signing::key_id`).
    pub key_id: String,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Generates a key pair in `dir` (created if missing): `audit.key` with mode 0600 and `audit.pub`.
/// An existing pair is replaced only with `force`.
pub fn generate_keypair(dir: &Path, force: bool) -> Result<GeneratedKeys, KeyError> {
    let private_path = dir.join(PRIVATE_KEY_FILE);
    let public_path = dir.join(PUBLIC_KEY_FILE);
    if !force {
        for p in [&private_path, &public_path] {
            if p.exists() {
                return Err(KeyError::Exists(p.clone()));
            }
        }
    }
    fs::create_dir_all(dir).map_err(io(dir))?;
    let key = SigningKey::generate(&mut rand_core::OsRng);
    let private_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| KeyError::Malformed(private_path.clone(), "private"))?;
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|_| KeyError::Malformed(public_path.clone(), "public"))?;
    write_private(&private_path, private_pem.as_bytes())?;
    fs::write(&public_path, public_pem.as_bytes()).map_err(io(&public_path))?;
    Ok(GeneratedKeys {
        private_key: private_path,
        public_key: public_path,
        key_id: key_id(&key.verifying_key()),
    })
}

/// Writes the private key so that it is never, even for a moment, readable by others: a fresh
/// file created with mode 0600, renamed over the old one.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let tmp = path.with_extension("key.tmp");
    let _ = fs::remove_file(&tmp);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(io(&tmp))?;
    file.write_all(bytes).map_err(io(&tmp))?;
    file.sync_all().map_err(io(&tmp))?;
    drop(file);
    fs::rename(&tmp, path).map_err(io(path))
}

/// Loads the audit's private key, refusing a file that group or others may read.
pub fn load_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    let meta = fs::metadata(path).map_err(io(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(KeyError::TooOpen(path.to_path_buf()));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let text = zeroizing_read(path)?;
    SigningKey::from_pkcs8_pem(text.trim())
        .map_err(|_| KeyError::Malformed(path.to_path_buf(), "private"))
}

fn zeroizing_read(path: &Path) -> Result<String, KeyError> {
    fs::read_to_string(path).map_err(io(path))
}

/// Loads the audit's public key.
pub fn load_verifying_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    let text = fs::read_to_string(path).map_err(io(path))?;
    VerifyingKey::from_public_key_pem(text.trim())
        .map_err(|_| KeyError::Malformed(path.to_path_buf(), "public"))
}
