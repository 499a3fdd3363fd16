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
    data         = "PostgreSQL, Redis, Kafka, node EBS volumes and database credentials"
    backups      = "S3 bucket for Velero backups, database dumps and object storage"
    logs         = "CloudWatch Logs: VPC flow logs, EKS control plane and broker logs"
    vault-unseal = "Vault/OpenBao auto-unseal"
  }

  oidc_issuer = trimprefix(var.oidc_issuer_url, "https://")

  # Ports clients use on each data store: PostgreSQL, Redis (TLS), Kafka (SASL/IAM over TLS).
  data_store_ports = {
    postgres = [5432]
    redis    = [6379]
    kafka    = [9098]
  }

  client_rules = merge(
    {
      for r in flatten([
        for store, ports in local.data_store_ports : [
          for port in ports : [
            for i, sg in var.client_security_group_ids : { key = "${store}-${port}-sg${i}", store = store, port = port, sg = sg, cidr = null }
          ]
        ]
      ]) : r.key => r
    },
    {
      for r in flatten([
        for store, ports in local.data_store_ports : [
          for port in ports : [
            for i, cidr in var.client_cidr_blocks : { key = "${store}-${port}-cidr${i}", store = store, port = port, sg = null, cidr = cidr }
          ]
        ]
      ]) : r.key => r
    },
  )
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
# IRSA roles: External Secrets, Velero, Vault/OpenBao
################################################################################

locals {
  irsa = {
    external-secrets = var.external_secrets_service_account
    velero           = var.velero_service_account
    openbao          = var.openbao_service_account
  }
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

################################################################################
# Security groups of the data stores: reachable only from the given clients
################################################################################

resource "aws_security_group" "data_store" {
  for_each = local.data_store_ports

  name_prefix = "${var.name}-${each.key}-"
  description = "${var.name} ${each.key}: clients inside the VPC only"
  vpc_id      = var.vpc_id

  tags = merge(local.tags, { Name = "${var.name}-${each.key}" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "data_store_clients" {
  for_each = local.client_rules

  security_group_id            = aws_security_group.data_store[each.value.store].id
  description                  = "${each.value.store} clients"
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = each.value.sg
  cidr_ipv4                    = each.value.cidr

  tags = merge(local.tags, { Name = "${var.name}-${each.key}" })
}

# MSK brokers replicate to each other inside their own security group.
resource "aws_vpc_security_group_ingress_rule" "kafka_brokers" {
  security_group_id            = aws_security_group.data_store["kafka"].id
  description                  = "Kafka inter-broker traffic"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.data_store["kafka"].id

  tags = merge(local.tags, { Name = "${var.name}-kafka-brokers" })
}

resource "aws_vpc_security_group_egress_rule" "kafka_brokers" {
  security_group_id            = aws_security_group.data_store["kafka"].id
  description                  = "Kafka inter-broker traffic"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.data_store["kafka"].id

  tags = merge(local.tags, { Name = "${var.name}-kafka-brokers" })
}
