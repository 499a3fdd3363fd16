package k8s.credentials_test

import data.k8s.credentials
import rego.v1

# The rule under test is the shared one, data.marty.credentials (policies/data/credentials.yaml).
rules(obj) := {r.rule | some r in credentials.deny with input as obj with data.marty.env as {"name": "dev"}}

secret(extra) := object.union({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "app"}}, extra)

pod(env) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "app"}, "spec": {"containers": [{"name": "c", "env": env}]}}

pod_args(args) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "app"}, "spec": {"containers": [{"name": "c", "args": args}]}}

cm(d) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "app"}, "data": d}

test_secret_data_denied if "credentials.no-secret-data" in rules(secret({"data": {"password": "aHVudGVyMg=="}}))

test_secret_string_data_denied if "credentials.no-secret-data" in rules(secret({"stringData": {"token": "x"}}))

test_secret_without_data_allowed if not "credentials.no-secret-data" in rules(secret({"type": "kubernetes.io/service-account-token"}))

test_env_literal_denied if "credentials.env-literal" in rules(pod([{"name": "DB_PASSWORD", "value": "hunter2"}]))

test_env_api_key_denied if "credentials.env-literal" in rules(pod([{"name": "STRIPE_API_KEY", "value": "sk_live"}]))

test_env_short_names_denied if {
	"credentials.env-literal" in rules(pod([{"name": "DB_PASS", "value": "x"}]))
	"credentials.env-literal" in rules(pod([{"name": "SMTP_CREDS", "value": "x"}]))
	"credentials.env-literal" in rules(pod([{"name": "pwd", "value": "x"}]))
}

test_env_secret_ref_allowed if not "credentials.env-literal" in rules(pod([{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]))

test_env_placeholder_allowed if not "credentials.env-literal" in rules(pod([{"name": "DB_PASSWORD", "value": "$(VAULT_PASSWORD)"}]))

test_env_harmless_name_allowed if not "credentials.env-literal" in rules(pod([{"name": "LOG_LEVEL", "value": "info"}, {"name": "TOKENIZER_MODE", "value": "fast"}, {"name": "PASSPORT_ENGINE_URL", "value": "http://passport-engine"}]))

test_url_password_denied if "credentials.inline" in rules(pod([{"name": "DATABASE_URL", "value": "postgres://app:hunter2@db:5432/app"}]))

test_url_placeholder_allowed if not "credentials.inline" in rules(pod([{"name": "DATABASE_URL", "value": "postgres://app:$(DB_PASSWORD)@db:5432/app"}]))

test_password_option_denied if {
	"credentials.inline" in rules(pod_args(["--password=hunter2"]))
	"credentials.inline" in rules(pod_args(["--token", "hunter2"]))
}

test_harmless_option_allowed if not "credentials.inline" in rules(pod_args(["--passport-url=http://x", "--token-file", "/var/run/token"]))

test_configmap_credential_denied if "credentials.configmap" in rules(cm({"db.password": "x"}))

test_configmap_embedded_config_denied if {
	"credentials.inline" in rules(cm({"app.yaml": "db:\n  host: db\n  password: hunter2\n"}))
	"credentials.inline" in rules(cm({"app.ini": "[db]\npwd = hunter2\n"}))
	"credentials.inline" in rules(cm({"app.json": "{\"db\": {\"password\": \"hunter2\"}}"}))
}

test_configmap_plain_allowed if not "credentials" in {split(r, ".")[0] | some r in rules(cm({"log_level": "info", "app.yaml": "db:\n  host: db\n  user: app\n"}))}
