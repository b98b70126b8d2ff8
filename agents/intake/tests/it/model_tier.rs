//! Classifier tier 2 against a scripted OpenAI-compatible endpoint: the model's word decides an
//! ambiguous text; a failing or stalled model fails open (no verdict).

use sremesh_intake::LlmTier;
use sremesh_intake::classify::Verdict;
use sremesh_intake::model_tier::ModelTier;
use std::time::Duration;

async fn endpoint(answer: &'static str, delay: Duration) -> String {
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move || async move {
            tokio::time::sleep(delay).await;
            axum::Json(serde_json::json!({
                "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": answer}}],
                "usage": {"prompt_tokens": 40, "completion_tokens": 1}
            }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1")
}

async fn tier(url: &str) -> ModelTier {
    let mut settings = sremesh_llm::LlmSettings::default();
    settings.openai.base_url = url.to_owned();
    let p = sremesh_llm::provider_for(Some("openai:classifier"), &settings)
        .await
        .unwrap()
        .unwrap();
    ModelTier::new(p, Duration::from_millis(500))
}

#[tokio::test]
async fn the_models_word_decides_and_failures_fail_open() {
    let cases = [
        ("CHATTER", Duration::ZERO, Some(Verdict::Chatter)),
        ("ALERT", Duration::ZERO, Some(Verdict::Alert)),
        ("ALERT", Duration::from_secs(3), None),
        ("no idea", Duration::ZERO, None),
    ];
    for (answer, delay, want) in cases {
        let t = tier(&endpoint(answer, delay).await).await;
        assert_eq!(
            t.classify("payments is being weird again").await,
            want,
            "{answer} after {delay:?}"
        );
    }
    let down = tier("http://127.0.0.1:9/v1").await;
    assert_eq!(down.classify("x").await, None);
}
