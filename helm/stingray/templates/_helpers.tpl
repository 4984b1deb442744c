{{/* Chart name, truncated to the 63 characters a label allows. */}}
{{- define "stingray.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: fullnameOverride, else the release name (with the chart name unless it already holds it). */}}
{{- define "stingray.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "stingray.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: immutable, so never the version. */}}
{{- define "stingray.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stingray.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "stingray.labels" -}}
helm.sh/chart: {{ include "stingray.chart" . }}
{{ include "stingray.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: stingray
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "stingray.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "stingray.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "stingray.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The GCS address every node uses: the head Service's DNS name. */}}
{{- define "stingray.gcsAddress" -}}
{{- printf "%s-head.%s.svc:%d" (include "stingray.fullname" .) .Release.Namespace (int .Values.service.ports.gcsServer) }}
{{- end }}

{{/* Startup, liveness and readiness probes on a daemon's actuator port. Args: dict "root" $ "port" N. */}}
{{- define "stingray.probes" -}}
{{- $p := .root.Values.probes }}
{{- if $p.startup.enabled }}
startupProbe:
  httpGet: {path: {{ $p.startup.path }}, port: {{ .port }}}
  initialDelaySeconds: {{ $p.startup.initialDelaySeconds }}
  periodSeconds: {{ $p.startup.periodSeconds }}
  timeoutSeconds: {{ $p.startup.timeoutSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
{{- end }}
{{- if $p.liveness.enabled }}
livenessProbe:
  httpGet: {path: {{ $p.liveness.path }}, port: {{ .port }}}
  initialDelaySeconds: {{ $p.liveness.initialDelaySeconds }}
  periodSeconds: {{ $p.liveness.periodSeconds }}
  timeoutSeconds: {{ $p.liveness.timeoutSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
{{- end }}
{{- if $p.readiness.enabled }}
readinessProbe:
  httpGet: {path: {{ $p.readiness.path }}, port: {{ .port }}}
  initialDelaySeconds: {{ $p.readiness.initialDelaySeconds }}
  periodSeconds: {{ $p.readiness.periodSeconds }}
  timeoutSeconds: {{ $p.readiness.timeoutSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
{{- end }}
{{- end }}

{{/* What every daemon container shares: image, security, shutdown, volumes, pod ip. Args: dict "root" $ ["env" LIST]. */}}
{{- define "stingray.daemonCommon" -}}
image: {{ include "stingray.image" .root }}
imagePullPolicy: {{ .root.Values.image.pullPolicy }}
securityContext:
  {{- toYaml .root.Values.containerSecurityContext | nindent 2 }}
lifecycle:
  preStop:
    exec:
      command: ["sleep", "{{ .root.Values.preStopSleepSeconds }}"]
env:
  - name: POD_IP
    valueFrom:
      fieldRef: {fieldPath: status.podIP}
  - name: MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED
    value: "true"
  - name: RAY_gcs_rpc_server_reconnect_timeout_s
    value: "600"
  {{- with .env }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
volumeMounts:
  - {name: tmp, mountPath: /tmp}
  - {name: shared-mem, mountPath: /dev/shm}
{{- end }}

{{/*
A daemon's command: one JVM exec'd in place of the shell, with the node id the pod's init container wrote.
Args: dict "daemon" NAME "args" LIST.
*/}}
{{- define "stingray.daemonCommand" -}}
command: ["bash", "-c"]
args:
  - >-
    exec stingray-daemon {{ .daemon }}
    --stingray.cluster.node-id=$$(cat /tmp/stingray/node_id)
    --stingray.cluster.session-dir=/tmp/stingray/session
    --stingray.cluster.node-ip-address=${POD_IP}
    {{- range .args }}
    {{ . }}
    {{- end }}
{{- end }}

{{/* The init container that gives every daemon of a pod the same node id (28 random bytes, hex). */}}
{{- define "stingray.nodeIdInit" -}}
- name: node-id
  image: {{ include "stingray.image" .root }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  command: ["bash", "-c", "mkdir -p /tmp/stingray/session/logs && od -An -tx1 -N28 /dev/urandom | tr -d ' \\n' > /tmp/stingray/node_id"]
  securityContext:
    {{- toYaml .root.Values.containerSecurityContext | nindent 4 }}
  resources:
    requests: {cpu: 10m, memory: 16Mi}
    limits: {cpu: 100m, memory: 32Mi}
  volumeMounts:
    - {name: tmp, mountPath: /tmp}
{{- end }}

{{/* The pod's writable volumes: /tmp (session dir, JVM files) and /dev/shm (object store). Args: dict "shm" SIZE. */}}
{{- define "stingray.volumes" -}}
- name: tmp
  emptyDir: {}
- name: shared-mem
  emptyDir:
    medium: Memory
    sizeLimit: {{ .shm }}
{{- end }}

{{/* The containers of a node: raylet, dashboard agent, log monitor. Args: dict "root" $ "head" BOOL "node" VALUES. */}}
{{- define "stingray.nodeContainers" -}}
{{- $root := .root }}
{{- $ports := $root.Values.httpPorts }}
- name: raylet
  {{- include "stingray.daemonCommon" (dict "root" $root) | nindent 2 }}
  {{- include "stingray.daemonCommand" (dict "daemon" "raylet" "args" (list
      (printf "--stingray.cluster.gcs-address=%s" (include "stingray.gcsAddress" $root))
      (printf "--server.port=%d" (int $ports.raylet))
      (printf "--stingray.raylet.head=%t" .head)
      (printf "--stingray.raylet.num-cpus=%v" .node.numCpus)
      (printf "--stingray.raylet.object-store-memory=%d" (int64 .node.objectStoreMemory))
      "--stingray.raylet.worker-lib-dir=/opt/stingray/lib/worker")) | nindent 2 }}
  ports:
    - {name: raylet-http, containerPort: {{ $ports.raylet }}}
  {{- include "stingray.probes" (dict "root" $root "port" "raylet-http") | nindent 2 }}
  resources:
    {{- toYaml (.raylet | default .node.resources.raylet) | nindent 4 }}
- name: dashboard-agent
  {{- include "stingray.daemonCommon" (dict "root" $root) | nindent 2 }}
  {{- include "stingray.daemonCommand" (dict "daemon" "dashboard_agent" "args" (list
      (printf "--stingray.cluster.gcs-address=%s" (include "stingray.gcsAddress" $root))
      (printf "--stingray.dashboard-agent.listen-port=%d" (int $ports.dashboardAgent))
      (printf "--stingray.dashboard-agent.is-head-node=%t" .head))) | nindent 2 }}
  ports:
    - {name: dashboard-agent, containerPort: {{ $ports.dashboardAgent }}}
  {{- include "stingray.probes" (dict "root" $root "port" "dashboard-agent") | nindent 2 }}
  resources:
    {{- toYaml .node.resources.daemon | nindent 4 }}
- name: log-monitor
  {{- include "stingray.daemonCommon" (dict "root" $root) | nindent 2 }}
  {{- include "stingray.daemonCommand" (dict "daemon" "log_monitor" "args" (list
      (printf "--stingray.cluster.gcs-address=%s" (include "stingray.gcsAddress" $root))
      (printf "--server.port=%d" (int $ports.logMonitor)))) | nindent 2 }}
  ports:
    - {name: log-monitor, containerPort: {{ $ports.logMonitor }}}
  {{- include "stingray.probes" (dict "root" $root "port" "log-monitor") | nindent 2 }}
  resources:
    {{- toYaml .node.resources.daemon | nindent 4 }}
{{- end }}
