//! Arbitrary bytes as a cosign simple-signing payload and as a PEM public key: parsing must
//! never panic, and a payload accepted is within the size limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_oci::signature::PublicKey;
use seaworthy_oci::signature::payload::{MAX_PAYLOAD_BYTES, Payload};

fuzz_target!(|data: &[u8]| {
    if Payload::parse(data).is_ok() {
        assert!(data.len() <= MAX_PAYLOAD_BYTES);
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(key) = PublicKey::from_pem(text)
    {
        assert_eq!(key.fingerprint().len(), 64);
    }
});
