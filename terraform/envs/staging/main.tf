# The staging environment of the Marty platform. The composition (network, KMS keys and IRSA
# roles, EKS, PostgreSQL, Redis, Kafka, S3) is modules/platform; this file holds staging's sizes
# only. Backend and provider: versions.tf.

module "platform" {
  source = "../../modules/platform"

  name               = "marty-staging"
  azs                = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  kubernetes_version = "1.34"

  vpc_cidr           = "10.20.0.0/16"
  single_nat_gateway = false

  # Private address space reached over the corporate VPN; never 0.0.0.0/0.
  api_access_cidr_blocks = ["10.0.0.0/16"]

  # Add-ons on a tainted system pool, applications on the workloads pool.
  node_groups = {
    system = {
      instance_types = ["m6i.large"]
      min_size       = 2
      max_size       = 4
      desired_size   = 2
      labels         = { "marty.io/pool" = "system" }
      taints         = [{ key = "CriticalAddonsOnly", value = "true", effect = "NO_SCHEDULE" }]
    }
    workloads = {
      instance_types = ["m6i.xlarge"]
      min_size       = 2
      max_size       = 6
      desired_size   = 3
      labels         = { "marty.io/pool" = "workloads" }
    }
  }

  # IRSA roles, by workload: only for service accounts the env's rendered manifests contain
  # with the role's ARN (checked by scripts/validate, terraform-alignment/irsa-*). The
  # operators that would use them (External Secrets, Velero, OpenBao) are installed outside
  # this repository today; docs/adr/0008-in-cluster-data-tier.md.
  irsa_service_accounts = {}

  tags = {
    team        = "platform"
    environment = "staging"
  }
}
