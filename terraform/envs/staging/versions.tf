terraform {
  required_version = "1.5.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.82.2"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "4.0.6"
    }
  }

  # State lives in the platform account's state bucket, encrypted with SSE-KMS and locked with
  # DynamoDB. The bucket and table are bootstrapped once, outside this repo.
  backend "s3" {
    bucket         = "marty-terraform-state"
    key            = "envs/staging/terraform.tfstate"
    region         = "eu-west-1"
    encrypt        = true
    dynamodb_table = "marty-terraform-locks"
  }
}

# Providers are configured next to required_providers so that each file passes the
# provider-version-pinned policy on its own.
provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      team         = "platform"
      environment  = "staging"
      "managed-by" = "terraform"
      repository   = "marty-platform"
    }
  }
}
