variable "name" {
  description = "Name prefix for keys, roles and security groups, e.g. `marty-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "kms_deletion_window_in_days" {
  description = "Waiting period before a scheduled KMS key deletion takes effect."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_in_days >= 7 && var.kms_deletion_window_in_days <= 30
    error_message = "kms_deletion_window_in_days must be between 7 and 30."
  }
}

variable "kms_key_administrators" {
  description = "IAM principal ARNs allowed to administer (not use) the KMS keys. The account root always keeps access."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.kms_key_administrators : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:", a))])
    error_message = "kms_key_administrators must be IAM ARNs (arn:aws:iam::<account>:...)."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider (IRSA), from the cluster module."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/.+$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be an IAM OIDC provider ARN."
  }
}

variable "oidc_issuer_url" {
  description = "Issuer URL of the EKS cluster's OIDC provider, with or without the https:// scheme."
  type        = string
}

variable "irsa_service_accounts" {
  description = "IRSA roles to create, by workload (`external-secrets`, `velero`, `openbao`: the key picks the role's policy), each trusted only by the service account given (`namespace`, `name`). The role is named `<name>-<key>`. List only service accounts the environment's rendered manifests contain, annotated with the role's ARN."
  type = map(object({
    namespace = string
    name      = string
  }))

  validation {
    condition     = alltrue([for k in keys(var.irsa_service_accounts) : contains(["external-secrets", "velero", "openbao"], k)])
    error_message = "irsa_service_accounts keys must be external-secrets, velero or openbao (the workloads this module has a policy for)."
  }
}

variable "external_secrets_prefix" {
  description = "Secrets Manager / SSM Parameter Store name prefix External Secrets may read, e.g. `marty/prod/`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]+/$", var.external_secrets_prefix))
    error_message = "external_secrets_prefix must be a path prefix ending in a slash, e.g. marty/prod/."
  }
}

variable "velero_bucket_arn" {
  description = "ARN of the S3 bucket Velero writes backups to (from the storage module)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$", var.velero_bucket_arn))
    error_message = "velero_bucket_arn must be an S3 bucket ARN (arn:aws:s3:::<bucket>)."
  }
}

variable "tags" {
  description = "Tags added to every resource. Must include `team` and `environment`; `managed-by` defaults to `terraform`."
  type        = map(string)

  validation {
    condition     = alltrue([for k in ["team", "environment"] : contains(keys(var.tags), k)])
    error_message = "tags must include the required keys team and environment."
  }
}
