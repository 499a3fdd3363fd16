# Image references: no floating tags, allowed registries only, digests where the env requires them.
package k8s.images

import data.lib.k8s
import rego.v1

rid := k8s.id(input)

images contains {"where": sprintf("%s[%d] %q", [x.field, x.index, x.name]), "image": x.c.image} if {
	some x in k8s.containers(k8s.pod_spec(input))
	is_string(x.c.image)
}

has_digest(image) if contains(image, "@")

# The tag is what follows ":" in the last path segment (a ":" in the first segment may be a
# registry port).
tag(image) := t if {
	ref := split(image, "@")[0]
	parts := split(ref, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	t := split(last, ":")[1]
}

# docker.io defaults: "nginx" -> docker.io/library/nginx, "bitnami/x" -> docker.io/bitnami/x
normalized(image) := n if {
	parts := split(image, "/")
	count(parts) == 1
	n := concat("/", ["docker.io/library", image])
} else := n if {
	first := split(image, "/")[0]
	not contains(first, ".")
	not contains(first, ":")
	first != "localhost"
	n := concat("/", ["docker.io", image])
} else := image

allowed_registries := r if {
	r := data.marty.allowed_registries
} else := []

registry_allowed(image) if {
	some prefix in allowed_registries
	startswith(normalized(image), prefix)
}

deny contains {"rule": "images.no-latest", "msg": msg} if {
	some i in images
	not has_digest(i.image)
	not tag(i.image)
	msg := sprintf("%s: %s image %q has no tag; pin an explicit version tag (or a digest)", [rid, i.where, i.image])
}

deny contains {"rule": "images.no-latest", "msg": msg} if {
	some i in images
	not has_digest(i.image)
	tag(i.image) == "latest"
	msg := sprintf("%s: %s image %q uses the floating :latest tag; pin an explicit version tag (or a digest)", [rid, i.where, i.image])
}

deny contains {"rule": "images.allowed-registry", "msg": msg} if {
	some i in images
	not registry_allowed(i.image)
	msg := sprintf("%s: %s image %q is not from an allowed registry; mirror it to one of %s (policies/data: marty.allowed_registries)", [rid, i.where, i.image, concat(", ", allowed_registries)])
}

# The env config (overlays/<env>/env.yaml, images.requireDigest) says which envs run images by
# digest; scripts/promote reads the same setting.
digest_required if data.marty.env.images.requireDigest == true

deny contains {"rule": "images.digest-pinned", "msg": msg} if {
	digest_required
	some i in images
	not contains(i.image, "@sha256:")
	msg := sprintf("%s: %s image %q is not pinned by digest, which %s requires (images.requireDigest); pin a digest with `scripts/release %s %s --digest sha256:<digest>` and promote it (an image no overlay releases: <image>:<tag>@sha256:<digest>)", [rid, i.where, i.image, k8s.env_name, repository_name(i.image), version_of(i.image)])
}

version_of(image) := t if {
	t := tag(image)
} else := "VERSION"

# "ghcr.io/marty-platform/trust-anchor:1.4.2" -> "trust-anchor": the app a release names.
repository_name(image) := n if {
	parts := split(split(image, "@")[0], "/")
	n := split(parts[count(parts) - 1], ":")[0]
}
