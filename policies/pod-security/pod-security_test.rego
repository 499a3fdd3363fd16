package k8s.pod_security_test

import data.k8s.pod_security
import rego.v1

restricted_env := {"env": {"name": "dev", "kubernetesVersion": "1.33", "podSecurity": {"default": "restricted", "namespaces": {}}}, "namespaces": {}}

baseline_env := {"env": {"name": "dev", "kubernetesVersion": "1.33", "podSecurity": {"default": "restricted", "namespaces": {"app": "baseline"}}}, "namespaces": {}}

good_container := {
	"name": "app",
	"image": "ghcr.io/marty-dev/app:1.0.0",
	"securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}},
}

good_spec := {
	"containers": [good_container],
	"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "app"}, "spec": spec}

# spec with the single container patched
with_container(patch) := object.union(good_spec, {"containers": [object.union(good_container, patch)]})

with_csc(sc) := with_container({"securityContext": object.union(good_container.securityContext, sc)})

with_pod_sc(sc) := object.union(good_spec, {"securityContext": object.union(good_spec.securityContext, sc)})

rules(obj, env) := {r.rule | some r in pod_security.deny with input as obj with data.marty as env}

restricted_rules(spec) := rules(pod(spec), restricted_env)

baseline_rules(spec) := rules(pod(spec), baseline_env)

# --- the compliant pod passes both profiles ---------------------------------------------
test_good_pod_restricted_allowed if count(restricted_rules(good_spec)) == 0

test_good_pod_baseline_allowed if count(baseline_rules(good_spec)) == 0

test_minimal_pod_baseline_allowed if {
	count(baseline_rules({"containers": [{"name": "a", "image": "x"}]})) == 0
}

# --- workload kinds -----------------------------------------------------------------
test_deployment_template_checked if {
	d := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "app"}, "spec": {"template": {"spec": object.union(good_spec, {"hostNetwork": true})}}}
	"pss.baseline.host-namespaces" in rules(d, restricted_env)
}

test_cronjob_template_checked if {
	cj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "app"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": object.union(good_spec, {"hostPID": true})}}}}}
	"pss.baseline.host-namespaces" in rules(cj, restricted_env)
}

test_rollout_template_checked if {
	ro := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r", "namespace": "app"}, "spec": {"template": {"spec": with_csc({"privileged": true})}}}
	"pss.baseline.privileged-containers" in rules(ro, restricted_env)
}

test_non_workload_ignored if {
	count(rules({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}, restricted_env)) == 0
}

test_ephemeral_containers_checked if {
	spec := object.union(good_spec, {"ephemeralContainers": [{"name": "dbg", "image": "busybox", "securityContext": {"privileged": true}}]})
	"pss.baseline.privileged-containers" in restricted_rules(spec)
}

