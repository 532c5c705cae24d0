{{/*
Names. The full name has no dots (Service names are DNS labels); a component
name keeps its suffix whole and shortens the full name instead, so two
components never collide after truncation.
*/}}
{{- define "fastflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fastflow.fullname" -}}
{{- $name := "" -}}
{{- if .Values.fullnameOverride -}}
{{- $name = .Values.fullnameOverride -}}
{{- else -}}
{{- $base := default .Chart.Name .Values.nameOverride -}}
{{- if contains $base .Release.Name -}}
{{- $name = .Release.Name -}}
{{- else -}}
{{- $name = printf "%s-%s" .Release.Name $base -}}
{{- end -}}
{{- end -}}
{{- $name | replace "." "-" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* "<fullname>-<suffix>", at most 63 characters, the suffix intact. Call with (list $ "suffix"). */}}
{{- define "fastflow.componentName" -}}
{{- $root := index . 0 -}}
{{- $suffix := index . 1 -}}
{{- $room := sub 62 (len $suffix) | int -}}
{{- printf "%s-%s" (include "fastflow.fullname" $root | trunc $room | trimSuffix "-") $suffix -}}
{{- end -}}

{{- define "fastflow.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "fastflow.labels" -}}
helm.sh/chart: {{ include "fastflow.chart" . }}
app.kubernetes.io/name: {{ include "fastflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: fastflow
{{- end -}}

{{/* Selector labels of a component. Call with (list $ "operator"). */}}
{{- define "fastflow.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "fastflow.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "fastflow.componentLabels" -}}
{{ include "fastflow.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* ServiceAccount names. */}}
{{- define "fastflow.operatorServiceAccount" -}}
{{- if .Values.operator.serviceAccount.create -}}
{{- default (include "fastflow.componentName" (list . "operator")) .Values.operator.serviceAccount.name -}}
{{- else -}}
{{- required "operator.serviceAccount.name is required when operator.serviceAccount.create is false" .Values.operator.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "fastflow.workerServiceAccount" -}}
{{- if .Values.workers.serviceAccount.create -}}
{{- default (include "fastflow.componentName" (list . "worker")) .Values.workers.serviceAccount.name -}}
{{- else -}}
{{- required "workers.serviceAccount.name is required when workers.serviceAccount.create is false" .Values.workers.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Leases (leader election and worker heartbeats) live in the release namespace. */}}
{{- define "fastflow.leaseNamespace" -}}
{{- .Release.Namespace -}}
{{- end -}}

{{/* image reference from an image dict (repository, tag, digest) and the chart. Call with (list $ $image). */}}
{{- define "fastflow.imageRef" -}}
{{- $root := index . 0 -}}
{{- $img := index . 1 -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $img.repository $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $img.repository (default $root.Chart.AppVersion $img.tag) -}}
{{- end -}}
{{- end -}}

{{/*
A pool with the defaults filled in, as YAML (read back with fromYaml):
workers.defaults, then the pool's own fields; hpa and image field by field
(image over the global image). Call with (list $ $pool).
*/}}
{{- define "fastflow.pool" -}}
{{- $root := index . 0 -}}
{{- $pool := index . 1 -}}
{{- $defaults := $root.Values.workers.defaults -}}
{{- $out := dict -}}
{{- range $k, $v := $defaults }}{{ $_ := set $out $k $v }}{{ end -}}
{{- range $k, $v := $pool }}{{ $_ := set $out $k $v }}{{ end -}}
{{- $hpa := dict -}}
{{- range $k, $v := (default dict $defaults.hpa) }}{{ $_ := set $hpa $k $v }}{{ end -}}
{{- range $k, $v := (default dict $pool.hpa) }}{{ $_ := set $hpa $k $v }}{{ end -}}
{{- $_ := set $out "hpa" $hpa -}}
{{- $image := dict -}}
{{- range $k, $v := $root.Values.image }}{{ $_ := set $image $k $v }}{{ end -}}
{{- range $layer := list (default dict $defaults.image) (default dict $pool.image) -}}
{{- /* Another repository does not inherit the tag or digest of the one it replaces. */ -}}
{{- if $layer.repository }}{{ $_ := set $image "tag" "" }}{{ $_ := set $image "digest" "" }}{{ end -}}
{{- range $k, $v := $layer }}{{ $_ := set $image $k $v }}{{ end -}}
{{- end -}}
{{- $_ := set $out "image" $image -}}
{{- $_ := set $out "fullName" (include "fastflow.componentName" (list $root (printf "worker-%s" $pool.name))) -}}
{{- toYaml $out -}}
{{- end -}}

{{/* Pod-level settings shared by every pod: security context, pull secrets, /tmp. */}}
{{- define "fastflow.podSecurity" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
automountServiceAccountToken: true
# No FOO_SERVICE_HOST/FOO_PORT variables: a Service named e.g. fastflow-metrics
# would otherwise set FASTFLOW_METRICS_PORT, which fastflow reads as a setting.
enableServiceLinks: false
{{- end -}}

{{- define "fastflow.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{/* Probes on the metrics port. */}}
{{- define "fastflow.probes" -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: metrics
  initialDelaySeconds: 5
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: metrics
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 3
{{- end -}}

{{/* Checks that the schema cannot express; each fails with the value's path. */}}
{{- define "fastflow.validate" -}}
{{- $le := .Values.operator.leaderElection -}}
{{- if not (lt (float64 $le.renewDeadlineSecs) (float64 $le.leaseDurationSecs)) -}}
{{- fail (printf "operator.leaderElection.renewDeadlineSecs (%v) must be less than leaseDurationSecs (%v)" $le.renewDeadlineSecs $le.leaseDurationSecs) -}}
{{- end -}}
{{- if not (lt (float64 $le.retryPeriodSecs) (float64 $le.renewDeadlineSecs)) -}}
{{- fail (printf "operator.leaderElection.retryPeriodSecs (%v) must be less than renewDeadlineSecs (%v)" $le.retryPeriodSecs $le.renewDeadlineSecs) -}}
{{- end -}}
{{- $seen := dict -}}
{{- range $i, $p := .Values.workers.pools -}}
{{- $pool := include "fastflow.pool" (list $ $p) | fromYaml -}}
{{- if hasKey $seen $pool.fullName -}}
{{- fail (printf "workers.pools[%d].name: %q is used twice (pool names must be unique)" $i $p.name) -}}
{{- end -}}
{{- $_ := set $seen $pool.fullName true -}}
{{- if $pool.hpa.enabled -}}
{{- if gt (int $pool.hpa.min) (int $pool.hpa.max) -}}
{{- fail (printf "workers.pools[%d] (%s): hpa.min (%v) must not exceed hpa.max (%v)" $i $p.name $pool.hpa.min $pool.hpa.max) -}}
{{- end -}}
{{- if not (and $pool.resources $pool.resources.requests $pool.resources.requests.cpu) -}}
{{- fail (printf "workers.pools[%d] (%s): hpa.enabled needs resources.requests.cpu (the HPA target is a percentage of it)" $i $p.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* What the CRD template puts after a CRD's "metadata:" line (with the newlines around it). */}}
{{- define "fastflow.crdMetadata" -}}
{{ printf "\n" }}metadata:
{{- if .Values.crds.keep }}
  annotations:
    helm.sh/resource-policy: keep
{{- end }}
  labels:
    {{- include "fastflow.labels" . | nindent 4 }}
{{ printf "" }}
{{- end -}}

{{/* Subjects of the worker bindings: the workers' ServiceAccount and rbac.extraWorkerSubjects. */}}
{{- define "fastflow.workerSubjects" -}}
- kind: ServiceAccount
  name: {{ include "fastflow.workerServiceAccount" . }}
  namespace: {{ .Release.Namespace }}
{{- range .Values.rbac.extraWorkerSubjects }}
{{- if eq .kind "User" }}
- kind: User
  apiGroup: rbac.authorization.k8s.io
  name: {{ .name | quote }}
{{- else }}
- kind: ServiceAccount
  name: {{ .name }}
  namespace: {{ .namespace }}
{{- end }}
{{- end }}
{{- end -}}

{{/* User names (as the API server sees them) the worker guard applies to, as a CEL list literal. */}}
{{- define "fastflow.workerUsernames" -}}
{{- $names := list (printf "system:serviceaccount:%s:%s" .Release.Namespace (include "fastflow.workerServiceAccount" .)) -}}
{{- range .Values.rbac.extraWorkerSubjects -}}
{{- if eq .kind "User" -}}
{{- $names = append $names .name -}}
{{- else -}}
{{- $names = append $names (printf "system:serviceaccount:%s:%s" .namespace .name) -}}
{{- end -}}
{{- end -}}
[{{ range $i, $n := $names }}{{ if $i }}, {{ end }}{{ $n | squote }}{{ end }}]
{{- end -}}

{{- define "fastflow.uiServiceAccount" -}}
{{- if .Values.ui.serviceAccount.create -}}
{{- default (include "fastflow.componentName" (list . "ui")) .Values.ui.serviceAccount.name -}}
{{- else -}}
{{- required "ui.serviceAccount.name is required when ui.serviceAccount.create is false" .Values.ui.serviceAccount.name -}}
{{- end -}}
{{- end -}}
