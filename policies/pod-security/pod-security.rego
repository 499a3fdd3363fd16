# Pod Security Standards (Kubernetes v1.37), baseline and restricted profiles.
#
# Mirrors the checks of the Pod Security Admission controller (k8s.io/pod-security-admission,
# policy version v1.37) on every object that carries a pod template. The profile for an
# object's namespace is chosen by `profile` below; restricted implies baseline.
package k8s.pod_security

import data.lib.k8s
import rego.v1

# ---------------------------------------------------------------------------
# Profile selection
# ---------------------------------------------------------------------------

ns := k8s.namespace(input)

# 1. env config: data.marty.env.podSecurity.namespaces[<ns>]
# 2. the rendered Namespace's pod-security.kubernetes.io/enforce label
# 3. data.marty.env.podSecurity.default
# 4. restricted
profile_setting := p if {
	p := data.marty.env.podSecurity.namespaces[ns]
} else := p if {
	p := data.marty.namespaces[ns].labels["pod-security.kubernetes.io/enforce"]
} else := p if {
	p := data.marty.env.podSecurity.default
} else := "restricted"

# "privileged" is not honoured: baseline is the floor for every namespace. Anything that is
# not "baseline"/"privileged" (including typos) is treated as restricted.
profile := "baseline" if {
	profile_setting in {"baseline", "privileged"}
} else := "restricted"

restricted if profile == "restricted"

spec := k8s.pod_spec(input)

template := k8s.pod_template(input)

containers := k8s.containers(spec)

rid := k8s.id(input)

pod_sc := object.get(spec, "securityContext", {})

is_windows if spec.os.name == "windows"

cpath(x) := sprintf("%s[%d] %q", [x.field, x.index, x.name])

csc(x) := object.get(x.c, "securityContext", {})

# ---------------------------------------------------------------------------
# Baseline
# ---------------------------------------------------------------------------

# HostProcess
deny contains {"rule": "pss.baseline.host-process", "msg": msg} if {
	pod_sc.windowsOptions.hostProcess == true
	msg := sprintf("%s: spec.securityContext.windowsOptions.hostProcess is true; remove it or set it to false (Windows HostProcess pods are not allowed)", [rid])
}

deny contains {"rule": "pss.baseline.host-process", "msg": msg, "field": field} if {
	some x in containers
	csc(x).windowsOptions.hostProcess == true
	field := k8s.container_pointer(input, x, "securityContext/windowsOptions/hostProcess")
	msg := sprintf("%s: %s sets securityContext.windowsOptions.hostProcess: true; remove it or set it to false", [rid, cpath(x)])
}

# Host Namespaces
deny contains {"rule": "pss.baseline.host-namespaces", "msg": msg} if {
	some f in ["hostNetwork", "hostPID", "hostIPC"]
	spec[f] == true
	msg := sprintf("%s: spec.%s is true; remove it or set it to false (sharing host namespaces is not allowed)", [rid, f])
}

# Privileged Containers
deny contains {"rule": "pss.baseline.privileged-containers", "msg": msg, "field": field} if {
	some x in containers
	csc(x).privileged == true
	field := k8s.container_pointer(input, x, "securityContext/privileged")
	msg := sprintf("%s: %s sets securityContext.privileged: true; remove it or set it to false", [rid, cpath(x)])
}

# Capabilities (baseline): only the container runtime's default set may be added.
baseline_capabilities := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

deny contains {"rule": "pss.baseline.capabilities", "msg": msg} if {
	some x in containers
	some cap in object.get(csc(x), ["capabilities", "add"], [])
	not cap in baseline_capabilities
	msg := sprintf("%s: %s adds capability %q; remove it from securityContext.capabilities.add (allowed: %s)", [rid, cpath(x), cap, concat(", ", sort(baseline_capabilities))])
}

