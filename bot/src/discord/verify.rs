//! Who sent an interaction: Discord signs the timestamp and the body with the application's
//! Ed25519 key. Anything that does not verify gets 401, which Discord itself checks by sending
//! deliberately forged requests; a signature older (or newer) than the allowed clock skew is
//! refused the same way, so that a captured request cannot be replayed later.

use serenity::interactions_endpoint::Verifier;

/// Why an interaction was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the request carries no X-Signature-Ed25519 or X-Signature-Timestamp header")]
    Unsigned,
    #[error("the signature does not verify with the application's public key")]
    Forged,
    #[error("the signed timestamp is outside the allowed window")]
    Stale,
}

/// The public key was not 64 hex digits of a valid Ed25519 point.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Discord public key must be the application's 64 hex digit Ed25519 key (Developer Portal → General Information); {0}")]
pub struct BadPublicKey(String);

/// Checks interaction signatures and their age.
#[derive(Clone)]
pub struct SignatureCheck {
    verifier: Verifier,
    max_skew_seconds: i64,
}

impl SignatureCheck {
    pub fn new(public_key_hex: &str, max_skew_seconds: u64) -> Result<SignatureCheck, BadPublicKey> {
        let bytes = parse_hex32(public_key_hex.trim()).ok_or_else(|| BadPublicKey(format!("got {} characters", public_key_hex.trim().len())))?;
        let verifier = Verifier::try_new(bytes).map_err(|e| BadPublicKey(e.to_string()))?;
        Ok(SignatureCheck { verifier, max_skew_seconds: i64::try_from(max_skew_seconds).unwrap_or(i64::MAX) })
    }

    /// Verifies one request. `now_seconds` is the receiving machine's Unix time.
    pub fn check(&self, signature: Option<&str>, timestamp: Option<&str>, body: &[u8], now_seconds: i64) -> Result<(), Rejection> {
        let (Some(signature), Some(timestamp)) = (signature, timestamp) else { return Err(Rejection::Unsigned) };
        // The signature first: a forged request learns nothing about the clock.
        self.verifier.verify(signature, timestamp, body).map_err(|()| Rejection::Forged)?;
        let signed_at: i64 = timestamp.trim().parse().map_err(|_| Rejection::Stale)?;
        if now_seconds.abs_diff(signed_at) > self.max_skew_seconds.unsigned_abs() {
            return Err(Rejection::Stale);
        }
        Ok(())
    }
}

fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    // RFC 8032, section 7.1, TEST 1: the empty message.
    const RFC8032_SECRET: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    const RFC8032_PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    const RFC8032_SIGNATURE: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn rfc8032_test_vector_1_verifies() {
        let key = SigningKey::from_bytes(&parse_hex32(RFC8032_SECRET).unwrap());
        assert_eq!(hex(key.verifying_key().as_bytes()), RFC8032_PUBLIC);
        // An empty timestamp and an empty body sign the empty message.
        assert_eq!(hex(&key.sign(b"").to_bytes()), RFC8032_SIGNATURE);
        let check = SignatureCheck::new(RFC8032_PUBLIC, u64::MAX).unwrap();
        // The empty timestamp is not a time: the signature verifies, the age check refuses it.
        assert_eq!(check.check(Some(RFC8032_SIGNATURE), Some(""), b"", 0), Err(Rejection::Stale));
        let mut flipped = RFC8032_SIGNATURE.to_string();
        flipped.replace_range(0..1, "f");
        assert_eq!(check.check(Some(&flipped), Some(""), b"", 0), Err(Rejection::Forged));
    }

    #[test]
    fn signatures_bind_the_timestamp_and_body() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let check = SignatureCheck::new(&hex(key.verifying_key().as_bytes()), 300).unwrap();
        let body = br#"{"type":1}"#;
        let sig = hex(&key.sign(&[b"1700000000".as_slice(), body].concat()).to_bytes());
        assert_eq!(check.check(Some(&sig), Some("1700000000"), body, 1_700_000_100), Ok(()));
        assert_eq!(check.check(Some(&sig), Some("1700000001"), body, 1_700_000_100), Err(Rejection::Forged));
        assert_eq!(check.check(Some(&sig), Some("1700000000"), br#"{"type":2}"#, 1_700_000_100), Err(Rejection::Forged));
        assert_eq!(check.check(Some(&sig), Some("1700000000"), body, 1_700_000_301), Err(Rejection::Stale));
        assert_eq!(check.check(Some(&sig), Some("1700000000"), body, 1_699_999_699), Err(Rejection::Stale));
        assert_eq!(check.check(None, Some("1700000000"), body, 1_700_000_000), Err(Rejection::Unsigned));
        assert_eq!(check.check(Some("zz"), Some("1700000000"), body, 1_700_000_000), Err(Rejection::Forged));
    }

    #[test]
    fn bad_public_keys_are_explained() {
        let e = SignatureCheck::new("abc", 300).err().unwrap();
        assert!(e.to_string().contains("64 hex digit"), "{e}");
    }
}
