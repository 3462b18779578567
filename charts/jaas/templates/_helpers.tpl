{{/* The release's full name, used for every object. */}}
{{- define "jaas.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "jaas.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "jaas.labels" -}}
{{ include "jaas.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "jaas.serviceAccountName" -}}
{{- default (include "jaas.fullname" .) .Values.operator.serviceAccount.name -}}
{{- end -}}

{{- define "jaas.image" -}}
{{- $repo := printf "%s/%s" .Values.image.registry .Values.image.repository -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* A DNS-1123 volume name for a snippet or library entry. */}}
{{- define "jaas.volumeName" -}}
{{- printf "%s-%s" .kind (.name | lower | replace "_" "-" | replace "." "-") | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "jaas.storageBaseURL" -}}
{{- default (printf "http://%s-storage.%s.svc.cluster.local:%v" (include "jaas.fullname" .) .Release.Namespace .Values.ports.storage) .Values.operator.storage.baseURL -}}
{{- end -}}

{{/* Renderer-mode sources are set. */}}
{{- define "jaas.hasRendererSources" -}}
{{- if or .Values.snippets .Values.snippetConfigMaps .Values.inlineSnippets .Values.contentInit.enabled -}}true{{- end -}}
{{- end -}}

{{- define "jaas.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* An alert's labels and annotations: severity, the chart's extraAlertLabels, a
summary, a description and the runbook link under runbookAnnotationKey. */}}
{{- define "jaas.alertMeta" -}}
labels:
  severity: {{ .severity }}
  {{- with .rule.extraAlertLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
annotations:
  summary: {{ .summary | quote }}
  description: {{ .description | quote }}
  {{ .rule.runbookAnnotationKey }}: {{ printf "%s/%s/" .base .page | quote }}
{{- end -}}
