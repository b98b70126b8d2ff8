# The intake's dedup table: one item per delivery key (conditional put), expired by the `ttl`
# attribute. DynamoDB deletes expired items lazily; the intake checks `ttl` itself.

resource "aws_dynamodb_table" "dedup" {
  name         = "${local.name_prefix}-dedup"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"

  attribute {
    name = "pk"
    type = "S"
  }

  ttl {
    attribute_name = "ttl"
    enabled        = true
  }

  server_side_encryption {
    enabled = true
  }

  point_in_time_recovery {
    enabled = var.dynamodb_point_in_time_recovery
  }

  tags = local.tags
}
