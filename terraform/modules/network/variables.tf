variable "name" {
  description = "Name prefix for every resource of the VPC, e.g. `marty-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC. Public, private and database subnets are carved out of it with cidrsubnet()."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && try(tonumber(split("/", var.vpc_cidr)[1]) <= 16, false)
    error_message = "vpc_cidr must be a valid IPv4 CIDR with a prefix of /16 or larger (e.g. 10.30.0.0/16)."
  }
}

variable "azs" {
  description = "Exactly three availability zones to spread the subnets over, e.g. [\"eu-west-1a\", \"eu-west-1b\", \"eu-west-1c\"]."
  type        = list(string)

  validation {
    condition     = length(var.azs) == 3 && length(distinct(var.azs)) == 3
    error_message = "azs must list exactly three distinct availability zones."
  }
}

variable "single_nat_gateway" {
  description = "Create one shared NAT gateway instead of one per availability zone (cheaper, not zone-redundant; dev only)."
  type        = bool
  default     = false
}

variable "cluster_name" {
  description = "EKS cluster name for the `kubernetes.io/cluster/<name>` subnet tags; null to omit them."
  type        = string
  default     = null
}

variable "flow_log_kms_key_arn" {
  description = "ARN of the KMS key encrypting the VPC flow log group. Its key policy must allow the CloudWatch Logs service principal."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.flow_log_kms_key_arn))
    error_message = "flow_log_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow log group, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a retention period CloudWatch Logs supports (1, 3, 5, 7, 14, 30, ... 365, ... 3653)."
  }
}

variable "flow_log_traffic_type" {
  description = "Traffic captured by the VPC flow log: ACCEPT, REJECT or ALL."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_log_traffic_type)
    error_message = "flow_log_traffic_type must be ACCEPT, REJECT or ALL."
  }
}

variable "public_nacl_denied_ports" {
  description = "Admin ports the public subnets' network ACL denies from the internet (0.0.0.0/0), as defence in depth on top of security groups."
  type        = list(number)
  default     = [22, 3389, 5432, 6379, 6443, 10250]

  validation {
    condition     = alltrue([for p in var.public_nacl_denied_ports : p >= 1 && p <= 65535 && floor(p) == p])
    error_message = "public_nacl_denied_ports must be TCP port numbers between 1 and 65535."
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
