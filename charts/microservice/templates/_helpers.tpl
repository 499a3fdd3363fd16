{{/* Names */}}
{{- define "microservice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "microservice.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "microservice.serviceAccountName" -}}
{{- default (include "microservice.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "microservice.portName" -}}
{{- if eq .Values.protocol "grpc" }}grpc{{ else }}http{{ end -}}
{{- end -}}

{{- define "microservice.servicePort" -}}
{{- if .Values.service.port }}{{ .Values.service.port }}{{ else }}{{ .Values.containerPorts.app }}{{ end -}}
{{- end -}}

{{/* Labels: the recommended set plus the owning team. */}}
{{- define "microservice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "microservice.fullname" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "microservice.labels" -}}
{{ include "microservice.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/part-of: {{ .Values.partOf }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
marty.dev/team: {{ required "team is required" .Values.team }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "microservice.annotations" -}}
{{- with .Values.commonAnnotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The image reference; by digest when image.digest is set. */}}
{{- define "microservice.image" -}}
{{- $ref := printf "%s/%s:%s" .Values.image.registry .Values.image.repository .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $ref .Values.image.digest -}}
{{- else -}}
{{- $ref -}}
{{- end -}}
{{- end -}}

{{- define "microservice.probeHandler" -}}
{{- if eq .Values.protocol "grpc" }}
grpc:
  port: {{ .Values.containerPorts.app }}
{{- else }}
httpGet:
  path: {{ .Values.healthPath }}
  port: http
{{- end }}
{{- end -}}

{{- define "microservice.databaseSecret" -}}
{{- default (printf "%s-db-app" (include "microservice.fullname" .)) .Values.database.secretName -}}
{{- end -}}

{{/* Pod template shared by the Deployment and the Rollout. */}}
{{- define "microservice.podTemplate" -}}
metadata:
  labels:
    {{- include "microservice.labels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "microservice.serviceAccountName" . }}
  automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.podAntiAffinityPreset }}
  affinity:
    podAntiAffinity:
      {{- if eq .Values.podAntiAffinityPreset "hard" }}
      requiredDuringSchedulingIgnoredDuringExecution:
        - topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "microservice.selectorLabels" . | nindent 14 }}
      {{- else }}
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                {{- include "microservice.selectorLabels" . | nindent 16 }}
      {{- end }}
  {{- end }}
  {{- if .Values.topologySpread.enabled }}
  topologySpreadConstraints:
    - maxSkew: {{ .Values.topologySpread.maxSkew }}
      topologyKey: topology.kubernetes.io/zone
      whenUnsatisfiable: {{ .Values.topologySpread.zoneWhenUnsatisfiable }}
      labelSelector:
        matchLabels:
          {{- include "microservice.selectorLabels" . | nindent 10 }}
      matchLabelKeys: [pod-template-hash]
    - maxSkew: {{ .Values.topologySpread.maxSkew }}
      topologyKey: kubernetes.io/hostname
      whenUnsatisfiable: ScheduleAnyway
      labelSelector:
        matchLabels:
          {{- include "microservice.selectorLabels" . | nindent 10 }}
      matchLabelKeys: [pod-template-hash]
  {{- end }}
  containers:
    - name: app
      image: {{ include "microservice.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        - --{{ include "microservice.portName" . }}-port={{ .Values.containerPorts.app }}
        - --metrics-port={{ .Values.containerPorts.metrics }}
        {{- with .Values.args }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      ports:
        - name: {{ include "microservice.portName" . }}
          containerPort: {{ .Values.containerPorts.app }}
          protocol: TCP
        - name: metrics
          containerPort: {{ .Values.containerPorts.metrics }}
          protocol: TCP
      env:
        - name: LOG_LEVEL
          value: {{ .Values.logLevel | quote }}
        {{- if .Values.otel.enabled }}
        - name: OTEL_EXPORTER_OTLP_ENDPOINT
          value: {{ .Values.otel.endpoint | quote }}
        - name: OTEL_EXPORTER_OTLP_PROTOCOL
          value: {{ .Values.otel.protocol | quote }}
        - name: OTEL_RESOURCE_ATTRIBUTES
          value: {{ include "microservice.otelResourceAttributes" . | quote }}
        - name: OTEL_PROPAGATORS
          value: {{ .Values.otel.propagators | quote }}
        - name: LOG_TRACE_CONTEXT
          value: {{ .Values.otel.logTraceContext | quote }}
        {{- end }}
        {{- if .Values.database.enabled }}
        - name: DATABASE_URI
          valueFrom:
            secretKeyRef:
              name: {{ include "microservice.databaseSecret" . }}
              key: uri
        {{- end }}
        {{- with .Values.extraEnvVars }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.extraEnvVarsSecret }}
      envFrom:
        - secretRef:
            name: {{ . }}
      {{- end }}
      {{- if .Values.startupProbe.enabled }}
      startupProbe:
        {{- include "microservice.probeHandler" . | nindent 8 }}
        periodSeconds: {{ .Values.startupProbe.periodSeconds }}
        failureThreshold: {{ .Values.startupProbe.failureThreshold }}
      {{- end }}
      {{- if .Values.readinessProbe.enabled }}
      readinessProbe:
        {{- include "microservice.probeHandler" . | nindent 8 }}
        periodSeconds: {{ .Values.readinessProbe.periodSeconds }}
        failureThreshold: {{ .Values.readinessProbe.failureThreshold }}
      {{- end }}
      {{- if .Values.livenessProbe.enabled }}
      livenessProbe:
        {{- include "microservice.probeHandler" . | nindent 8 }}
        periodSeconds: {{ .Values.livenessProbe.periodSeconds }}
        failureThreshold: {{ .Values.livenessProbe.failureThreshold }}
      {{- end }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.containerSecurityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
{{- end -}}

{{/*
OTEL_RESOURCE_ATTRIBUTES: service.name (the full name, as in the service label Prometheus uses),
service.namespace (partOf), service.version (the image tag), deployment.environment (when set),
then otel.resourceAttributes.
*/}}
{{- define "microservice.otelResourceAttributes" -}}
{{- $attrs := list (printf "service.name=%s" (include "microservice.fullname" .)) (printf "service.namespace=%s" .Values.partOf) (printf "service.version=%s" (toString .Values.image.tag)) -}}
{{- with .Values.otel.environment }}
{{- $attrs = append $attrs (printf "deployment.environment=%s" .) -}}
{{- end }}
{{- range $k, $v := .Values.otel.resourceAttributes }}
{{- $attrs = append $attrs (printf "%s=%s" $k $v) -}}
{{- end }}
{{- join "," $attrs -}}
{{- end }}

{{/*
The request, error and latency-bucket series every marty service exports
(monitoring/known-metrics.yaml), selected for one service. Called with
(dict "ctx" . "service" NAME); NAME may be an Argo Rollouts argument such as {{args.service}}.
*/}}
{{- define "microservice.metrics.requests" -}}
marty_{{ include "microservice.portName" .ctx }}_requests_total{service="{{ .service }}"}
{{- end -}}

{{- define "microservice.metrics.errors" -}}
{{- if eq .ctx.Values.protocol "grpc" -}}
marty_grpc_errors_total{service="{{ .service }}"}
{{- else -}}
marty_http_requests_total{service="{{ .service }}",code=~"5.."}
{{- end -}}
{{- end -}}

{{- define "microservice.metrics.latencyBuckets" -}}
marty_{{ include "microservice.portName" .ctx }}_request_duration_seconds_bucket{service="{{ .service }}"}
{{- end -}}
