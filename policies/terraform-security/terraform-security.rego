# Terraform (HCL2 as parsed by conftest): encryption at rest, no public buckets, no admin
# ports open to the internet. input.resource.<type>.<name> is a list of blocks.
package terraform.terraform_security

import rego.v1

resources contains {"type": t, "name": n, "body": b} if {
	some t, by_name in input.resource
	some n, blocks in by_name
	some b in blocks
}

addr(r) := sprintf("%s.%s", [r.type, r.name])

# --- encryption -------------------------------------------------------------------------
encryption_flag := {
	"aws_db_instance": "storage_encrypted",
	"aws_rds_cluster": "storage_encrypted",
	"aws_ebs_volume": "encrypted",
	"aws_efs_file_system": "encrypted",
	"aws_redshift_cluster": "encrypted",
	"aws_elasticache_replication_group": "at_rest_encryption_enabled",
}

deny contains {"rule": "terraform.encryption-required", "msg": msg} if {
	some r in resources
	flag := encryption_flag[r.type]
	object.get(r.body, flag, false) != true
	msg := sprintf("%s: storage is not encrypted at rest; set %s = true (and kms_key_id for a customer-managed key)", [addr(r), flag])
}

# S3: an inline server_side_encryption_configuration block or a separate
# aws_s3_bucket_server_side_encryption_configuration referencing the bucket.
s3_sse_targets contains b if {
	some r in resources
	r.type == "aws_s3_bucket_server_side_encryption_configuration"
	b := r.body.bucket
}

bucket_encrypted(r) if count(object.get(r.body, "server_side_encryption_configuration", [])) > 0

bucket_encrypted(r) if {
	some target in s3_sse_targets
	contains(target, sprintf("aws_s3_bucket.%s.", [r.name]))
}

deny contains {"rule": "terraform.encryption-required", "msg": msg} if {
	some r in resources
	r.type == "aws_s3_bucket"
	not bucket_encrypted(r)
	msg := sprintf("%s: no server-side encryption configuration; add an aws_s3_bucket_server_side_encryption_configuration with bucket = aws_s3_bucket.%s.id (sse_algorithm aws:kms)", [addr(r), r.name])
}

# --- public buckets -----------------------------------------------------------------------
public_acls := {"public-read", "public-read-write", "authenticated-read"}

deny contains {"rule": "terraform.no-public-bucket", "msg": msg} if {
	some r in resources
	r.type in {"aws_s3_bucket", "aws_s3_bucket_acl"}
	r.body.acl in public_acls
	msg := sprintf("%s: acl %q makes the bucket public; use acl = \"private\" and grant access through IAM or CloudFront", [addr(r), r.body.acl])
}

public_access_flags := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

deny contains {"rule": "terraform.no-public-bucket", "msg": msg} if {
	some r in resources
	r.type in {"aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"}
	off := [f | some f in public_access_flags; object.get(r.body, f, false) != true]
	count(off) > 0
	msg := sprintf("%s: %s not enabled; set all of %s = true", [addr(r), concat(", ", off), concat(", ", public_access_flags)])
}

deny contains {"rule": "terraform.no-public-bucket", "msg": msg} if {
	some r in resources
	r.type in {"google_storage_bucket_iam_member", "google_storage_bucket_iam_binding"}
	members := array.concat([object.get(r.body, "member", "")], object.get(r.body, "members", []))
	some m in members
	m in {"allUsers", "allAuthenticatedUsers"}
	msg := sprintf("%s: grants %s access to the bucket; grant specific principals instead", [addr(r), m])
}

# --- admin ports open to the world ------------------------------------------------------------
admin_ports := p if {
	p := data.marty.terraform.admin_ports
} else := [22, 3389, 5432, 6379, 6443]

open_cidrs := {"0.0.0.0/0", "::/0"}

# [description, from, to, protocol, cidrs]
ingress_rules contains [addr(r), object.get(i, "from_port", 0), object.get(i, "to_port", 65535), object.get(i, "protocol", "tcp"), array.concat(object.get(i, "cidr_blocks", []), object.get(i, "ipv6_cidr_blocks", []))] if {
	some r in resources
	r.type == "aws_security_group"
	some i in object.get(r.body, "ingress", [])
}

ingress_rules contains [addr(r), object.get(r.body, "from_port", 0), object.get(r.body, "to_port", 65535), object.get(r.body, "protocol", "tcp"), array.concat(object.get(r.body, "cidr_blocks", []), object.get(r.body, "ipv6_cidr_blocks", []))] if {
	some r in resources
	r.type == "aws_security_group_rule"
	r.body.type == "ingress"
}

ingress_rules contains [addr(r), object.get(r.body, "from_port", 0), object.get(r.body, "to_port", 65535), object.get(r.body, "ip_protocol", "tcp"), [c | some k in ["cidr_ipv4", "cidr_ipv6"]; c := r.body[k]]] if {
	some r in resources
	r.type == "aws_vpc_security_group_ingress_rule"
}

port_exposed(from, to, protocol, port) if {
	sprintf("%v", [protocol]) in {"-1", "all"}
	port == port
}

port_exposed(from, to, protocol, port) if {
	not sprintf("%v", [protocol]) in {"-1", "all"}
	to_number(from) <= port
	port <= to_number(to)
}

deny contains {"rule": "terraform.no-open-admin-port", "msg": msg} if {
	some [where, from, to, protocol, cidrs] in ingress_rules
	some cidr in cidrs
	cidr in open_cidrs
	exposed := [p | some p in admin_ports; port_exposed(from, to, protocol, p)]
	count(exposed) > 0
	msg := sprintf("%s: allows %s to admin port(s) %v; restrict the source to a VPN/bastion CIDR or use SSM/private endpoints", [where, cidr, exposed])
}

deny contains {"rule": "terraform.no-open-admin-port", "msg": msg} if {
	some r in resources
	r.type == "google_compute_firewall"
	object.get(r.body, "direction", "INGRESS") == "INGRESS"
	some cidr in object.get(r.body, "source_ranges", [])
	cidr in open_cidrs
	some a in object.get(r.body, "allow", [])
	exposed := [p | some p in admin_ports; gcp_allows(a, p)]
	count(exposed) > 0
	msg := sprintf("%s: allows %s to admin port(s) %v; restrict source_ranges to a VPN/bastion CIDR or use IAP", [addr(r), cidr, exposed])
}

gcp_allows(a, _) if {
	a.protocol == "all"
}

gcp_allows(a, port) if {
	a.protocol == "tcp"
	count(object.get(a, "ports", [])) == 0
	port == port
}

gcp_allows(a, port) if {
	a.protocol == "tcp"
	some spec in a.ports
	range := split(sprintf("%v", [spec]), "-")
	to_number(range[0]) <= port
	port <= to_number(range[count(range) - 1])
}
