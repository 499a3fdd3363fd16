# Prod availability: replicated workloads need a PodDisruptionBudget and topology spread.
# Combined: the PDB is a separate object from the workload.
package k8s_combined.availability

import data.lib.k8s
import rego.v1

objects := k8s.combined_objects(input)

replicated contains e if {
	k8s.is_prod
	some e in objects
	e.obj.kind in {"Deployment", "StatefulSet", "Rollout"}
	object.get(e.obj, ["spec", "replicas"], 1) > 1
}

pdbs contains e.obj if {
	some e in objects
	e.obj.kind == "PodDisruptionBudget"
}

covered(w) if {
	some pdb in pdbs
	k8s.namespace(pdb) == k8s.namespace(w)
	not k8s.selector_is_empty(object.get(pdb, ["spec", "selector"], {}))
	k8s.selector_matches(pdb.spec.selector, k8s.pod_labels(w))
}

deny contains {"rule": "availability.pdb-required", "msg": msg, "path": e.path} if {
	some e in replicated
	not covered(e.obj)
	msg := sprintf("%s: runs %v replicas in prod without a PodDisruptionBudget selecting its pod labels; add a policy/v1 PodDisruptionBudget (e.g. maxUnavailable: 1) whose selector matches spec.template.metadata.labels", [k8s.id(e.obj), e.obj.spec.replicas])
}

deny contains {"rule": "availability.topology-spread", "msg": msg, "path": e.path} if {
	some e in replicated
	count(object.get(k8s.pod_spec(e.obj), "topologySpreadConstraints", [])) == 0
	msg := sprintf("%s: runs %v replicas in prod without topologySpreadConstraints; spread pods across zones (topologyKey: topology.kubernetes.io/zone) and nodes", [k8s.id(e.obj), e.obj.spec.replicas])
}
