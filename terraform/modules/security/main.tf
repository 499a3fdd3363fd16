locals {
  default_tags = {
    "managed-by" = "terraform"
    "module"     = "marty/security"
  }
  tags = merge(local.default_tags, var.tags)

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # One customer-managed key per purpose, so that a key policy never grants more than one
  # workload, and access can be revoked per purpose.
  kms_keys = {
    eks          = "EKS envelope encryption of Kubernetes secrets"
    data         = "Node EBS volumes, which hold the in-cluster data stores' persistent volumes"
    backups      = "S3 bucket for Velero backups, database dumps and object storage"
    logs         = "CloudWatch Logs: VPC flow logs and the EKS control plane"
    vault-unseal = "Vault/OpenBao auto-unseal"
  }

  oidc_issuer = trimprefix(var.oidc_issuer_url, "https://")
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

################################################################################
# KMS keys (rotation always on)
################################################################################

data "aws_iam_policy_document" "kms" {
  for_each = local.kms_keys

  statement {
    sid       = "AccountRoot"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_administrators) > 0 ? [1] : []
    content {
      sid = "KeyAdministrators"
      actions = [
        "kms:CancelKeyDeletion",
        "kms:Create*",
        "kms:Delete*",
        "kms:Describe*",
        "kms:Disable*",
        "kms:Enable*",
        "kms:Get*",
        "kms:List*",
        "kms:Put*",
        "kms:Revoke*",
        "kms:RotateKeyOnDemand",
        "kms:ScheduleKeyDeletion",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:Update*",
      ]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.kms_key_administrators
      }
    }
  }

  dynamic "statement" {
    for_each = each.key == "logs" ? [1] : []
    content {
      sid = "CloudWatchLogs"
      actions = [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
      ]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = ["logs.${local.region}.amazonaws.com"]
      }

      condition {
        test     = "ArnLike"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
      }
    }
  }

  # EKS managed node groups launch encrypted EBS volumes through the Auto Scaling service-linked role.
  dynamic "statement" {
    for_each = each.key == "data" ? [1] : []
    content {
      sid = "AutoScalingEbs"
      actions = [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:DescribeKey",
        "kms:CreateGrant",
      ]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = ["arn:${local.partition}:iam::${local.account_id}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"]
      }
    }
  }
}

resource "aws_kms_key" "this" {
  for_each = local.kms_keys

  description             = "${var.name}: ${each.value}"
  key_usage               = "ENCRYPT_DECRYPT"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.kms_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.kms[each.key].json

  tags = merge(local.tags, { Name = "${var.name}-${each.key}", purpose = each.key })
}

resource "aws_kms_alias" "this" {
  for_each = local.kms_keys

  name          = "alias/${var.name}-${each.key}"
  target_key_id = aws_kms_key.this[each.key].key_id
}

################################################################################
# IRSA roles: External Secrets, Velero, Vault/OpenBao, as the environment asks
################################################################################

# One role per entry of irsa_service_accounts, trusted by that service account only. The keys
# name the workload and pick its policy below; the GitOps side must render each service account
# with the role's ARN (scripts/validate checks it, check terraform-alignment).
locals {
  irsa = var.irsa_service_accounts
}

data "aws_iam_policy_document" "irsa_assume" {
  for_each = local.irsa

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${each.value.namespace}:${each.value.name}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "irsa" {
  for_each = local.irsa

  name                 = "${var.name}-${each.key}"
  description          = "IRSA role for ${each.value.namespace}/${each.value.name}"
  assume_role_policy   = data.aws_iam_policy_document.irsa_assume[each.key].json
  max_session_duration = 3600

  tags = merge(local.tags, { Name = "${var.name}-${each.key}" })
}

data "aws_iam_policy_document" "external_secrets" {
  statement {
    sid = "SecretsManagerRead"
    actions = [
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetResourcePolicy",
      "secretsmanager:GetSecretValue",
      "secretsmanager:ListSecretVersionIds",
    ]
    resources = ["arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:${var.external_secrets_prefix}*"]
  }

  statement {
    sid = "ParameterStoreRead"
    actions = [
      "ssm:GetParameter",
      "ssm:GetParameters",
      "ssm:GetParametersByPath",
    ]
    resources = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${var.external_secrets_prefix}*"]
  }

  statement {
    sid       = "DecryptSecrets"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [aws_kms_key.this["data"].arn]
  }
}

data "aws_iam_policy_document" "velero" {
  statement {
    sid = "EbsSnapshots"
    actions = [
      "ec2:CreateSnapshot",
      "ec2:CreateTags",
      "ec2:CreateVolume",
      "ec2:DeleteSnapshot",
      "ec2:DescribeSnapshots",
      "ec2:DescribeVolumeAttribute",
      "ec2:DescribeVolumes",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "BucketList"
    actions   = ["s3:ListBucket"]
    resources = [var.velero_bucket_arn]
  }

  statement {
    sid = "BucketObjects"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:DeleteObject",
      "s3:GetObject",
      "s3:ListMultipartUploadParts",
      "s3:PutObject",
    ]
    resources = ["${var.velero_bucket_arn}/velero/*"]
  }

  statement {
    sid = "BackupKeys"
    actions = [
      "kms:CreateGrant",
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey*",
      "kms:ReEncrypt*",
    ]
    resources = [aws_kms_key.this["backups"].arn, aws_kms_key.this["data"].arn]
  }
}

data "aws_iam_policy_document" "openbao" {
  statement {
    sid       = "AutoUnseal"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"]
    resources = [aws_kms_key.this["vault-unseal"].arn]
  }
}

locals {
  irsa_policies = {
    external-secrets = data.aws_iam_policy_document.external_secrets.json
    velero           = data.aws_iam_policy_document.velero.json
    openbao          = data.aws_iam_policy_document.openbao.json
  }
}

resource "aws_iam_role_policy" "irsa" {
  for_each = local.irsa

  name   = each.key
  role   = aws_iam_role.irsa[each.key].id
  policy = local.irsa_policies[each.key]
}
