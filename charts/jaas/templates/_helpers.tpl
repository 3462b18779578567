{{/* The workload's name: "jaas" whatever the release, as the original chart names its
     Deployment, Services and policies (so Service DNS names survive a switch). Objects
     the original names per release (RBAC, the storage PVC, the cleanup Job) use
     "jaas.releaseScoped". */}}
{{- define "jaas.fullname" -}}
jaas
{{- end -}}

{{/* <release>-<suffix>: the names the original gives its per-release objects. */}}
{{- define "jaas.releaseScoped" -}}
{{- printf "%s-%s" .root.Release.Name .suffix | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* What every object of the release carries; "jaas.labels" adds the chart's version. */}}
{{- define "jaas.baseLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: {{ .Chart.Name }}
{{- end -}}

{{/* The pod selector, the original chart's: a Deployment's selector cannot change, so
     `helm upgrade` from the original needs exactly these. */}}
{{- define "jaas.selectorLabels" -}}
{{ include "jaas.baseLabels" . }}
app.kubernetes.io/component: jaas
{{- end -}}

{{/* Object labels without a component (each template adds its own where it has one). */}}
{{- define "jaas.labels" -}}
{{ include "jaas.baseLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "jaas.serviceAccountName" -}}
{{- default (include "jaas.fullname" .) .Values.operator.serviceAccount.name -}}
{{- end -}}

{{/* replicas.min / replicas.max; a plain number (the former form) is both. */}}
{{- define "jaas.replicasMin" -}}
{{- if kindIs "map" .Values.replicas -}}{{ .Values.replicas.min | default 1 | int }}{{- else -}}{{ .Values.replicas | int }}{{- end -}}
{{- end -}}
{{- define "jaas.replicasMax" -}}
{{- if kindIs "map" .Values.replicas -}}{{ max (.Values.replicas.max | default 1 | int) (include "jaas.replicasMin" . | int) }}{{- else -}}{{ .Values.replicas | int }}{{- end -}}
{{- end -}}
{{- define "jaas.autoscaled" -}}
{{- if gt (include "jaas.replicasMax" . | int) (include "jaas.replicasMin" . | int) -}}true{{- end -}}
{{- end -}}

{{/* The container resources: memory/cpu/ephemeralStorage as request and limit;
a map with requests/limits (the former form) verbatim. */}}
{{- define "jaas.resources" -}}
{{- $r := .Values.resources | default dict -}}
{{- if or (hasKey $r "requests") (hasKey $r "limits") -}}
{{- toYaml (pick $r "requests" "limits") -}}
{{- else -}}
{{- $q := dict -}}
{{- with $r.cpu }}{{ $_ := set $q "cpu" (toString .) }}{{ end -}}
{{- with $r.memory }}{{ $_ := set $q "memory" (toString .) }}{{ end -}}
{{- with $r.ephemeralStorage }}{{ $_ := set $q "ephemeral-storage" (toString .) }}{{ end -}}
{{- toYaml (dict "requests" $q "limits" $q) -}}
{{- end -}}
{{- end -}}

{{/* An OCI image reference rather than Jsonnet source: one token of
registry/repository[:tag][@digest] characters containing a slash. */}}
{{- define "jaas.isImageRef" -}}
{{- if regexMatch "^[A-Za-z0-9][A-Za-z0-9._-]*(:[0-9]+)?(/[A-Za-z0-9._-]+)+(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$" (toString .) -}}true{{- end -}}
{{- end -}}

{{/* snippets split into image volumes (name -> reference) ... */}}
{{- define "jaas.snippetImages" -}}
{{- $out := dict -}}
{{- range $name, $v := (.Values.snippets | default dict) -}}
{{- if include "jaas.isImageRef" $v }}{{ $_ := set $out $name (toString $v) }}{{ end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}
{{/* ... and Jsonnet sources (name -> text), with inlineSnippets. */}}
{{- define "jaas.snippetSources" -}}
{{- $out := dict -}}
{{- range $name, $v := (.Values.snippets | default dict) -}}
{{- if not (include "jaas.isImageRef" $v) }}{{ $_ := set $out $name (toString $v) }}{{ end -}}
{{- end -}}
{{- range $name, $v := (.Values.inlineSnippets | default dict) -}}
{{- $_ := set $out $name (toString $v) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* Library image volumes, name -> reference: the enabled well-known libraries,
then additionalLibraries (and string entries of libraries, the former form). */}}
{{- define "jaas.libraryImages" -}}
{{- $out := dict -}}
{{- range $name, $v := (.Values.libraries | default dict) -}}
{{- if kindIs "map" $v -}}
{{- if $v.enabled }}{{ $_ := set $out $name (printf "%s/%s:%s" $v.registry $v.repository (toString $v.version)) }}{{ end -}}
{{- else if $v -}}
{{- $_ := set $out $name (toString $v) -}}
{{- end -}}
{{- end -}}
{{- range $name, $v := (.Values.additionalLibraries | default dict) -}}
{{- $_ := set $out $name (toString $v) -}}
{{- end -}}
{{- toJson $out -}}
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

{{- define "jaas.webhookName" -}}
{{- printf "%s-webhook" (include "jaas.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{/* The ValidatingWebhookConfiguration: <release>-jsonnetsnippet, as the original chart names it. */}}
{{- define "jaas.webhookConfigurationName" -}}
{{- printf "%s-jsonnetsnippet" .Release.Name | trunc 63 | trimSuffix "-" -}}
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

{{/* A Calico selector expression from a matchLabels map. */}}
{{- define "jaas.calicoSelector" -}}
{{- $parts := list -}}
{{- range $k, $v := . }}{{ $parts = append $parts (printf "%s == '%s'" $k $v) }}{{ end -}}
{{- join " && " $parts -}}
{{- end -}}
