{{- define "ci-stack.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 63 | trimSuffix "-" }}{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{/* Name of one component's objects: <fullname>-<component>, at most 63 characters. */}}
{{- define "ci-stack.name" -}}
{{- printf "%s-%s" (include "ci-stack.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ci-stack.selectorLabels" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
{{- end -}}

{{- define "ci-stack.labels" -}}
{{ include "ci-stack.selectorLabels" . }}
app.kubernetes.io/part-of: ci-stack
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "ci-stack.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .values.image.repository (default .root.Chart.AppVersion .root.Values.image.tag) -}}
{{- end -}}

{{- define "ci-stack.prowNamespace" -}}
{{- default .Release.Namespace .Values.prow.namespace -}}
{{- end -}}

{{- define "ci-stack.poolNamespace" -}}
{{- default .Release.Namespace .Values.cimaster.configMap.namespace -}}
{{- end -}}

{{/* Restricted pod security: non-root UID 1000, read-only root, nothing escalates, no capabilities. */}}
{{- define "ci-stack.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "ci-stack.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "ci-stack.affinity" -}}
{{- $term := dict "labelSelector" (dict "matchLabels" (fromYaml (include "ci-stack.selectorLabels" .))) "topologyKey" "kubernetes.io/hostname" -}}
{{- if eq .values.antiAffinity "hard" }}
affinity:
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - {{ toJson $term }}
{{- else if eq .values.antiAffinity "soft" }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm: {{ toJson $term }}
{{- end }}
{{- end -}}

{{/* Probes, ports, lifecycle and scheduling shared by both services. */}}
{{- define "ci-stack.serviceContainerCommon" -}}
ports:
  - { name: http, containerPort: 8080, protocol: TCP }
  - { name: metrics, containerPort: 9090, protocol: TCP }
livenessProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: { path: /readyz, port: http }
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
startupProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 2
  failureThreshold: 30
{{- if gt (int .root.Values.preStopSleepSeconds) 0 }}
lifecycle:
  preStop:
    sleep: { seconds: {{ .root.Values.preStopSleepSeconds }} }
{{- end }}
resources: {{- toYaml .values.resources | nindent 2 }}
securityContext: {{- include "ci-stack.containerSecurityContext" . | nindent 2 }}
{{- end -}}

{{- define "ci-stack.podCommon" -}}
securityContext: {{- include "ci-stack.podSecurityContext" . | nindent 2 }}
terminationGracePeriodSeconds: {{ .root.Values.terminationGracePeriodSeconds }}
enableServiceLinks: false
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- include "ci-stack.affinity" . }}
{{- end -}}

{{/* Flags take the grace period left after the preStop sleep; refuse values that leave none. */}}
{{- define "ci-stack.gracePeriod" -}}
{{- $left := sub (int .Values.terminationGracePeriodSeconds) (int .Values.preStopSleepSeconds) -}}
{{- if lt $left 1 -}}{{- fail (printf "terminationGracePeriodSeconds (%v) must be larger than preStopSleepSeconds (%v)" .Values.terminationGracePeriodSeconds .Values.preStopSleepSeconds) -}}{{- end -}}
{{- printf "%ds" $left -}}
{{- end -}}

{{/* A PodDisruptionBudget only when it can be met while a pod is drained (minAvailable below the replicas). */}}
{{- define "ci-stack.pdbWanted" -}}
{{- $pdb := .values.podDisruptionBudget -}}
{{- if and $pdb.enabled (or (kindIs "string" $pdb.minAvailable) (gt (int .values.replicas) (int $pdb.minAvailable))) -}}true{{- end -}}
{{- end -}}
