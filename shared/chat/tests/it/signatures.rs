//! Request signatures: Slack's published test vector, tables of good and bad requests for both
//! platforms, and properties (round trips; any flipped byte rejected; no input panics).

use jiff::Timestamp;
use proptest::prelude::*;
use sremesh_chat::verify::{
    DiscordSigner, REPLAY_WINDOW_SECS, SigError, sign_slack, verify_discord, verify_slack,
};

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const NOW: i64 = 1_776_507_900;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap()
}

#[test]
fn slack_published_example_verifies() {
    // https://api.slack.com/authentication/verifying-requests-from-slack (worked example).
    let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    let sig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    assert_eq!(
        sign_slack(SECRET, "1531420618", body.as_bytes()).unwrap(),
        sig
    );
    let now = at(1_531_420_618 + 10);
    assert_eq!(
        verify_slack(SECRET, Some("1531420618"), Some(sig), body.as_bytes(), now),
        Ok(())
    );
}

/// One Slack request: (timestamp header, signature header, body) checked at `NOW`.
fn check_slack(ts: Option<&str>, sig: Option<&str>, body: &str, want: Result<(), SigError>) {
    assert_eq!(
        verify_slack(SECRET, ts, sig, body.as_bytes(), at(NOW)),
        want,
        "ts={ts:?} sig={sig:?} body={body:?}"
    );
}

#[test]
fn slack_table() {
    let body = r#"{"type":"event_callback","event":{"type":"app_mention"}}"#;
    let ts = NOW.to_string();
    let good = sign_slack(SECRET, &ts, body.as_bytes()).unwrap();
    let edge = (NOW - REPLAY_WINDOW_SECS).to_string();
    let edge_sig = sign_slack(SECRET, &edge, body.as_bytes()).unwrap();
    let stale = (NOW - REPLAY_WINDOW_SECS - 1).to_string();
    let stale_sig = sign_slack(SECRET, &stale, body.as_bytes()).unwrap();
    let future = (NOW + REPLAY_WINDOW_SECS + 1).to_string();
    let future_sig = sign_slack(SECRET, &future, body.as_bytes()).unwrap();
    let upper = good.to_uppercase().replace("V0=", "v0=");
    check_slack(Some(&ts), Some(&good), body, Ok(()));
    check_slack(Some(&ts), Some(&upper), body, Ok(()));
    check_slack(Some(&edge), Some(&edge_sig), body, Ok(()));
    check_slack(
        Some(&stale),
        Some(&stale_sig),
        body,
        Err(SigError::Stale {
            skew_secs: REPLAY_WINDOW_SECS + 1,
        }),
    );
    check_slack(
        Some(&future),
        Some(&future_sig),
        body,
        Err(SigError::Stale {
            skew_secs: -REPLAY_WINDOW_SECS - 1,
        }),
    );
    check_slack(
        Some(&ts),
        Some(&good),
        &body.replace("app_", "App_"),
        Err(SigError::Mismatch),
    );
    check_slack(
        Some(&(NOW - 1).to_string()),
        Some(&good),
        body,
        Err(SigError::Mismatch),
    );
    check_slack(
        None,
        Some(&good),
        body,
        Err(SigError::MissingHeader("x-slack-request-timestamp")),
    );
    check_slack(
        Some(&ts),
        None,
        body,
        Err(SigError::MissingHeader("x-slack-signature")),
    );
    for bad_ts in ["", "abc", "-1", "1.5", "99999999999999999999"] {
        check_slack(
            Some(bad_ts),
            Some(&good),
            body,
            Err(SigError::MalformedTimestamp),
        );
    }
    for bad_sig in ["", "v1=00", &good[3..], "v0=zz", &good[..60], "v0=é"] {
        check_slack(
            Some(&ts),
            Some(bad_sig),
            body,
            Err(SigError::MalformedSignature),
        );
    }
    assert!(matches!(
        verify_slack("", Some(&ts), Some(&good), body.as_bytes(), at(NOW)),
        Err(SigError::BadKey(_))
    ));
}

fn signer() -> DiscordSigner {
    DiscordSigner::from_seed([7u8; 32])
}

/// (public key, signature header, timestamp header, body, verdict).
type Case<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    Result<(), SigError>,
);

