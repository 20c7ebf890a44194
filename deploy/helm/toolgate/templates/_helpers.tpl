{{- define "toolgate.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "toolgate.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "toolgate.instanceLabels" -}}
app.kubernetes.io/name: {{ include "toolgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The server's pods; the migration Job's pods carry component: migrate, so Service, PDB and HPA leave them out. */}}
{{- define "toolgate.selectorLabels" -}}
{{ include "toolgate.instanceLabels" . }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "toolgate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "toolgate.instanceLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "toolgate.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* One variable from an existing Secret; `required` says which value to set when a required one is missing. */}}
{{- define "toolgate.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ if .required }}{{ required (printf "secrets.%s.existingSecret is required" .value) .ref.existingSecret }}{{ else }}{{ .ref.existingSecret }}{{ end }}
      key: {{ .ref.key }}
{{- end -}}

{{/* The environment every Toolgate container gets: the server and the migration Job. */}}
{{- define "toolgate.env" -}}
{{ include "toolgate.secretEnv" (dict "name" "DATABASE_URL" "ref" .Values.secrets.databaseUrl "value" "databaseUrl" "required" true) }}
{{ include "toolgate.secretEnv" (dict "name" "NEXTAUTH_SECRET" "ref" .Values.secrets.sessionSecret "value" "sessionSecret" "required" true) }}
{{ include "toolgate.secretEnv" (dict "name" "TOOLGATE_ENCRYPTION_KEY" "ref" .Values.secrets.encryptionKey "value" "encryptionKey" "required" true) }}
{{- if .Values.secrets.signingKey.existingSecret }}
{{ include "toolgate.secretEnv" (dict "name" "TOOLGATE_SIGNING_KEY" "ref" .Values.secrets.signingKey "value" "signingKey" "required" false) }}
{{- end }}
{{- if .Values.secrets.adminPassword.existingSecret }}
{{ include "toolgate.secretEnv" (dict "name" "TOOLGATE_ADMIN_PASSWORD" "ref" .Values.secrets.adminPassword "value" "adminPassword" "required" false) }}
{{- end }}
{{- if .Values.secrets.metricsToken.existingSecret }}
{{ include "toolgate.secretEnv" (dict "name" "TOOLGATE_METRICS_TOKEN" "ref" .Values.secrets.metricsToken "value" "metricsToken" "required" false) }}
{{- end }}
{{- if .Values.secrets.redisUrl.existingSecret }}
{{ include "toolgate.secretEnv" (dict "name" "REDIS_URL" "ref" .Values.secrets.redisUrl "value" "redisUrl" "required" false) }}
{{- end }}
- name: NEXTAUTH_URL
  value: {{ required "publicUrl is required: the URL people and agents reach Toolgate at" .Values.publicUrl | quote }}
- name: TOOLGATE_ADMIN_EMAIL
  value: {{ .Values.adminEmail | quote }}
- name: TOOLGATE_TRUST_PROXY
  value: {{ .Values.trustProxy | quote }}
- name: HOST
  value: "0.0.0.0"
- name: PORT
  value: "3000"
- name: TOOLGATE_DATA_DIR
  value: /tmp/toolgate
# The pod's name in job runs and audit checkpoints.
- name: TOOLGATE_INSTANCE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
# While the limits' store (PostgreSQL, or Redis) does not answer, each replica allows this share of every limit (decision 039).
- name: TOOLGATE_EXPECTED_INSTANCES
  value: {{ ternary .Values.autoscaling.minReplicas .Values.replicaCount .Values.autoscaling.enabled | quote }}
{{- range $name, $value := .Values.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}