# HostPath Volumes
deny contains {"rule": "pss.baseline.hostpath-volumes", "msg": msg} if {
	some v in object.get(spec, "volumes", [])
	v.hostPath != null
	msg := sprintf("%s: volume %q is a hostPath volume; use a persistentVolumeClaim, emptyDir, configMap or secret instead", [rid, object.get(v, "name", "")])
}

# Host Ports
deny contains {"rule": "pss.baseline.host-ports", "msg": msg} if {
	some x in containers
	some p in object.get(x.c, "ports", [])
	object.get(p, "hostPort", 0) != 0
	msg := sprintf("%s: %s sets hostPort %v; remove hostPort and expose the port through a Service", [rid, cpath(x), p.hostPort])
}

# AppArmor
apparmor_annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

allowed_apparmor_types := {"RuntimeDefault", "Localhost"}

deny contains {"rule": "pss.baseline.apparmor", "msg": msg} if {
	some key, value in k8s.pod_annotations(input)
	startswith(key, apparmor_annotation_prefix)
	value != "runtime/default"
	not startswith(value, "localhost/")
	msg := sprintf("%s: annotation %s is %q; use runtime/default or localhost/<profile>", [rid, key, value])
}

deny contains {"rule": "pss.baseline.apparmor", "msg": msg} if {
	t := pod_sc.appArmorProfile.type
	not t in allowed_apparmor_types
	msg := sprintf("%s: spec.securityContext.appArmorProfile.type is %q; use RuntimeDefault or Localhost", [rid, t])
}

deny contains {"rule": "pss.baseline.apparmor", "msg": msg} if {
	some x in containers
	t := csc(x).appArmorProfile.type
	not t in allowed_apparmor_types
	msg := sprintf("%s: %s sets securityContext.appArmorProfile.type %q; use RuntimeDefault or Localhost", [rid, cpath(x), t])
}

# SELinux
allowed_selinux_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

selinux_violations(opts) := {v |
	some check in [
		{"bad": not_allowed_type(opts), "what": sprintf("type %q", [object.get(opts, "type", "")])},
		{"bad": object.get(opts, "user", "") != "", "what": sprintf("user %q", [object.get(opts, "user", "")])},
		{"bad": object.get(opts, "role", "") != "", "what": sprintf("role %q", [object.get(opts, "role", "")])},
	]
	check.bad
	v := check.what
}

not_allowed_type(opts) := false if {
	object.get(opts, "type", "") in allowed_selinux_types
} else := true

deny contains {"rule": "pss.baseline.selinux", "msg": msg} if {
	opts := pod_sc.seLinuxOptions
	is_object(opts)
	some what in selinux_violations(opts)
	msg := sprintf("%s: spec.securityContext.seLinuxOptions sets %s; leave user and role unset and use a type of container_t, container_init_t, container_kvm_t or container_engine_t", [rid, what])
}

deny contains {"rule": "pss.baseline.selinux", "msg": msg} if {
	some x in containers
	opts := csc(x).seLinuxOptions
	is_object(opts)
	some what in selinux_violations(opts)
	msg := sprintf("%s: %s securityContext.seLinuxOptions sets %s; leave user and role unset and use a type of container_t, container_init_t, container_kvm_t or container_engine_t", [rid, cpath(x), what])
}

# /proc Mount Type: Unmasked is tolerated by baseline only for user-namespaced pods.
user_namespaced if spec.hostUsers == false

deny contains {"rule": "pss.baseline.proc-mount-type", "msg": msg} if {
	not user_namespaced
	some x in containers
	pm := csc(x).procMount
	pm != null
	pm != "Default"
	msg := sprintf("%s: %s sets securityContext.procMount %q; remove it or set it to Default (or run the pod with hostUsers: false)", [rid, cpath(x), pm])
}

# Seccomp (baseline): Unconfined is not allowed anywhere.
deny contains {"rule": "pss.baseline.seccomp", "msg": msg} if {
	pod_sc.seccompProfile.type == "Unconfined"
	msg := sprintf("%s: spec.securityContext.seccompProfile.type is Unconfined; use RuntimeDefault or Localhost", [rid])
}