#[test]
fn discord_table() {
    let s = signer();
    let key = s.public_key_hex();
    let body = r#"{"type":1}"#;
    let ts = NOW.to_string();
    let good = s.sign(&ts, body.as_bytes());
    let stale = (NOW - 301).to_string();
    let stale_sig = s.sign(&stale, body.as_bytes());
    let other = DiscordSigner::from_seed([8u8; 32]).sign(&ts, body.as_bytes());
    let next = (NOW + 1).to_string();
    let cases: Vec<Case> = vec![
        (&key, Some(&good), Some(&ts), body, Ok(())),
        (
            &key,
            Some(&good),
            Some(&ts),
            r#"{"type":2}"#,
            Err(SigError::Mismatch),
        ),
        (&key, Some(&other), Some(&ts), body, Err(SigError::Mismatch)),
        (
            &key,
            Some(&stale_sig),
            Some(&stale),
            body,
            Err(SigError::Stale { skew_secs: 301 }),
        ),
        (
            &key,
            Some(&good),
            Some(&next),
            body,
            Err(SigError::Mismatch),
        ),
        (
            &key,
            None,
            Some(&ts),
            body,
            Err(SigError::MissingHeader("x-signature-ed25519")),
        ),
        (
            &key,
            Some(&good),
            None,
            body,
            Err(SigError::MissingHeader("x-signature-timestamp")),
        ),
        (
            &key,
            Some(&good[..100]),
            Some(&ts),
            body,
            Err(SigError::MalformedSignature),
        ),
        (
            &key,
            Some("zz"),
            Some(&ts),
            body,
            Err(SigError::MalformedSignature),
        ),
        (
            &key,
            Some(&good),
            Some("soon"),
            body,
            Err(SigError::MalformedTimestamp),
        ),
        (
            "abcd",
            Some(&good),
            Some(&ts),
            body,
            Err(SigError::BadKey(
                "the Discord public key is not 64 hex digits",
            )),
        ),
    ];
    for (key, sig, ts, body, want) in cases {
        assert_eq!(
            verify_discord(key, sig, ts, body.as_bytes(), at(NOW)),
            want,
            "sig={sig:?} ts={ts:?} body={body:?}"
        );
    }
}

proptest! {
    #[test]
    fn slack_round_trip_and_any_flipped_byte_is_rejected(
        secret in "[!-~]{1,64}",
        skew in -REPLAY_WINDOW_SECS..=REPLAY_WINDOW_SECS,
        body in prop::collection::vec(any::<u8>(), 1..512),
        flip in any::<prop::sample::Index>(),
        mask in 1u8..=255,
    ) {
        let ts = (NOW + skew).to_string();
        let sig = sign_slack(&secret, &ts, &body).unwrap();
        prop_assert_eq!(verify_slack(&secret, Some(&ts), Some(&sig), &body, at(NOW)), Ok(()));
        let mut tampered = body.clone();
        let i = flip.index(tampered.len());
        tampered[i] ^= mask;
        prop_assert_eq!(verify_slack(&secret, Some(&ts), Some(&sig), &tampered, at(NOW)), Err(SigError::Mismatch));
    }

}

proptest! {
    // Ed25519 is slow in a debug build: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn discord_round_trip_and_any_flipped_byte_is_rejected(
        seed in any::<[u8; 32]>(),
        skew in -REPLAY_WINDOW_SECS..=REPLAY_WINDOW_SECS,
        body in prop::collection::vec(any::<u8>(), 1..512),
        flip in any::<prop::sample::Index>(),
        mask in 1u8..=255,
    ) {
        let s = DiscordSigner::from_seed(seed);
        let key = s.public_key_hex();
        let ts = (NOW + skew).to_string();
        let sig = s.sign(&ts, &body);
        prop_assert_eq!(verify_discord(&key, Some(&sig), Some(&ts), &body, at(NOW)), Ok(()));
        let mut tampered = body.clone();
        let i = flip.index(tampered.len());
        tampered[i] ^= mask;
        prop_assert_eq!(verify_discord(&key, Some(&sig), Some(&ts), &tampered, at(NOW)), Err(SigError::Mismatch));
        // A flipped signature byte is rejected too.
        let mut raw = hex::decode(&sig).unwrap();
        let j = flip.index(raw.len());
        raw[j] ^= mask;
        prop_assert!(verify_discord(&key, Some(&hex::encode(raw)), Some(&ts), &body, at(NOW)).is_err());
    }

    #[test]
    fn arbitrary_headers_and_bodies_never_panic(
        key in ".{0,80}", sig in proptest::option::of(".{0,140}"), ts in proptest::option::of(".{0,20}"),
        body in prop::collection::vec(any::<u8>(), 0..256), now in any::<i32>(),
    ) {
        let now = at(i64::from(now));
        prop_assert!(verify_slack(&key, ts.as_deref(), sig.as_deref(), &body, now).is_err() || !key.is_empty());
        let _ = verify_discord(&key, sig.as_deref(), ts.as_deref(), &body, now);
    }
}
