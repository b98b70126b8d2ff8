# sremesh on AWS: one Bedrock AgentCore runtime per enabled agent (A2A, arm64 containers), the
# intake on Lambda behind a Function URL, a DynamoDB dedup table and Secrets Manager secrets.
#
# Provider >= 6.28: aws_bedrockagentcore_agent_runtime, the `region` attribute of aws_region,
# and aws_lambda_function_url adding both public permissions (lambda:InvokeFunctionUrl and
# lambda:InvokeFunction with InvokedViaFunctionUrl) for authorization_type NONE.
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.28"
    }
  }
}
