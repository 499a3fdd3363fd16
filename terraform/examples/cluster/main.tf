# modules/cluster on its own: a private EKS cluster in an existing VPC, its private subnets and
# KMS keys found by tag and alias. Local state; modules/platform wires the network and security
# modules' outputs instead.

data "aws_caller_identity" "current" {}

data "aws_vpc" "this" {
  tags = { Name = "marty-example" }
}

data "aws_subnets" "private" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.this.id]
  }

  tags = { tier = "private" }
}

data "aws_kms_alias" "key" {
  for_each = toset(["eks", "data", "logs"])

  name = "alias/marty-example-${each.key}"
}

module "cluster" {
  source = "../../modules/cluster"

  name                   = "marty-example"
  kubernetes_version     = "1.34"
  vpc_id                 = data.aws_vpc.this.id
  subnet_ids             = data.aws_subnets.private.ids
  api_access_cidr_blocks = ["10.0.0.0/16"]
  secrets_kms_key_arn    = data.aws_kms_alias.key["eks"].target_key_arn
  ebs_kms_key_arn        = data.aws_kms_alias.key["data"].target_key_arn
  logs_kms_key_arn       = data.aws_kms_alias.key["logs"].target_key_arn
  admin_role_arns        = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/marty-platform-admin"]

  node_groups = {
    system = {
      instance_types = ["m6i.large"]
      min_size       = 2
      max_size       = 3
      desired_size   = 2
    }
  }

  tags = {
    team        = "platform"
    environment = "example"
  }
}