# --- profile selection ----------------------------------------------------------------
test_namespace_label_selects_baseline if {
	env := object.union(restricted_env, {"namespaces": {"app": {"labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}})
	count(rules(pod({"containers": [{"name": "a", "image": "x"}]}), env)) == 0
}

test_default_profile_is_restricted if {
	"pss.restricted.seccomp" in rules(pod({"containers": [{"name": "a", "image": "x"}]}), {"env": {"name": "dev"}})
}

test_privileged_setting_is_treated_as_baseline if {
	env := object.union(restricted_env, {"env": {"podSecurity": {"namespaces": {"app": "privileged"}}}})
	"pss.baseline.host-namespaces" in rules(pod(object.union(good_spec, {"hostIPC": true})), env)
}

# --- baseline controls: deny + allow for each -------------------------------------------
test_host_process_pod_denied if "pss.baseline.host-process" in baseline_rules(with_pod_sc({"windowsOptions": {"hostProcess": true}}))

test_host_process_container_denied if "pss.baseline.host-process" in baseline_rules(with_csc({"windowsOptions": {"hostProcess": true}}))

test_host_process_false_allowed if not "pss.baseline.host-process" in baseline_rules(with_csc({"windowsOptions": {"hostProcess": false}}))

test_host_namespaces_denied if {
	every f in ["hostNetwork", "hostPID", "hostIPC"] {
		"pss.baseline.host-namespaces" in baseline_rules(object.union(good_spec, {f: true}))
	}
}

test_host_namespaces_false_allowed if not "pss.baseline.host-namespaces" in baseline_rules(object.union(good_spec, {"hostNetwork": false, "hostPID": false, "hostIPC": false}))

test_privileged_denied if "pss.baseline.privileged-containers" in baseline_rules(with_csc({"privileged": true}))

test_privileged_false_allowed if not "pss.baseline.privileged-containers" in baseline_rules(with_csc({"privileged": false}))

test_capabilities_baseline_denied if "pss.baseline.capabilities" in baseline_rules(with_csc({"capabilities": {"add": ["NET_RAW"]}}))

test_capabilities_baseline_case_sensitive_denied if "pss.baseline.capabilities" in baseline_rules(with_csc({"capabilities": {"add": ["chown"]}}))

test_capabilities_baseline_default_set_allowed if not "pss.baseline.capabilities" in baseline_rules(with_csc({"capabilities": {"add": ["CHOWN", "NET_BIND_SERVICE", "SYS_CHROOT"]}}))

test_hostpath_denied if "pss.baseline.hostpath-volumes" in baseline_rules(object.union(good_spec, {"volumes": [{"name": "h", "hostPath": {"path": "/"}}]}))

test_hostpath_other_volume_allowed if not "pss.baseline.hostpath-volumes" in baseline_rules(object.union(good_spec, {"volumes": [{"name": "e", "emptyDir": {}}]}))

test_host_ports_denied if "pss.baseline.host-ports" in baseline_rules(with_container({"ports": [{"containerPort": 80, "hostPort": 80}]}))

test_host_ports_zero_allowed if not "pss.baseline.host-ports" in baseline_rules(with_container({"ports": [{"containerPort": 80, "hostPort": 0}, {"containerPort": 81}]}))

test_apparmor_annotation_denied if {
	p := object.union(pod(good_spec), {"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}}})
	"pss.baseline.apparmor" in rules(p, baseline_env)
}

test_apparmor_annotation_allowed if {
	p := object.union(pod(good_spec), {"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "localhost/foo", "container.apparmor.security.beta.kubernetes.io/b": "runtime/default"}}})
	not "pss.baseline.apparmor" in rules(p, baseline_env)
}

test_apparmor_field_denied if {
	"pss.baseline.apparmor" in baseline_rules(with_pod_sc({"appArmorProfile": {"type": "Unconfined"}}))
	"pss.baseline.apparmor" in baseline_rules(with_csc({"appArmorProfile": {"type": "Unconfined"}}))
}

test_apparmor_field_allowed if {
	not "pss.baseline.apparmor" in baseline_rules(with_pod_sc({"appArmorProfile": {"type": "RuntimeDefault"}}))
	not "pss.baseline.apparmor" in baseline_rules(with_csc({"appArmorProfile": {"type": "Localhost", "localhostProfile": "x"}}))
}

test_apparmor_deployment_template_annotation_denied if {
	d := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "app"}, "spec": {"template": {"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}}, "spec": good_spec}}}
	"pss.baseline.apparmor" in rules(d, baseline_env)
}

test_selinux_denied if {
	"pss.baseline.selinux" in baseline_rules(with_pod_sc({"seLinuxOptions": {"type": "spc_t"}}))
	"pss.baseline.selinux" in baseline_rules(with_csc({"seLinuxOptions": {"user": "root"}}))
	"pss.baseline.selinux" in baseline_rules(with_csc({"seLinuxOptions": {"role": "sysadm_r"}}))
}

test_selinux_allowed if {
	not "pss.baseline.selinux" in baseline_rules(with_pod_sc({"seLinuxOptions": {"type": "container_t", "level": "s0:c1"}}))
	not "pss.baseline.selinux" in baseline_rules(with_csc({"seLinuxOptions": {}}))
	not "pss.baseline.selinux" in baseline_rules(with_csc({"seLinuxOptions": {"type": "container_engine_t"}}))
}

test_proc_mount_denied if "pss.baseline.proc-mount-type" in baseline_rules(with_csc({"procMount": "Unmasked"}))

test_proc_mount_user_namespace_allowed if not "pss.baseline.proc-mount-type" in baseline_rules(object.union(with_csc({"procMount": "Unmasked"}), {"hostUsers": false}))

test_proc_mount_default_allowed if not "pss.baseline.proc-mount-type" in baseline_rules(with_csc({"procMount": "Default"}))

test_seccomp_baseline_denied if {
	"pss.baseline.seccomp" in baseline_rules(with_pod_sc({"seccompProfile": {"type": "Unconfined"}}))
	"pss.baseline.seccomp" in baseline_rules(with_csc({"seccompProfile": {"type": "Unconfined"}}))
}

test_seccomp_baseline_unset_allowed if not "pss.baseline.seccomp" in baseline_rules({"containers": [{"name": "a", "image": "x"}]})

test_sysctls_denied if "pss.baseline.sysctls" in baseline_rules(with_pod_sc({"sysctls": [{"name": "kernel.msgmax", "value": "1"}]}))

test_sysctls_safe_allowed if not "pss.baseline.sysctls" in baseline_rules(with_pod_sc({"sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}, {"name": "net.ipv4.tcp_notsent_lowat", "value": "16384"}]}))

test_host_probe_denied if "pss.baseline.host-probes-lifecycle-hooks" in baseline_rules(with_container({"livenessProbe": {"httpGet": {"host": "127.0.0.1", "port": 8080}}}))

test_host_lifecycle_denied if "pss.baseline.host-probes-lifecycle-hooks" in baseline_rules(with_container({"lifecycle": {"preStop": {"tcpSocket": {"host": "example.com", "port": 80}}}}))

test_probe_without_host_allowed if not "pss.baseline.host-probes-lifecycle-hooks" in baseline_rules(with_container({"readinessProbe": {"httpGet": {"port": 8080}}, "startupProbe": {"tcpSocket": {"port": 8080, "host": ""}}}))

# --- restricted controls: deny + allow for each -------------------------------------------
test_restricted_not_applied_in_baseline if count(baseline_rules({"containers": [{"name": "a", "image": "x"}], "volumes": [{"name": "n", "nfs": {"server": "s", "path": "/"}}]})) == 0

test_volume_types_denied if "pss.restricted.volume-types" in restricted_rules(object.union(good_spec, {"volumes": [{"name": "n", "nfs": {"server": "s", "path": "/"}}]}))

test_volume_types_allowed if {
	vols := [
		{"name": "a"}, {"name": "b", "emptyDir": {}}, {"name": "c", "configMap": {"name": "x"}},
		{"name": "d", "secret": {"secretName": "x"}}, {"name": "e", "persistentVolumeClaim": {"claimName": "x"}},
		{"name": "f", "projected": {"sources": []}}, {"name": "g", "downwardAPI": {}},
		{"name": "h", "csi": {"driver": "x"}}, {"name": "i", "ephemeral": {}},
	]
	not "pss.restricted.volume-types" in restricted_rules(object.union(good_spec, {"volumes": vols}))
}

test_privilege_escalation_denied if {
	"pss.restricted.privilege-escalation" in restricted_rules(with_csc({"allowPrivilegeEscalation": true}))
	"pss.restricted.privilege-escalation" in restricted_rules(object.union(good_spec, {"containers": [{"name": "a", "image": "x", "securityContext": {"capabilities": {"drop": ["ALL"]}}}]}))
}

test_privilege_escalation_allowed if not "pss.restricted.privilege-escalation" in restricted_rules(good_spec)

test_privilege_escalation_windows_allowed if not "pss.restricted.privilege-escalation" in restricted_rules({"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a", "image": "x"}]})

test_run_as_non_root_denied if {
	"pss.restricted.running-as-non-root" in restricted_rules(with_pod_sc({"runAsNonRoot": false}))
	"pss.restricted.running-as-non-root" in restricted_rules(with_csc({"runAsNonRoot": false}))
	"pss.restricted.running-as-non-root" in restricted_rules({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [good_container]})
}

test_run_as_non_root_container_level_allowed if {
	spec := {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [object.union(good_container, {"securityContext": {"runAsNonRoot": true}})]}
	not "pss.restricted.running-as-non-root" in restricted_rules(spec)
}

test_run_as_user_root_denied if {
	"pss.restricted.running-as-non-root-user" in restricted_rules(with_pod_sc({"runAsUser": 0}))
	"pss.restricted.running-as-non-root-user" in restricted_rules(with_csc({"runAsUser": 0}))
}

test_run_as_user_nonzero_allowed if not "pss.restricted.running-as-non-root-user" in restricted_rules(object.union(with_pod_sc({"runAsUser": 1000}), {}))

test_seccomp_restricted_denied if {
	"pss.restricted.seccomp" in restricted_rules({"securityContext": {"runAsNonRoot": true}, "containers": [good_container]})
	"pss.restricted.seccomp" in restricted_rules(with_pod_sc({"seccompProfile": {"type": "Unconfined"}}))
	"pss.restricted.seccomp" in restricted_rules(with_csc({"seccompProfile": {"type": "Unconfined"}}))
}

test_seccomp_restricted_allowed if {
	not "pss.restricted.seccomp" in restricted_rules(with_pod_sc({"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}))
	not "pss.restricted.seccomp" in restricted_rules({"securityContext": {"runAsNonRoot": true}, "containers": [object.union(good_container, {"securityContext": object.union(good_container.securityContext, {"seccompProfile": {"type": "RuntimeDefault"}})})]})
}

test_capabilities_restricted_denied if {
	"pss.restricted.capabilities" in restricted_rules(with_csc({"capabilities": {"drop": ["NET_RAW"]}}))
	"pss.restricted.capabilities" in restricted_rules(with_csc({"capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}}))
}

test_capabilities_restricted_allowed if not "pss.restricted.capabilities" in restricted_rules(with_csc({"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}))

test_proc_mount_restricted_denied if "pss.restricted.proc-mount-type" in restricted_rules(object.union(with_csc({"procMount": "Unmasked"}), {"hostUsers": false}))

test_proc_mount_restricted_allowed if not "pss.restricted.proc-mount-type" in restricted_rules(object.union(with_csc({"procMount": "Default"}), {"hostUsers": false}))

test_messages_name_rule_and_fix if {
	some r in pod_security.deny with input as pod(with_csc({"privileged": true})) with data.marty as restricted_env
	r.rule == "pss.baseline.privileged-containers"
	contains(r.msg, "Pod app/p")
	contains(r.msg, "set it to false")
}

test_selinux_multiple_violations_reported if {
	msgs := [r | some r in pod_security.deny with input as pod(with_pod_sc({"seLinuxOptions": {"type": "spc_t", "user": "root"}})) with data.marty as baseline_env; r.rule == "pss.baseline.selinux"]
	count(msgs) == 2
}
