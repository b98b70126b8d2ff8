//! The intake under the AWS Lambda runtime, behind a Function URL: the same router as the
//! server, fed by `lambda_http` (API Gateway v2 / Function URL events only; `isBase64Encoded`
//! bodies are decoded by `lambda_http` before the router sees them). Nothing runs after the
//! response, so the intake must be built with [`crate::Mode::Lambda`].

use crate::intake::Intake;
use std::sync::Arc;

/// Polls the Lambda Runtime API (`AWS_LAMBDA_RUNTIME_API`) and answers each invocation with
/// the router. Returns when the runtime stops.
pub async fn run(intake: Arc<Intake>) -> Result<(), lambda_http::Error> {
    tracing::info!(master = %intake.master.endpoint(), paused = intake.paused, "intake_lambda_started");
    lambda_http::run(crate::app::router(intake)).await
}
