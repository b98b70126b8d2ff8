//! Whole-name matching: the documented decision about suffixes and prefixes, and whole-word
//! vocabulary ("error" is not "errorless").

use proptest::prelude::*;
use sremesh_chatscan::names::{contains_name, token_at};
use sremesh_core::text::contains_word;

fn check(text: &str, name: &str, want: bool) {
    assert_eq!(contains_name(text, name), want, "{name:?} in {text:?}");
}

#[test]
fn names_match_whole_names_and_the_services_own_objects() {
    let cases = [
        ("deploying cart-api v4.3.0", "cart-api", true),
        ("CART-API is slow", "cart-api", true),
        ("pod cart-api-7d9f8b6c4-x2k4q restarted", "cart-api", true), // its pods
        ("kubectl edit cart-api-config", "cart-api", true),           // its objects
        ("Application **cart-api-prod** synced", "cart-api", true),   // its Argo app
        ("cart-api.cart.svc.cluster.local refused", "cart-api", true), // its hostname
        ("ns/cart-api: 5xx", "cart-api", true),
        ("kube_deployment:cart-api", "cart-api", true),
        ("rolling out cart-api-v2 today", "cart-api", false), // a versioned sibling
        ("cart-api-v10 is the rewrite", "cart-api", false),
        ("old-cart-api is gone", "cart-api", false), // a prefix names another service
        ("mycart-api", "cart-api", false),
        ("cart-api_canary", "cart-api", false),
        ("cart-apis", "cart-api", false),
        ("orders db migration", "orders", true),
        ("orders-rabbitmq restart", "orders", true),
        ("@slack-orders-alerts", "orders", false),
        ("", "orders", false),
        ("orders", "", false),
    ];
    for (text, name, want) in cases {
        check(text, name, want);
    }
}

#[test]
fn vocabulary_matches_whole_words_only() {
    let cases = [
        ("an error occurred", "error", true),
        ("errorless run", "error", false),
        ("5xx errors on checkout", "errors", true),
        ("redeploying soon", "deploy", false),
        ("deploy-prod stage", "deploy", true),
    ];
    for (text, word, want) in cases {
        assert_eq!(contains_word(text, word), want, "{word:?} in {text:?}");
    }
}

#[test]
fn the_token_around_a_match_is_the_name_it_belongs_to() {
    let text = "starting the rolling restart of orders-rabbitmq, then orders.";
    let at = text.find("orders").unwrap();
    assert_eq!(token_at(text, at, at + 6), "orders-rabbitmq");
    let last = text.rfind("orders").unwrap();
    assert_eq!(token_at(text, last, last + 6), "orders");
}

proptest! {
    #[test]
    fn matching_never_panics(text in "\\PC{0,80}", name in "[a-z-]{0,12}") {
        let _ = contains_name(&text, &name);
        for (s, e) in sremesh_chatscan::names::find_name(&text, &name) {
            prop_assert!(s < e && e <= text.len());
            let t = token_at(&text, s, e);
            prop_assert!(t.len() <= text.len());
        }
    }
}
