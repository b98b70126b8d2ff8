//! Label and field selector parsing: a table of valid and invalid selectors, and arbitrary input
//! never panics.

use proptest::prelude::*;
use serde_json::json;
use sremesh_sandbox::kube::selector::{FieldSelector, LabelSelector, Op};

/// Parses `sel` and checks it against labels; `Err(needle)` expects a parse error containing it.
fn check(sel: &str, labels: serde_json::Value, want: Result<bool, &str>) {
    match (LabelSelector::parse(sel), want) {
        (Ok(s), Ok(m)) => assert_eq!(s.matches(labels.as_object()), m, "{sel} on {labels}"),
        (Err(e), Err(needle)) => assert!(e.0.contains(needle), "{sel}: {e} lacks {needle}"),
        (got, want) => panic!("{sel}: got {got:?}, want {want:?}"),
    }
}

#[test]
fn label_selectors_parse_and_match_like_the_api_server() {
    let l = json!({"app": "web", "tier": "backend", "version": "2", "example.com/team": "sre"});
    let cases: &[(&str, Result<bool, &str>)] = &[
        ("", Ok(true)),
        ("app=web", Ok(true)),
        ("app = web", Ok(true)),
        ("app==web", Ok(true)),
        ("app!=web", Ok(false)),
        ("app!=api", Ok(true)),
        ("missing!=x", Ok(true)),
        ("app in (web, api)", Ok(true)),
        ("app in (api)", Ok(false)),
        ("app notin (api,db)", Ok(true)),
        ("missing notin (x)", Ok(true)),
        ("tier", Ok(true)),
        ("!tier", Ok(false)),
        ("!missing", Ok(true)),
        ("app=web,tier=backend", Ok(true)),
        ("app=web,tier=frontend", Ok(false)),
        ("example.com/team=sre", Ok(true)),
        ("version>1", Ok(true)),
        ("version<2", Ok(false)),
        ("app=", Ok(false)),
        ("missing=", Ok(false)),
        ("app in (a", Err("expected: ',' or ')'")),
        ("app in a", Err("expected: '('")),
        ("=web", Err("expected: identifier")),
        ("app=web,", Err("found end of string")),
        ("app web", Err("expected: in, notin, =, ==, !=, gt, lt")),
        ("app=web tier", Err("expected: ',' or end of string")),
        ("app=we b", Err("expected: ',' or end of string")),
        ("-app=web", Err("invalid label key \"-app\"")),
        ("Bad_Prefix/app=web", Err("prefix part")),
        ("app=-web", Err("invalid label value")),
        ("version>x", Err("must be an integer")),
    ];
    for (sel, want) in cases {
        check(sel, l.clone(), *want);
    }
    let parsed = LabelSelector::parse("app in (b,a,a), !x").unwrap();
    assert_eq!(parsed.0[0].op, Op::In);
    assert_eq!(parsed.0[0].values, ["a", "b"]);
    assert_eq!(parsed.0[1].op, Op::DoesNotExist);
}

#[test]
fn field_selectors_parse_with_escapes_and_operators() {
    let ok = |sel: &str, want: &[(&str, bool, &str)]| {
        let s = FieldSelector::parse(sel).unwrap_or_else(|e| panic!("{sel}: {e}"));
        let got: Vec<(&str, bool, &str)> =
            s.0.iter()
                .map(|r| (r.field.as_str(), r.negate, r.value.as_str()))
                .collect();
        assert_eq!(got, want, "{sel}");
    };
    ok("", &[]);
    ok(
        "status.phase=Running",
        &[("status.phase", false, "Running")],
    );
    ok(
        "status.phase==Running",
        &[("status.phase", false, "Running")],
    );
    ok(
        "type!=Normal,reason=BackOff",
        &[("type", true, "Normal"), ("reason", false, "BackOff")],
    );
    ok(r"metadata.name=a\,b", &[("metadata.name", false, "a,b")]);
    ok("spec.nodeName=", &[("spec.nodeName", false, "")]);
    for (bad, needle) in [
        ("nonsense", "can't understand 'nonsense'"),
        ("=x", "can't understand"),
        (r"a=b\q", "invalid escape"),
    ] {
        let e = FieldSelector::parse(bad).unwrap_err();
        assert!(e.0.contains(needle), "{bad}: {e}");
    }
    let s = FieldSelector::parse("a=1,b!=2").unwrap();
    assert!(s.matches(|f| if f == "a" { "1".into() } else { "3".into() }));
    assert!(!s.matches(|f| if f == "a" { "1".into() } else { "2".into() }));
}

proptest! {
    #[test]
    fn label_selector_never_panics(s in any::<String>()) {
        let _ = LabelSelector::parse(&s).map(|sel| sel.matches(None));
    }

    #[test]
    fn label_selector_grammarish_never_panics(s in "[a-z!=(), /.0-9<>-]{0,40}") {
        let _ = LabelSelector::parse(&s);
    }

    #[test]
    fn field_selector_never_panics(s in any::<String>()) {
        let _ = FieldSelector::parse(&s).map(|sel| sel.matches(|_| String::new()));
    }

    #[test]
    fn field_selector_grammarish_never_panics(s in r"[a-z.=!,\\]{0,30}") {
        let _ = FieldSelector::parse(&s);
    }

    /// `key=value` for any valid key and value round-trips into one Equals requirement.
    #[test]
    fn simple_equality_round_trips(k in "[a-z][a-z0-9]{0,10}", v in "[a-z0-9]{1,10}") {
        let s = LabelSelector::parse(&format!("{k}={v}")).unwrap();
        prop_assert_eq!(s.0.len(), 1);
        prop_assert_eq!(s.0[0].op, Op::Equals);
        prop_assert_eq!(&s.0[0].values, &vec![v]);
    }
}
