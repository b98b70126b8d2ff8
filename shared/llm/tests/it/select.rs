//! Model-id selection, telemetry pricing and the tool-name validator.

use crate::mesh_config;
use proptest::prelude::*;
use sremesh_llm::{
    LlmSettings, ProviderKind, SelectError, Usage, missing_tools, parse_model, provider_for,
    telemetry, tools_named_in,
};

/// The provider and API model id a model id selects, or the kind of error.
type Selected = Result<(ProviderKind, &'static str), &'static str>;

fn check(id: &str, expected: Selected) {
    let got = parse_model(id);
    match (expected, got) {
        (Ok((kind, model)), Ok(m)) => {
            assert_eq!((m.provider, m.model.as_str()), (kind, model), "{id}");
            assert_eq!(m.configured, id.trim(), "{id}");
        }
        (Err(which), Err(e)) => {
            let name = match e {
                SelectError::Unrecognized(_) => "unrecognized",
                SelectError::MissingModel(_) => "missing",
                SelectError::Client(_) => "client",
            };
            assert_eq!(name, which, "{id}: {e}");
        }
        (want, got) => panic!("{id}: wanted {want:?}, got {got:?}"),
    }
}

#[test]
fn model_ids_select_their_provider() {
    use ProviderKind::{Bedrock, OpenAi};
    let cases: &[(&str, Selected)] = &[
        ("openai:qwen2.5:7b", Ok((OpenAi, "qwen2.5:7b"))),
        ("openai:gpt-4o-mini", Ok((OpenAi, "gpt-4o-mini"))),
        ("bedrock:my-custom-model", Ok((Bedrock, "my-custom-model"))),
        (
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            Ok((Bedrock, "us.anthropic.claude-haiku-4-5-20251001-v1:0")),
        ),
        (
            "global.anthropic.claude-sonnet-4-6",
            Ok((Bedrock, "global.anthropic.claude-sonnet-4-6")),
        ),
        (
            "eu.meta.llama3-2-3b-instruct-v1:0",
            Ok((Bedrock, "eu.meta.llama3-2-3b-instruct-v1:0")),
        ),
        (
            "amazon.nova-lite-v1:0",
            Ok((Bedrock, "amazon.nova-lite-v1:0")),
        ),
        (
            "mistral.mistral-large-2402-v1:0",
            Ok((Bedrock, "mistral.mistral-large-2402-v1:0")),
        ),
        (
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-x",
            Ok((
                Bedrock,
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-x",
            )),
        ),
        ("  openai:llama3  ", Ok((OpenAi, "llama3"))),
        ("gpt-4o", Err("unrecognized")),
        ("llama3", Err("unrecognized")),
        ("us.", Err("unrecognized")),
        ("us.anthropic.", Err("unrecognized")),
        ("anthropic", Err("unrecognized")),
        ("openai:", Err("missing")),
        ("bedrock:  ", Err("missing")),
    ];
    for (id, want) in cases {
        check(id, *want);
    }
}

#[tokio::test]
async fn no_model_means_no_provider() {
    let s = LlmSettings::default();
    assert!(provider_for(None, &s).await.unwrap().is_none());
    assert!(provider_for(Some("  "), &s).await.unwrap().is_none());
    let p = provider_for(Some("openai:llama3"), &s)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.model(), "openai:llama3");
    assert!(provider_for(Some("gpt-4o"), &s).await.is_err());
}

proptest! {
    #[test]
    fn selection_never_panics(id in ".{0,80}") {
        if let Ok(m) = parse_model(&id) {
            prop_assert!(!m.model.is_empty());
        }
    }

    #[test]
    fn selection_of_prefixed_ids_keeps_the_model(model in "[a-zA-Z0-9:._/-]{1,40}") {
        let m = parse_model(&format!("openai:{model}")).unwrap();
        prop_assert_eq!(m.provider, ProviderKind::OpenAi);
        prop_assert_eq!(m.model, model);
    }
}

#[test]
fn telemetry_prices_known_models_and_reports_tokens_for_unknown_ones() {
    let cfg = mesh_config();
    let usage = Usage {
        input_tokens: 2_000_000,
        output_tokens: 1_000_000,
    };
    let cases: &[(&str, Option<f64>)] = &[
        (
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            Some(2.0 + 5.0),
        ),
        (
            "bedrock:us.anthropic.claude-haiku-4-5-20251001-v1:0",
            Some(2.0 + 5.0),
        ),
        ("openai:test-model", Some(1.0 + 1.5)),
        ("openai:unpriced", None),
    ];
    for (model, cost) in cases {
        let t = telemetry(&cfg, model, usage, 3);
        assert_eq!(t.cost_usd, *cost, "{model}");
        assert_eq!(
            (t.input_tokens, t.output_tokens, t.tool_calls),
            (2_000_000, 1_000_000, 3)
        );
        assert_eq!(t.model.as_deref(), Some(*model));
    }
}

#[test]
fn validator_lists_tools_a_prompt_names_but_the_set_lacks() {
    let tools = crate::test_tools();
    let prompt = "Use `everything__echo`, then aws_docs__search-docs. Never call Foo__bar or a__.";
    assert_eq!(
        tools_named_in(prompt),
        ["everything__echo", "aws_docs__search-docs"]
    );
    let named = [
        "pods",
        "logs",
        "everything__echo",
        "pods",
        "everything__echo",
        "aws_docs__x",
    ];
    assert_eq!(
        missing_tools(named, &tools),
        ["everything__echo", "aws_docs__x"]
    );
    assert!(missing_tools(["pods", "slow"], &tools).is_empty());
}
