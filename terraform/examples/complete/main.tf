# A complete Marty platform from one call of modules/platform (network, KMS keys and IRSA roles,
# EKS, the backups bucket), with the smallest sizes and local state. The
# per-environment roots with an S3 backend are in terraform/envs/.

module "platform" {
  source = "../../modules/platform"

  name               = "marty-example"
  azs                = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  kubernetes_version = "1.34"

  vpc_cidr           = "10.99.0.0/16"
  single_nat_gateway = true

  # Private address space reached over the corporate VPN; never 0.0.0.0/0.
  api_access_cidr_blocks = ["10.0.0.0/16"]
  admin_role_names       = ["marty-platform-admin"]

  node_groups = {
    system = {
      instance_types = ["m6i.large"]
      min_size       = 2
      max_size       = 4
      desired_size   = 2
    }
  }

  # IRSA roles, by workload: only for service accounts the env's rendered manifests contain
  # with the role's ARN (checked by scripts/validate, terraform-alignment/irsa-*). The
  # operators that would use them (External Secrets, Velero, OpenBao) are installed outside
  # this repository today; docs/adr/0008-in-cluster-data-tier.md.
  irsa_service_accounts = {}

  tags = {
    team        = "platform"
    environment = "example"
  }
}
