package k8s.images_test

import data.k8s.images
import rego.v1

env(name) := {
	"env": {"name": name, "kubernetesVersion": "1.33", "images": {"requireDigest": name in {"staging", "prod"}}},
	"namespaces": {},
	"allowed_registries": ["ghcr.io/marty-dev/", "docker.io/library/"],
}

pod(image) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "app"}, "spec": {"containers": [{"name": "c", "image": image}]}}

rules(obj, e) := {r.rule | some r in images.deny with input as obj with data.marty as e}

digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

test_latest_denied if "images.no-latest" in rules(pod("ghcr.io/marty-dev/app:latest"), env("dev"))

test_untagged_denied if "images.no-latest" in rules(pod("ghcr.io/marty-dev/app"), env("dev"))

test_registry_port_is_not_a_tag if "images.no-latest" in rules(pod("registry.local:5000/app"), env("dev"))

test_tagged_allowed if not "images.no-latest" in rules(pod("ghcr.io/marty-dev/app:1.2.3"), env("dev"))

test_digest_only_allowed if not "images.no-latest" in rules(pod(sprintf("ghcr.io/marty-dev/app@%s", [digest])), env("dev"))

test_registry_denied if "images.allowed-registry" in rules(pod("quay.io/evil/app:1.0"), env("dev"))

test_registry_docker_hub_user_denied if "images.allowed-registry" in rules(pod("someone/app:1.0"), env("dev"))

test_registry_allowed if {
	not "images.allowed-registry" in rules(pod("ghcr.io/marty-dev/app:1.0"), env("dev"))
	not "images.allowed-registry" in rules(pod("nginx:1.27"), env("dev"))
}

test_init_containers_checked if {
	d := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "app"}, "spec": {"template": {"spec": {"initContainers": [{"name": "i", "image": "busybox"}], "containers": [{"name": "c", "image": "ghcr.io/marty-dev/app:1.0"}]}}}}
	"images.no-latest" in rules(d, env("dev"))
}

test_prod_digest_denied if "images.digest-pinned" in rules(pod("ghcr.io/marty-dev/app:1.0"), env("prod"))

test_prod_digest_allowed if not "images.digest-pinned" in rules(pod(sprintf("ghcr.io/marty-dev/app:1.0@%s", [digest])), env("prod"))

test_staging_digest_denied if "images.digest-pinned" in rules(pod("ghcr.io/marty-dev/app:1.0"), env("staging"))

test_digest_not_required_in_dev if not "images.digest-pinned" in rules(pod("ghcr.io/marty-dev/app:1.0"), env("dev"))

# The env config decides, not the env's name.
test_digest_required_by_config_only if {
	floating := object.union(env("prod"), {"env": {"name": "prod", "images": {"requireDigest": false}}})
	not "images.digest-pinned" in rules(pod("ghcr.io/marty-dev/app:1.0"), floating)
	pinned := object.union(env("dev"), {"env": {"name": "dev", "images": {"requireDigest": true}}})
	"images.digest-pinned" in rules(pod("ghcr.io/marty-dev/app:1.0"), pinned)
}

test_digest_message_names_the_release_step if {
	some r in images.deny with input as pod("ghcr.io/marty-dev/app:1.0") with data.marty as env("prod")
	r.rule == "images.digest-pinned"
	contains(r.msg, "pin a digest with `scripts/release app 1.0 --digest sha256:<digest>`")
}

test_untagged_image_still_needs_a_digest if "images.digest-pinned" in rules(pod("ghcr.io/marty-dev/app"), env("prod"))
