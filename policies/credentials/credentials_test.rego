package k8s.credentials_test

import data.k8s.credentials
import rego.v1

marty := {"env": {"name": "dev"}, "credential_key_patterns": [`(?i)(^|[_.-])(PASSWORD|SECRET|TOKEN|API[_.-]?KEY|PRIVATE[_.-]?KEY)($|[_.-])`]}

rules(obj) := {r.rule | some r in credentials.deny with input as obj with data.marty as marty}

secret(extra) := object.union({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "app"}}, extra)

pod(env) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "app"}, "spec": {"containers": [{"name": "c", "env": env}]}}

cm(d) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "app"}, "data": d}

test_secret_data_denied if "credentials.no-secret-data" in rules(secret({"data": {"password": "aHVudGVyMg=="}}))

test_secret_string_data_denied if "credentials.no-secret-data" in rules(secret({"stringData": {"token": "x"}}))

test_secret_without_data_allowed if not "credentials.no-secret-data" in rules(secret({"type": "kubernetes.io/service-account-token"}))

test_env_literal_denied if "credentials.env-literal" in rules(pod([{"name": "DB_PASSWORD", "value": "hunter2"}]))

test_env_api_key_denied if "credentials.env-literal" in rules(pod([{"name": "STRIPE_API_KEY", "value": "sk_live"}]))

test_env_secret_ref_allowed if not "credentials.env-literal" in rules(pod([{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]))

test_env_harmless_name_allowed if not "credentials.env-literal" in rules(pod([{"name": "LOG_LEVEL", "value": "info"}, {"name": "TOKENIZER_MODE", "value": "fast"}]))

test_configmap_credential_denied if "credentials.configmap" in rules(cm({"db.password": "x"}))

test_configmap_plain_allowed if not "credentials.configmap" in rules(cm({"log_level": "info"}))