deny contains {"rule": "pss.baseline.seccomp", "msg": msg, "field": field} if {
	some x in containers
	csc(x).seccompProfile.type == "Unconfined"
	field := k8s.container_pointer(input, x, "securityContext/seccompProfile/type")
	msg := sprintf("%s: %s sets securityContext.seccompProfile.type Unconfined; use RuntimeDefault or Localhost", [rid, cpath(x)])
}

# Sysctls: only the namespaced "safe" set of the v1.37 policy.
safe_sysctls := {
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
	"net.ipv4.tcp_rmem",
	"net.ipv4.tcp_wmem",
	"net.ipv4.tcp_slow_start_after_idle",
	"net.ipv4.tcp_notsent_lowat",
}

deny contains {"rule": "pss.baseline.sysctls", "msg": msg} if {
	some s in object.get(pod_sc, "sysctls", [])
	not s.name in safe_sysctls
	msg := sprintf("%s: spec.securityContext.sysctls sets %q, which is not in the safe set; remove it (allowed: %s)", [rid, s.name, concat(", ", sort(safe_sysctls))])
}

# Host Probes / Lifecycle Hooks: probe and lifecycle handlers may not target another host.
probe_fields := ["livenessProbe", "readinessProbe", "startupProbe"]

handler_hosts(c) := [{"where": sprintf("%s.%s.host", [p, h]), "host": host} |
	some p in probe_fields
	some h in ["httpGet", "tcpSocket"]
	host := c[p][h].host
	is_string(host)
	host != ""
]

lifecycle_hosts(c) := [{"where": sprintf("lifecycle.%s.%s.host", [l, h]), "host": host} |
	some l in ["postStart", "preStop"]
	some h in ["httpGet", "tcpSocket"]
	host := c.lifecycle[l][h].host
	is_string(host)
	host != ""
]

deny contains {"rule": "pss.baseline.host-probes-lifecycle-hooks", "msg": msg} if {
	some x in containers
	some hh in array.concat(handler_hosts(x.c), lifecycle_hosts(x.c))
	msg := sprintf("%s: %s sets %s to %q; remove the host field so the kubelet probes the pod itself", [rid, cpath(x), hh.where, hh.host])
}

# ---------------------------------------------------------------------------
# Restricted (only when the namespace profile is restricted)
# ---------------------------------------------------------------------------

# Volume Types
restricted_volume_sources := {
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
	"persistentVolumeClaim", "projected", "secret",
}

deny contains {"rule": "pss.restricted.volume-types", "msg": msg} if {
	restricted
	some v in object.get(spec, "volumes", [])
	some src, val in v
	src != "name"
	val != null
	not src in restricted_volume_sources
	msg := sprintf("%s: volume %q uses the %s volume type; use one of %s (e.g. a persistentVolumeClaim)", [rid, object.get(v, "name", ""), src, concat(", ", sort(restricted_volume_sources))])
}

# Privilege Escalation (not checked for Windows pods)
deny contains {"rule": "pss.restricted.privilege-escalation", "msg": msg} if {
	restricted
	not is_windows
	some x in containers
	not csc(x).allowPrivilegeEscalation == false
	msg := sprintf("%s: %s must set securityContext.allowPrivilegeEscalation: false", [rid, cpath(x)])
}

# Running as Non-root
deny contains {"rule": "pss.restricted.running-as-non-root", "msg": msg} if {
	restricted
	pod_sc.runAsNonRoot == false
	msg := sprintf("%s: spec.securityContext.runAsNonRoot is false; set it to true", [rid])
}

deny contains {"rule": "pss.restricted.running-as-non-root", "msg": msg, "field": field} if {
	restricted
	some x in containers
	csc(x).runAsNonRoot == false
	field := k8s.container_pointer(input, x, "securityContext/runAsNonRoot")
	msg := sprintf("%s: %s sets securityContext.runAsNonRoot: false; set it to true or remove it and set spec.securityContext.runAsNonRoot: true", [rid, cpath(x)])
}

