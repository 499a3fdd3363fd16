# Inputs passed through unchanged (AZs, VPC CIDR, Kubernetes version, node groups, IRSA service
# accounts) are validated by the network, cluster and security modules that consume them, so each rule lives once. The inputs validated here are the ones this module
# interprets itself: the name (it also builds the bucket name), the tags, the operator CIDRs
# (required and never open here) and the admin role names.

variable "name" {
  description = "Name of the environment's platform, e.g. `marty-prod`: the EKS cluster name and the prefix of every resource (the bucket is `<name>-backups-<account id>`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter (so that every resource name derived from it stays within AWS limits)."
  }
}

variable "azs" {
  description = "Exactly three availability zones of the provider's region, e.g. [\"eu-west-1a\", \"eu-west-1b\", \"eu-west-1c\"]."
  type        = list(string)
}

################################################################################
# Network
################################################################################

variable "vpc_cidr" {
  description = "IPv4 CIDR of the environment's VPC (a /16 or larger); must not overlap another environment's."
  type        = string
}

variable "single_nat_gateway" {
  description = "One shared NAT gateway instead of one per availability zone (cheaper, not zone-redundant; dev only)."
  type        = bool
  default     = false
}

################################################################################
# Cluster
################################################################################

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and node groups, e.g. `1.33`. Upgrade one environment at a time."
  type        = string
}

variable "api_access_cidr_blocks" {
  description = "Private CIDRs (corporate VPN, bastion, CI runners) allowed to reach the private Kubernetes API endpoint on 443. Never 0.0.0.0/0."
  type        = list(string)

  validation {
    condition = length(var.api_access_cidr_blocks) > 0 && alltrue([
      for c in var.api_access_cidr_blocks : can(cidrhost(c, 0)) && !contains(["0.0.0.0/0", "::/0"], c)
    ])
    error_message = "api_access_cidr_blocks must list at least one valid CIDR and must not contain 0.0.0.0/0 or ::/0."
  }
}

variable "admin_role_names" {
  description = "Names of the IAM roles in the deploying account granted cluster-admin through EKS access entries."
  type        = list(string)
  default     = ["marty-platform-admin"]

  validation {
    condition     = length(var.admin_role_names) > 0 && alltrue([for r in var.admin_role_names : can(regex("^[A-Za-z0-9+=,.@_/-]{1,64}$", r))])
    error_message = "admin_role_names must list at least one IAM role name (path allowed, no ARN)."
  }
}

variable "node_groups" {
  description = "Managed node groups by name, passed to the cluster module (see its README for the attributes and their defaults)."
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
}

################################################################################
# Identities
################################################################################

variable "irsa_service_accounts" {
  description = "IRSA roles to create, by workload (`external-secrets`, `velero`, `openbao`), each trusted by one service account (`namespace`, `name`); see the security module. No default: every environment lists the service accounts its rendered manifests annotate with a role, and only those."
  type = map(object({
    namespace = string
    name      = string
  }))
}

variable "tags" {
  description = "Tags added to every resource. Must include `team` and `environment`; `environment` also names the External Secrets prefix `marty/<environment>/`. `managed-by` defaults to `terraform`."
  type        = map(string)

  validation {
    condition     = alltrue([for k in ["team", "environment"] : contains(keys(var.tags), k)])
    error_message = "tags must include the required keys team and environment."
  }

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.tags["environment"]))
    error_message = "tags.environment must be lowercase letters, digits and hyphens (it names the marty/<environment>/ secrets prefix)."
  }
}
