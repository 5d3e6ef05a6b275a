//! Ed25519 signatures over canonical bytes: the audit signs verdicts and trail checkpoints; the
//! orchestrator and executor verify them with the public key alone.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
pub use ed25519_dalek::{SigningKey, VerifyingKey};
use ed25519_dalek::{Signer, Verifier};
use serde::{Deserialize, Serialize};

use crate::canonical;
use crate::verdict::Verdict;

/// A detached signature with the id of the key that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// Always `ed25519`.
    pub algorithm: String,
    /// The first 16 hex digits of SHA-256 of the public key.
    pub key_id: String,
    /// The 64-byte signature, base64.
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the verdict is not signed; only a signed verdict may be acted on")]
    Unsigned,
    #[error("the signature uses `{0}`; only ed25519 is accepted")]
    Algorithm(String),
    #[error("the signature was made by key {found}, not the audit key {expected}")]
    WrongKey { expected: String, found: String },
    #[error("the signature is malformed")]
    Malformed,
    #[error("the signature does not match: the verdict or its plan was changed after signing")]
    Mismatch,
    #[error("the verdict was made for plan {found}, not for the plan version {expected}")]
    PlanMismatch { expected: String, found: String },
}

/// The id of a public key, as written in signatures.
pub fn key_id(key: &VerifyingKey) -> String {
    canonical::sha256_hex(key.as_bytes())[..16].to_string()
}

/// Signs bytes with a key.
pub fn sign_bytes(key: &SigningKey, bytes: &[u8]) -> Signature {
    Signature {
        algorithm: "ed25519".to_string(),
        key_id: key_id(&key.verifying_key()),
        value: B64.encode(key.sign(bytes).to_bytes()),
    }
}

/// Verifies a detached signature over bytes.
pub fn verify_bytes(
    key: &VerifyingKey,
    bytes: &[u8],
    signature: &Signature,
) -> Result<(), SignatureError> {
    if signature.algorithm != "ed25519" {
        return Err(SignatureError::Algorithm(signature.algorithm.clone()));
    }
    let expected = key_id(key);
    if signature.key_id != expected {
        return Err(SignatureError::WrongKey { expected, found: signature.key_id.clone() });
    }
    let raw = B64.decode(&signature.value).map_err(|_| SignatureError::Malformed)?;
    let raw: [u8; 64] = raw.try_into().map_err(|_| SignatureError::Malformed)?;
    let sig = ed25519_dalek::Signature::from_bytes(&raw);
    key.verify(bytes, &sig).map_err(|_| SignatureError::Mismatch)
}

/// Signs a verdict in place, replacing any earlier signature.
pub fn sign_verdict(key: &SigningKey, verdict: &mut Verdict) {
    verdict.signature = None;
    let bytes = verdict.signing_bytes();
    verdict.signature = Some(sign_bytes(key, &bytes));
}

/// Verifies a verdict's signature, that its plan is the one it approved, and that it was made
/// for the plan with hash `judged_plan_hash` (the plan version the orchestrator sent).
pub fn verify_verdict(
    key: &VerifyingKey,
    verdict: &Verdict,
    judged_plan_hash: &str,
) -> Result<(), SignatureError> {
    let signature = verdict.signature.as_ref().ok_or(SignatureError::Unsigned)?;
    verify_bytes(key, &verdict.signing_bytes(), signature)?;
    if verdict.plan_hash != judged_plan_hash {
        return Err(SignatureError::PlanMismatch {
            expected: judged_plan_hash.to_string(),
            found: verdict.plan_hash.clone(),
        });
    }
    let approved = canonical::plan_hash(&verdict.plan);
    if approved != verdict.approved_plan_hash {
        return Err(SignatureError::Mismatch);
    }
    Ok(())
}
