//! Untrusted text can never ping, link or break our markup: a table of hostile inputs per
//! dialect, the same inputs through a whole report, and a property over arbitrary text.

use super::sample_report;
use proptest::prelude::*;
use sremesh_chat::render::{ZWSP, escape};
use sremesh_chat::{Dialect, Render};

fn z(s: &str) -> String {
    s.replace('¶', &ZWSP.to_string())
}

/// `escape(input, dialect) == expected` (`¶` stands for the zero-width space).
fn check(dialect: Dialect, input: &str, expected: &str) {
    assert_eq!(escape(input, dialect), z(expected), "{dialect:?} {input:?}");
}

#[test]
fn slack_hostile_inputs_are_inert() {
    let cases = [
        ("<!channel> db down", "&lt;!channel&gt; db down"),
        ("<!here|here> look", "&lt;!here|here&gt; look"),
        ("<!everyone>", "&lt;!everyone&gt;"),
        (
            "@everyone @here @channel @Channel",
            "@¶everyone @¶here @¶channel @¶Channel",
        ),
        (
            "mail me@channelfoo.com @heresy @herb",
            "mail me@¶channelfoo.com @¶heresy @herb",
        ),
        (
            "<@U123> and <@W456|bob>",
            "&lt;@U123&gt; and &lt;@W456|bob&gt;",
        ),
        ("<#C1|general>", "&lt;#C1|general&gt;"),
        (
            "<https://evil.example|click here>",
            "&lt;https://evil.example|click here&gt;",
        ),
        ("AT&T &lt;", "AT&amp;T &amp;lt;"),
        ("```\n*pwned*\n```", "ˋˋˋ ∗pwned∗ ˋˋˋ"),
        ("`code`", "ˋcodeˋ"),
        ("*bold* _it_ ~strike~", "∗bold∗ ˍitˍ ∼strike∼"),
        ("PAYMENT_TIMEOUT a*b x~y", "PAYMENT_TIMEOUT a*b x~y"),
        (
            "[label](https://evil.example)",
            "[label](https://evil.example)",
        ),
        ("tab\there\x1b[31mred\x07\r", "tab here[31mred"),
        ("bidi \u{202E}evil\u{2066}", "bidi evil"),
    ];
    for (input, expected) in cases {
        check(Dialect::Slack, input, expected);
    }
}

#[test]
fn discord_hostile_inputs_are_inert() {
    let cases = [
        ("@everyone look", "@¶everyone look"),
        ("@here", "@¶here"),
        (
            "<@123> <@!123> <@&999> <#456>",
            "<¶@123> <¶@!123> <¶@&999> <¶#456>",
        ),
        (
            "</deploy:123> <t:1700000000>",
            "<¶/deploy:123> <¶t:1700000000>",
        ),
        (
            "[click](https://evil.example)",
            "\\[click\\](https://evil.example)",
        ),
        ("```js\nboom\n```", "\\`\\`\\`js boom \\`\\`\\`"),
        (
            "**bold** __u__ ~~s~~ ||spoiler||",
            "\\*\\*bold\\*\\* \\_\\_u\\_\\_ \\~\\~s\\~\\~ \\|\\|spoiler\\|\\|",
        ),
        ("# heading", "\\# heading"),
        ("> quote", "\\> quote"),
        ("- item", "\\- item"),
        ("a \\ b", "a \\\\ b"),
        ("<!channel>", "<¶!channel>"),
        ("PAYMENT_TIMEOUT", "PAYMENT\\_TIMEOUT"),
    ];
    for (input, expected) in cases {
        check(Dialect::Discord, input, expected);
    }
}

#[test]
fn terminal_drops_control_characters_only() {
    let cases = [
        ("\x1b[2J\x1b[Hcleared", "[2J[Hcleared"),
        ("<!channel> *x*", "<!channel> *x*"),
        ("a\nb", "a b"),
    ];
    for (input, expected) in cases {
        check(Dialect::Terminal { color: false }, input, expected);
    }
}

const HOSTILE: &str = "<!channel> <!here|here> @everyone @here <@U123> <@&999> <#C1> \
    ```\n*x* [click](https://evil.example) <https://evil.example|click>";

/// Puts the hostile text in every untrusted field of a report.
fn hostile_report() -> sremesh_core::Report {
    let mut r = sample_report();
    r.alert_text = HOSTILE.into();
    r.summary = HOSTILE.into();
    r.impact = HOSTILE.into();
    r.actions = vec![HOSTILE.into()];
    r.affected_services = vec![HOSTILE.into()];
    r.links[0].label = HOSTILE.into();
    r.hypotheses[0].title = HOSTILE.into();
    r.hypotheses[0].explanation = HOSTILE.into();
    r.hypotheses[0].ruled_out = vec![HOSTILE.into()];
    for b in &mut r.evidence {
        b.detail = Some(HOSTILE.into());
        b.summary = HOSTILE.into();
        for f in &mut b.findings {
            f.title = HOSTILE.into();
            f.evidence = vec![HOSTILE.into(), HOSTILE.into()];
        }
    }
    r
}

#[test]
fn a_hostile_report_pings_nobody_in_either_dialect() {
    let r = hostile_report();
    let slack = r.render(Dialect::Slack);
    // (`[label](url)` is not link syntax in Slack.)
    for bad in [
        "<!",
        "<@",
        "<#",
        "<https://evil",
        "@everyone",
        "@here",
        "```",
        "*x*",
    ] {
        assert!(
            !slack.contains(bad),
            "Slack rendering contains {bad:?}:\n{slack}"
        );
    }
    let discord = r.render(Dialect::Discord);
    for bad in [
        "<@",
        "<#",
        "<!",
        "@everyone",
        "@here",
        "```",
        "[click](",
        "*x*",
    ] {
        assert!(
            !discord.contains(bad),
            "Discord rendering contains {bad:?}:\n{discord}"
        );
    }
    // Our own links are still links.
    assert!(slack.contains("|🔗 view>"));
    assert!(discord.contains("[🔗 view](https://"));
}

fn mention_free_slack(s: &str) -> bool {
    !s.contains('<')
        && !s.contains('>')
        && !s.contains('`')
        && !s.contains("@everyone")
        && !s.contains("@here")
        && !s.contains("@channel")
}

fn mention_free_discord(s: &str) -> bool {
    let unescaped = |c: char| {
        s.char_indices()
            .any(|(i, x)| x == c && !s[..i].ends_with('\\'))
    };
    !s.contains("<@")
        && !s.contains("<#")
        && !s.contains("@everyone")
        && !s.contains("@here")
        && !unescaped('`')
        && !unescaped('[')
        && !unescaped('*')
        && !s.contains('\n')
}

proptest! {
    #[test]
    fn escaped_text_never_holds_a_live_token(s in "(<!channel>|<@U1>|<#C1>|@everyone|@here|@channel|```|\\[a\\]\\(b\\)|[ -~]|\\\\|é|🔥|\n){0,40}") {
        prop_assert!(mention_free_slack(&escape(&s, Dialect::Slack)), "{:?}", escape(&s, Dialect::Slack));
        prop_assert!(mention_free_discord(&escape(&s, Dialect::Discord)), "{:?}", escape(&s, Dialect::Discord));
    }

    #[test]
    fn escaping_never_panics_on_any_text(s in any::<String>()) {
        for d in [Dialect::Slack, Dialect::Discord, Dialect::Terminal { color: true }] {
            let e = escape(&s, d);
            prop_assert!(!e.contains('\n'));
        }
    }
}
