# Terraform hygiene: required tags, pinned provider and module versions.
package terraform.terraform_hygiene

import rego.v1

required_tags := t if {
	t := data.marty.terraform.required_tags
} else := ["team", "environment"]

taggable := t if {
	t := data.marty.terraform.taggable_types
} else := []

default_tags contains k if {
	some p in input.provider.aws
	some dt in object.get(p, "default_tags", [])
	some k, _ in object.get(dt, "tags", {})
}

deny contains {"rule": "terraform.required-tags", "msg": msg} if {
	some t, by_name in input.resource
	t in taggable
	some n, blocks in by_name
	some b in blocks
	tags := object.get(b, "tags", {})
	is_object(tags)
	missing := [k | some k in required_tags; not tags[k]; not k in default_tags]
	count(missing) > 0
	msg := sprintf("%s.%s: missing required tag(s) %s; add them to tags or to the aws provider's default_tags", [t, n, concat(", ", missing)])
}

# An exact version: "1.2.3", "= 1.2.3" or "v1.2.3".
exact_version(v) if regex.match(`^\s*=?\s*v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?\s*$`, v)

required_providers[name] := spec if {
	some tb in input.terraform
	some rp in object.get(tb, "required_providers", [])
	some name, spec in rp
}

provider_version(spec) := spec if is_string(spec)

provider_version(spec) := object.get(spec, "version", "") if is_object(spec)

deny contains {"rule": "terraform.provider-version-pinned", "msg": msg} if {
	some name, spec in required_providers
	v := provider_version(spec)
	not exact_version(v)
	msg := sprintf("provider %q: version constraint %q is not an exact version; pin it in required_providers (e.g. version = \"5.80.0\") and commit .terraform.lock.hcl", [name, v])
}

deny contains {"rule": "terraform.provider-version-pinned", "msg": msg} if {
	some name, _ in input.provider
	not required_providers[name]
	msg := sprintf("provider %q is configured but not declared in terraform.required_providers; declare its source and an exact version", [name])
}

local_source(s) if startswith(s, "./")

local_source(s) if startswith(s, "../")

git_source(s) if startswith(s, "git::")

git_source(s) if startswith(s, "github.com/")

git_source(s) if contains(s, ".git")

deny contains {"rule": "terraform.module-version-pinned", "msg": msg} if {
	some name, blocks in input.module
	some m in blocks
	s := object.get(m, "source", "")
	not local_source(s)
	not git_source(s)
	not exact_version(object.get(m, "version", ""))
	msg := sprintf("module %q: registry source %q needs an exact version; set version = \"x.y.z\"", [name, s])
}

deny contains {"rule": "terraform.module-version-pinned", "msg": msg} if {
	some name, blocks in input.module
	some m in blocks
	s := object.get(m, "source", "")
	git_source(s)
	not regex.match(`[?&]ref=[^&]+`, s)
	msg := sprintf("module %q: git source %q has no ?ref=; pin it to a tag or commit SHA", [name, s])
}
