terraform {
  required_version = "1.5.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.82.2"
    }
  }
}

# Providers are configured next to required_providers so that each file passes the
# provider-version-pinned policy on its own.
provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      team         = "platform"
      environment  = "example"
      "managed-by" = "terraform"
      repository   = "marty-platform"
    }
  }
}
