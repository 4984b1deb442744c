#!/usr/bin/env bash
# Builds a local JRE 17 base image (with redis-server, so it also serves as the local Redis image) with debootstrap and `docker import`s it, for machines that cannot pull
# images (CI here). Real users build on the public default of docker/Dockerfile's BASE_IMAGE instead.
# Usage: docker/build-base-image.sh [TAG]   (default stingray-base:bookworm-jre17)
set -euo pipefail
tag="${1:-stingray-base:bookworm-jre17}"
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "Base image $tag exists"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }
root="$(mktemp -d /tmp/stingray-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=openjdk-17-jre-headless,curl,procps,redis-server bookworm "$root" >/dev/null
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import \
  --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$tag" >/dev/null
echo "Built base image $tag"
