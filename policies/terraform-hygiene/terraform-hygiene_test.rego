package terraform.terraform_hygiene_test

import data.terraform.terraform_hygiene
import rego.v1

marty := {"terraform": {"required_tags": ["team", "environment"], "taggable_types": ["aws_s3_bucket"]}}

rules(tf) := {r.rule | some r in terraform_hygiene.deny with input as tf with data.marty as marty}

bucket(tags) := {"resource": {"aws_s3_bucket": {"b": [{"bucket": "x", "tags": tags}]}}}

providers(version) := {"terraform": [{"required_providers": [{"aws": {"source": "hashicorp/aws", "version": version}}]}], "provider": {"aws": [{"region": "eu-west-1"}]}}

test_missing_tags_denied if "terraform.required-tags" in rules(bucket({"team": "a"}))

test_untagged_resource_denied if "terraform.required-tags" in rules({"resource": {"aws_s3_bucket": {"b": [{"bucket": "x"}]}}})

test_tags_present_allowed if not "terraform.required-tags" in rules(bucket({"team": "a", "environment": "prod"}))

test_default_tags_allowed if {
	tf := object.union(bucket({"team": "a"}), {"provider": {"aws": [{"default_tags": [{"tags": {"environment": "prod"}}]}]}})
	not "terraform.required-tags" in rules(tf)
}

test_non_taggable_ignored if not "terraform.required-tags" in rules({"resource": {"aws_iam_policy": {"p": [{}]}}})

test_provider_range_denied if "terraform.provider-version-pinned" in rules(providers("~> 5.0"))

test_provider_missing_version_denied if "terraform.provider-version-pinned" in rules({"terraform": [{"required_providers": [{"aws": {"source": "hashicorp/aws"}}]}]})

test_undeclared_provider_denied if "terraform.provider-version-pinned" in rules({"provider": {"google": [{}]}})

test_provider_exact_allowed if {
	not "terraform.provider-version-pinned" in rules(providers("5.80.0"))
	not "terraform.provider-version-pinned" in rules(providers("= 5.80.0"))
}

test_module_unpinned_denied if "terraform.module-version-pinned" in rules({"module": {"vpc": [{"source": "terraform-aws-modules/vpc/aws", "version": ">= 5.0"}]}})

test_module_git_without_ref_denied if "terraform.module-version-pinned" in rules({"module": {"x": [{"source": "git::https://github.com/org/mod.git"}]}})

test_module_pinned_allowed if {
	not "terraform.module-version-pinned" in rules({"module": {"vpc": [{"source": "terraform-aws-modules/vpc/aws", "version": "5.8.1"}]}})
	not "terraform.module-version-pinned" in rules({"module": {"x": [{"source": "git::https://github.com/org/mod.git?ref=v1.2.0"}]}})
	not "terraform.module-version-pinned" in rules({"module": {"l": [{"source": "./modules/net"}]}})
}
