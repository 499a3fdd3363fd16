variable "bucket_name" {
  description = "Globally unique name of the S3 bucket for backups (Velero, database dumps) and object storage."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.|^xn--|-s3alias$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "bucket_kms_key_arn" {
  description = "ARN of the KMS key for SSE-KMS on the backups/object storage bucket."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.bucket_kms_key_arn))
    error_message = "bucket_kms_key_arn must be a KMS key ARN."
  }
}

variable "bucket_noncurrent_version_expiration_days" {
  description = "Days after which non-current object versions in the bucket expire."
  type        = number
  default     = 90

  validation {
    condition     = var.bucket_noncurrent_version_expiration_days >= 1
    error_message = "bucket_noncurrent_version_expiration_days must be at least 1."
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
