# modules/network on its own: a VPC with flow logs encrypted by an existing KMS key, found by
# its alias. Local state; modules/platform wires the same call to the security module's key.

data "aws_kms_alias" "logs" {
  name = "alias/marty-example-logs"
}

module "network" {
  source = "../../modules/network"

  name                 = "marty-example"
  vpc_cidr             = "10.98.0.0/16"
  azs                  = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  single_nat_gateway   = true
  cluster_name         = "marty-example"
  flow_log_kms_key_arn = data.aws_kms_alias.logs.target_key_arn

  tags = {
    team        = "platform"
    environment = "example"
  }
}
