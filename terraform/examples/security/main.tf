# modules/security on its own: the KMS keys and one IRSA role (Velero) for an existing EKS
# cluster, found by name. Local state; modules/platform passes its own cluster's OIDC provider.

data "aws_eks_cluster" "this" {
  name = "marty-example"
}

data "aws_iam_openid_connect_provider" "this" {
  url = data.aws_eks_cluster.this.identity[0].oidc[0].issuer
}

module "security" {
  source = "../../modules/security"

  name              = "marty-example"
  oidc_provider_arn = data.aws_iam_openid_connect_provider.this.arn
  oidc_issuer_url   = data.aws_eks_cluster.this.identity[0].oidc[0].issuer
  irsa_service_accounts = {
    velero = { namespace = "velero", name = "velero" }
  }
  external_secrets_prefix = "marty/example/"
  velero_bucket_arn       = "arn:aws:s3:::marty-example-backups"

  tags = {
    team        = "platform"
    environment = "example"
  }
}
