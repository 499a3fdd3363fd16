# modules/storage on its own: the backups bucket, encrypted with an existing KMS key found by its
# alias. Local state; modules/platform passes the security module's `backups` key instead.

data "aws_caller_identity" "current" {}

data "aws_kms_alias" "backups" {
  name = "alias/marty-example-backups"
}

module "storage" {
  source = "../../modules/storage"

  bucket_name        = "marty-example-backups-${data.aws_caller_identity.current.account_id}"
  bucket_kms_key_arn = data.aws_kms_alias.backups.target_key_arn

  tags = {
    team        = "platform"
    environment = "example"
  }
}