deny contains {"rule": "pss.restricted.running-as-non-root", "msg": msg} if {
	restricted
	not pod_sc.runAsNonRoot == true
	not pod_sc.runAsNonRoot == false
	some x in containers
	not csc(x).runAsNonRoot == true
	not csc(x).runAsNonRoot == false
	msg := sprintf("%s: %s does not set runAsNonRoot; set spec.securityContext.runAsNonRoot: true (or securityContext.runAsNonRoot: true on every container)", [rid, cpath(x)])
}

# Running as Non-root user
deny contains {"rule": "pss.restricted.running-as-non-root-user", "msg": msg} if {
	restricted
	pod_sc.runAsUser == 0
	msg := sprintf("%s: spec.securityContext.runAsUser is 0 (root); set a non-zero UID such as 65532", [rid])
}

deny contains {"rule": "pss.restricted.running-as-non-root-user", "msg": msg, "field": field} if {
	restricted
	some x in containers
	csc(x).runAsUser == 0
	field := k8s.container_pointer(input, x, "securityContext/runAsUser")
	msg := sprintf("%s: %s sets securityContext.runAsUser: 0 (root); set a non-zero UID such as 65532", [rid, cpath(x)])
}

# Seccomp (restricted): RuntimeDefault or Localhost must be set (not checked for Windows pods)
restricted_seccomp_types := {"RuntimeDefault", "Localhost"}

pod_seccomp_ok if pod_sc.seccompProfile.type in restricted_seccomp_types

deny contains {"rule": "pss.restricted.seccomp", "msg": msg} if {
	restricted
	not is_windows
	t := pod_sc.seccompProfile.type
	not t in restricted_seccomp_types
	msg := sprintf("%s: spec.securityContext.seccompProfile.type is %q; set it to RuntimeDefault or Localhost", [rid, t])
}

deny contains {"rule": "pss.restricted.seccomp", "msg": msg} if {
	restricted
	not is_windows
	some x in containers
	t := csc(x).seccompProfile.type
	not t in restricted_seccomp_types
	msg := sprintf("%s: %s sets securityContext.seccompProfile.type %q; set it to RuntimeDefault or Localhost", [rid, cpath(x), t])
}

deny contains {"rule": "pss.restricted.seccomp", "msg": msg} if {
	restricted
	not is_windows
	not pod_seccomp_ok
	not pod_sc.seccompProfile.type
	some x in containers
	not csc(x).seccompProfile.type
	msg := sprintf("%s: %s has no seccomp profile; set spec.securityContext.seccompProfile.type: RuntimeDefault", [rid, cpath(x)])
}

# Capabilities (restricted): drop ALL, add at most NET_BIND_SERVICE (not checked for Windows pods)
deny contains {"rule": "pss.restricted.capabilities", "msg": msg} if {
	restricted
	not is_windows
	some x in containers
	not "ALL" in object.get(csc(x), ["capabilities", "drop"], [])
	msg := sprintf("%s: %s must drop all capabilities; set securityContext.capabilities.drop: [\"ALL\"]", [rid, cpath(x)])
}

deny contains {"rule": "pss.restricted.capabilities", "msg": msg} if {
	restricted
	not is_windows
	some x in containers
	some cap in object.get(csc(x), ["capabilities", "add"], [])
	cap != "NET_BIND_SERVICE"
	msg := sprintf("%s: %s adds capability %q; only NET_BIND_SERVICE may be added under the restricted profile", [rid, cpath(x), cap])
}

# /proc Mount Type (restricted): Default only, even for user-namespaced pods.
deny contains {"rule": "pss.restricted.proc-mount-type", "msg": msg} if {
	restricted
	some x in containers
	pm := csc(x).procMount
	pm != null
	pm != "Default"
	msg := sprintf("%s: %s sets securityContext.procMount %q; remove it or set it to Default", [rid, cpath(x), pm])
}
