variable "name" {
  description = "Name of the EKS cluster, e.g. `marty-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and node groups, e.g. `1.33`."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version such as 1.33."
  }
}

variable "vpc_id" {
  description = "ID of the VPC the cluster runs in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Private subnet IDs (one per AZ) for the control plane ENIs and the node groups."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must list at least two subnets in different AZs (EKS requirement)."
  }
}

variable "endpoint_public_access" {
  description = "Expose the Kubernetes API publicly as well as privately. Off by default: reach the API over VPN/bastion."
  type        = bool
  default     = false
}

variable "endpoint_public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint when `endpoint_public_access` is true. Never 0.0.0.0/0."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for c in var.endpoint_public_access_cidrs : can(cidrhost(c, 0)) && !contains(["0.0.0.0/0", "::/0"], c)
    ])
    error_message = "endpoint_public_access_cidrs must be valid CIDRs and must not contain 0.0.0.0/0 or ::/0."
  }
}

variable "api_access_cidr_blocks" {
  description = "Private CIDRs (VPN, bastion, CI runners) allowed to reach the private API endpoint on 443."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for c in var.api_access_cidr_blocks : can(cidrhost(c, 0)) && !contains(["0.0.0.0/0", "::/0"], c)
    ])
    error_message = "api_access_cidr_blocks must be valid CIDRs and must not contain 0.0.0.0/0 or ::/0."
  }
}

variable "secrets_kms_key_arn" {
  description = "ARN of the KMS key used for envelope encryption of Kubernetes secrets."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.secrets_kms_key_arn))
    error_message = "secrets_kms_key_arn must be a KMS key ARN."
  }
}

variable "ebs_kms_key_arn" {
  description = "ARN of the KMS key encrypting the node root volumes."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.ebs_kms_key_arn))
    error_message = "ebs_kms_key_arn must be a KMS key ARN."
  }
}

variable "logs_kms_key_arn" {
  description = "ARN of the KMS key encrypting the control plane log group (its policy must allow CloudWatch Logs)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.logs_kms_key_arn))
    error_message = "logs_kms_key_arn must be a KMS key ARN."
  }
}

variable "control_plane_log_types" {
  description = "Control plane log types shipped to CloudWatch Logs."
  type        = list(string)
  default     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  validation {
    condition     = length(var.control_plane_log_types) > 0 && alltrue([for t in var.control_plane_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = "control_plane_log_types must be a non-empty subset of api, audit, authenticator, controllerManager, scheduler."
  }
}

variable "control_plane_log_retention_days" {
  description = "Retention of the control plane log group, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.control_plane_log_retention_days)
    error_message = "control_plane_log_retention_days must be a retention period CloudWatch Logs supports."
  }
}

variable "admin_role_arns" {
  description = "IAM role ARNs granted cluster-admin through EKS access entries (platform engineers, CI). The cluster creator gets no implicit access."
  type        = list(string)

  validation {
    condition     = length(var.admin_role_arns) > 0 && alltrue([for a in var.admin_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", a))])
    error_message = "admin_role_arns must list at least one IAM role ARN."
  }
}

variable "cluster_addons" {
  description = "EKS managed add-ons by name, with an optional pinned version (null: the default version for the cluster's Kubernetes version)."
  type = map(object({
    version = optional(string)
  }))
  default = {
    coredns    = {}
    kube-proxy = {}
    vpc-cni    = {}
  }
}

variable "node_groups" {
  description = "Managed node groups by name. Every group runs in `subnet_ids` with encrypted gp3 root volumes and IMDSv2 only."
  type = map(object({
    instance_types = list(string)
    capacity_type  = optional(string, "ON_DEMAND")
    ami_type       = optional(string, "AL2023_x86_64_STANDARD")
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size_gb   = optional(number, 50)
    labels         = optional(map(string), {})
    taints = optional(list(object({
      key    = string
      value  = optional(string)
      effect = string
    })), [])
  }))

  validation {
    condition     = length(var.node_groups) > 0
    error_message = "node_groups must define at least one node group."
  }

  validation {
    condition = alltrue([
      for g in values(var.node_groups) : g.min_size <= g.desired_size && g.desired_size <= g.max_size && g.max_size >= 1
    ])
    error_message = "Every node group needs min_size <= desired_size <= max_size and max_size >= 1."
  }

  validation {
    condition     = alltrue([for g in values(var.node_groups) : contains(["ON_DEMAND", "SPOT"], g.capacity_type)])
    error_message = "capacity_type must be ON_DEMAND or SPOT."
  }

  validation {
    condition = alltrue(flatten([
      for g in values(var.node_groups) : [for t in g.taints : contains(["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"], t.effect)]
    ]))
    error_message = "Taint effects must be NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE."
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
