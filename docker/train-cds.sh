#!/bin/sh
# Image build step: extracts each daemon's fat jar from $1 into $2/<module>/ and records its
# class-data-sharing archive with one training start that exits after the context refresh (as the Maven
# build does for build/lib), so the archive matches the image's own JVM.
set -eu
src="$1"
out="$2"
mkdir -p "$out" /tmp/cds-session/logs
for module in gcs-service raylet-service dashboard-agent log-monitor client-proxy-service; do
  java -Djarmode=tools -jar "$src/$module.jar" extract --destination "$out/$module" >/dev/null
  gcs_arg="--stingray.cluster.gcs-address=127.0.0.1:1"
  [ "$module" = gcs-service ] && gcs_arg=""
  java -XX:ArchiveClassesAtExit="$out/$module/$module.jsa" -Dspring.context.exit=onRefresh \
    -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$out/$module/$module.jar" \
    --stingray.cluster.node-id=0000000000000000000000000000000000000000000000000000cd50 \
    --stingray.cluster.session-dir=/tmp/cds-session --stingray.gcs.port=0 --stingray.client-proxy.port=0 \
    --stingray.dashboard-agent.listen-port=0 $gcs_arg >/tmp/cds-session/"$module".log 2>&1 || true
  [ -f "$out/$module/$module.jsa" ] || echo "no CDS archive for $module (it starts without one)"
done
rm -rf /tmp/cds-session
