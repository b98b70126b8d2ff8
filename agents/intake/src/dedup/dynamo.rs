//! The DynamoDB dedup store: `PutItem` with the condition `attribute_not_exists(pk) OR #ttl <
//! :now` — the key is free when absent or expired (DynamoDB deletes expired items lazily, so an
//! expired item may still be there). Table: partition key `pk` (S); `ttl` (N, Unix seconds) is
//! the table's TTL attribute.

use super::{ClaimFuture, Dedup, DedupError, expiry};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;
use std::time::Duration;

/// A dedup store in a DynamoDB table.
#[derive(Debug, Clone)]
pub struct DynamoDedup {
    client: Client,
    table: String,
}

impl DynamoDedup {
    /// The store in `table`, through `client` (built from `sremesh_aws::sdk_config`).
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }
}

impl Dedup for DynamoDedup {
    fn claim<'a>(&'a self, key: &'a str, now: Timestamp, ttl: Duration) -> ClaimFuture<'a> {
        Box::pin(async move {
            let out = self
                .client
                .put_item()
                .table_name(&self.table)
                .item("pk", AttributeValue::S(key.to_owned()))
                .item("ttl", AttributeValue::N(expiry(now, ttl).to_string()))
                .item("created_at", AttributeValue::S(now.to_string()))
                .condition_expression("attribute_not_exists(pk) OR #ttl < :now")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":now", AttributeValue::N(now.as_second().to_string()))
                .send()
                .await;
            match out {
                Ok(_) => Ok(true),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
                {
                    Ok(false)
                }
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_resource_not_found_exception()) =>
                {
                    Err(DedupError::Config(format!(
                        "DynamoDB table '{}' not found: {}",
                        self.table,
                        DisplayErrorContext(&e)
                    )))
                }
                Err(e) => Err(DedupError::Unavailable(DisplayErrorContext(&e).to_string())),
            }
        })
    }
}
