package terraform.terraform_security_test

import data.terraform.terraform_security
import rego.v1

marty := {"terraform": {"admin_ports": [22, 3389, 5432, 6379, 6443]}}

rules(tf) := {r.rule | some r in terraform_security.deny with input as tf with data.marty as marty}

res(t, n, body) := {"resource": {t: {n: [body]}}}

test_unencrypted_rds_denied if "terraform.encryption-required" in rules(res("aws_db_instance", "db", {"engine": "postgres"}))

test_encrypted_rds_allowed if not "terraform.encryption-required" in rules(res("aws_db_instance", "db", {"storage_encrypted": true}))

test_unencrypted_bucket_denied if "terraform.encryption-required" in rules(res("aws_s3_bucket", "b", {"bucket": "x"}))

test_bucket_with_sse_resource_allowed if {
	tf := {"resource": {
		"aws_s3_bucket": {"b": [{"bucket": "x"}]},
		"aws_s3_bucket_server_side_encryption_configuration": {"b": [{"bucket": "${aws_s3_bucket.b.id}", "rule": [{}]}]},
	}}
	not "terraform.encryption-required" in rules(tf)
}

test_public_acl_denied if "terraform.no-public-bucket" in rules(res("aws_s3_bucket_acl", "a", {"acl": "public-read"}))

test_public_access_block_incomplete_denied if "terraform.no-public-bucket" in rules(res("aws_s3_bucket_public_access_block", "p", {"block_public_acls": true}))

test_gcs_all_users_denied if "terraform.no-public-bucket" in rules(res("google_storage_bucket_iam_member", "m", {"member": "allUsers", "role": "roles/storage.objectViewer"}))

test_private_bucket_allowed if {
	tf := res("aws_s3_bucket_public_access_block", "p", {"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true})
	not "terraform.no-public-bucket" in rules(tf)
	not "terraform.no-public-bucket" in rules(res("aws_s3_bucket_acl", "a", {"acl": "private"}))
}

test_ssh_open_denied if "terraform.no-open-admin-port" in rules(res("aws_security_group", "sg", {"ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}))

test_all_traffic_rule_denied if "terraform.no-open-admin-port" in rules(res("aws_security_group_rule", "r", {"type": "ingress", "from_port": 0, "to_port": 0, "protocol": "-1", "ipv6_cidr_blocks": ["::/0"]}))

test_vpc_ingress_rule_range_denied if "terraform.no-open-admin-port" in rules(res("aws_vpc_security_group_ingress_rule", "r", {"from_port": 5000, "to_port": 7000, "ip_protocol": "tcp", "cidr_ipv4": "0.0.0.0/0"}))

test_gcp_firewall_denied if "terraform.no-open-admin-port" in rules(res("google_compute_firewall", "f", {"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": ["22"]}]}))

test_https_open_allowed if not "terraform.no-open-admin-port" in rules(res("aws_security_group", "sg", {"ingress": [{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}))

test_ssh_from_vpn_allowed if not "terraform.no-open-admin-port" in rules(res("aws_security_group", "sg", {"ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["10.8.0.0/16"]}]}))
