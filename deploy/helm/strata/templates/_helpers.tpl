{{/* Chart name, truncated to the 63 characters Kubernetes allows. */}}
{{- define "strata.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name of every object. */}}
{{- define "strata.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "strata.labels" -}}
app.kubernetes.io/name: {{ include "strata.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "strata.selectorLabels" -}}
app.kubernetes.io/name: {{ include "strata.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The Secret holding the server's secret environment. */}}
{{- define "strata.secretName" -}}
{{- default (include "strata.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Seconds Kubernetes waits after SIGTERM: preStop sleep + drain timeout + margin. */}}
{{- define "strata.terminationGracePeriod" -}}
{{- add .Values.preStopSleepSeconds (default 30 .Values.config.server.drain_timeout_seconds) .Values.terminationGracePeriodExtraSeconds -}}
{{- end -}}
