#!/usr/bin/env bash
# A Docker engine and the images that Comp's container stages use (Testcontainers, the image
# build, Compose), on a Debian machine that reaches a Debian mirror but no image registry.
# Idempotent, as root: where a new enough engine answers and the images exist it changes nothing.
#
#   deploy/local/docker.sh          install and start what is missing, build the missing images
#   deploy/local/docker.sh --stop   stop the dockerd that this script started, and nothing else
#
# What it may do, in order:
#   1. Install Debian 13's docker.io (26.1, API 1.45) when no engine of API 1.44 or later is
#      installed: Testcontainers 4.16 needs 1.44, and Debian 12's docker.io has 1.41. It adds an
#      apt source for trixie on the mirror this machine's apt sources already use, pinned at
#      priority 100 so that nothing else comes from it unasked, and installs docker.io/trixie
#      (which brings containerd/trixie), docker-cli/trixie, docker-buildx/trixie and
#      docker-compose/trixie (Compose 2.26), plus debootstrap from the machine's own release.
#      Not `apt-get install -t trixie`: that takes every dependency from trixie, libc6 included.
#   2. Start dockerd when nothing answers on /var/run/docker.sock (log: /var/log/comp-dockerd.log),
#      recording its pid in /run/comp-docker/dockerd.pid for --stop.
#   3. Build, with debootstrap from the same mirror, the images that would otherwise be pulled:
#      PostgreSQL 15 under the tags the tests and Compose name (Debian's postgresql-15 with
#      postgres-entrypoint.sh beside this file), and stand-ins for deploy/Dockerfile's base
#      images under their own tags: Debian 12 with this machine's .NET SDK (sdk) or its runtimes
#      (aspnet), the `app` user (UID 1654, $APP_UID) and the official images' settings. They are
#      labelled comp.stand-in, and rebuilt (the old one removed) when this script, the entrypoint
#      or the SDK change; an image of those tags without the label (a real one) is never touched.
#
# stdout gets one word once an engine answers: `started` (this call started dockerd) or
# `running` (one already answered); progress goes to stderr. Exit codes: 0 ready; 3 Docker cannot
# run on this machine at all (no privilege, no kernel support), with `cannot run here: REASON`
# on stdout; 1 any other failure.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)

MIN_API=1.44
STATE_DIR=/run/comp-docker
PID_FILE=$STATE_DIR/dockerd.pid
DOCKERD_LOG=/var/log/comp-dockerd.log
TRIXIE_SOURCE=/etc/apt/sources.list.d/comp-docker-trixie.sources
TRIXIE_PIN=/etc/apt/preferences.d/comp-docker-trixie
# PostgreSQL 15 is bookworm's; the .NET stand-ins use the same release.
IMAGE_SUITE=bookworm

log() { printf 'docker.sh: %s\n' "$*" >&2; }
die() { printf 'docker.sh: error: %s\n' "$*" >&2; exit 1; }
cannot_run() {
  printf 'docker.sh: Docker cannot run on this machine: %s\n' "$*" >&2
  printf 'cannot run here: %s\n' "$*"
  exit 3
}

# The API version of the engine that answers, or nothing.
server_api() { timeout 20 docker version --format '{{.Server.APIVersion}}' 2>/dev/null || true; }

# True when version $1 >= $2 (dotted numbers).
version_ge() { [[ $(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1) == "$2" ]]; }

# The dockerd we started, if it still runs.
our_dockerd() {
  local pid
  pid=$(cat "$PID_FILE" 2>/dev/null || true)
  [[ $pid =~ ^[0-9]+$ ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]] && printf '%s\n' "$pid"
}

stop() {
  local pid i
  if ! pid=$(our_dockerd); then
    rm -f "$PID_FILE"
    log "no dockerd started by this script is running; nothing to stop"
    return 0
  fi
  log "stopping dockerd (pid $pid, started by this script)"
  kill -TERM "$pid"
  # dockerd stops its containers (10 s each at most) and its containerd before it exits.
  for ((i = 0; i < 600; i++)); do
    [[ -d /proc/$pid ]] || break
    sleep 0.1
  done
  [[ ! -d /proc/$pid ]] || die "dockerd (pid $pid) did not stop within 60 s"
  rm -f "$PID_FILE"
}

# --- What the machine must offer ------------------------------------------------------------

check_machine() {
  [[ $(uname -s) == Linux ]] || cannot_run "not Linux ($(uname -s))"
  [[ $EUID -eq 0 ]] || cannot_run "no Docker engine answers, and only root can install or start one (run this script as root)"
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
  grep -qw overlay /proc/filesystems || cannot_run "the kernel has no overlay filesystem (overlay2 storage)"
  grep -qw -e cgroup -e cgroup2 /proc/filesystems && [[ -n $(ls -A /sys/fs/cgroup 2>/dev/null) ]] \
    || cannot_run "no cgroup filesystem is mounted on /sys/fs/cgroup"
  unshare --mount --uts --ipc --net --pid --fork true 2>/dev/null \
    || cannot_run "cannot create mount, network and pid namespaces (not privileged enough, e.g. inside an unprivileged container)"
  command -v apt-get >/dev/null || die "no engine is installed and this script installs one only on Debian (apt-get)"
}

# The URI of the Debian mirror that this machine's apt sources use for its own release.
debian_mirror() {
  local codename f uri
  codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
  [[ -n $codename ]] || die "no VERSION_CODENAME in /etc/os-release"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    # deb [options] URI SUITE COMPONENT...
    uri=$(awk -v suite="$codename" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }' "$f")
    [[ -z $uri ]] || { printf '%s\n' "$uri"; return 0; }
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    # deb822 paragraphs: Types, URIs, Suites, Enabled.
    uri=$(awk -v suite="$codename" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && enabled != "no" && uris != "") {
          split(uris, u, " "); print u[1]; found = 1; exit
        }
        types = uris = suites = ""; enabled = "yes"
      }
      /^[ \t]*$/ { flush(); next }
      /^#/ { next }
      {
        key = tolower($0); sub(/:.*/, "", key)
        value = $0; sub(/^[^:]*:[ \t]*/, "", value); gsub(/[ \t]+/, " ", value)
        if (key == "types") types = value
        else if (key == "uris") uris = value
        else if (key == "suites") suites = value
        else if (key == "enabled") enabled = tolower(value)
      }
      END { if (!found) flush() }' "$f")
    [[ -z $uri ]] || { printf '%s\n' "$uri"; return 0; }
  done
  die "found no apt source for $codename in /etc/apt/sources.list*: which Debian mirror should be used?"
}

# --- The engine -----------------------------------------------------------------------------

dockerd_new_enough() {
  local v
  command -v dockerd >/dev/null || return 1
  v=$(dockerd --version 2>/dev/null | sed -n 's/^Docker version \([0-9][0-9.]*\).*/\1/p')
  # Docker 25.0 speaks API 1.44.
  [[ -n $v ]] && version_ge "$v" 25.0
}

install_engine() {
  local mirror policy_rc=/usr/sbin/policy-rc.d own_policy=false
  mirror=$(debian_mirror)
  log "installing Debian 13's docker.io from $mirror (trixie, pinned at priority 100)"
  cat >"$TRIXIE_SOURCE" <<EOF
# Written by Comp's deploy/local/docker.sh: Debian 13's docker.io (API 1.45), for Testcontainers.
# Pinned at priority 100 ($TRIXIE_PIN): nothing is taken from trixie unless named.
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cat >"$TRIXIE_PIN" <<'EOF'
# Written by Comp's deploy/local/docker.sh: trixie packages only when asked for by name.
Package: *
Pin: release n=trixie
Pin-Priority: 100
EOF
  # Packages must not start their services: this script starts dockerd itself, and only then.
  if [[ ! -e $policy_rc ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy_rc"
    chmod 755 "$policy_rc"
    own_policy=true
  fi
  local rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        docker.io/trixie docker-cli/trixie docker-buildx/trixie docker-compose/trixie debootstrap
  } >&2 || rc=$?
  [[ $own_policy == false ]] || rm -f "$policy_rc"
  ((rc == 0)) || die "apt-get could not install docker.io from trixie (exit $rc)"
}

start_dockerd() {
  local pid i
  mkdir -p "$STATE_DIR"
  log "starting dockerd (log: $DOCKERD_LOG)"
  # setsid: dockerd outlives this script and is not in its caller's process group.
  setsid dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  for ((i = 0; i < 120; i++)); do
    [[ -n $(server_api) ]] && return 0
    if [[ ! -d /proc/$pid ]]; then
      rm -f "$PID_FILE"
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      die "dockerd exited at start (log: $DOCKERD_LOG)"
    fi
    sleep 0.5
  done
  die "dockerd did not answer within 60 s (log: $DOCKERD_LOG)"
}

# --- The images -----------------------------------------------------------------------------

WORK=
cleanup() {
  local rc=$?
  if [[ -n $WORK && -d $WORK ]]; then
    # debootstrap unmounts what it mounted, but not when it fails half-way.
    umount -R "$WORK"/rootfs/proc "$WORK"/rootfs/sys "$WORK"/rootfs/dev/pts 2>/dev/null || true
    rm -rf --one-file-system "$WORK"
  fi
  exit "$rc"
}

# The recipe an image was built from: a new one means a rebuild.
recipe() { cat "$HERE/docker.sh" "$HERE/postgres-entrypoint.sh" - | sha256sum | cut -c 1-16; }

# True when tag $1 needs building: absent, or a stand-in of another recipe ($2).
needs_build() {
  local label
  docker image inspect "$1" >/dev/null 2>&1 || return 0
  label=$(docker image inspect --format '{{ index .Config.Labels "comp.stand-in" }}' "$1" 2>/dev/null || true)
  [[ -n $label && $label != "<no value>" && $label != "$2" ]]
}

debootstrap_rootfs() {
  local dir=$1 include=$2 mirror
  mirror=$(debian_mirror)
  command -v debootstrap >/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2 \
      || die "cannot install debootstrap"
  }
  log "debootstrap $IMAGE_SUITE ($include) from $mirror"
  debootstrap --variant=minbase --include="$include" "$IMAGE_SUITE" "$dir" "$mirror" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 20 "$WORK/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb \
    "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/*
}

# tar the rootfs into an image: import <dir> <tag> <label> [--change ...]
import_rootfs() {
  local dir=$1 tag=$2 label=$3
  shift 3
  tar --numeric-owner -C "$dir" -c . | docker import --change "LABEL comp.stand-in=$label" "$@" - "$tag" >/dev/null
  log "built $tag"
}

# PostgreSQL 15 from Debian's packages, tagged as every name in $@.
build_postgres() {
  local label=$1
  shift
  local dir=$WORK/rootfs
  debootstrap_rootfs "$dir" postgresql-15
  # The package's own cluster and the pid files of its start in the chroot, if any.
  rm -rf "$dir"/var/lib/postgresql/15 "$dir"/etc/postgresql/15 "$dir"/var/run/postgresql/*
  install -m 755 "$HERE/postgres-entrypoint.sh" "$dir/usr/local/bin/docker-entrypoint.sh"
  import_rootfs "$dir" "$1" "$label" \
    --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PGDATA=/var/lib/postgresql/data' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'VOLUME /var/lib/postgresql/data' \
    --change 'EXPOSE 5432' \
    --change 'STOPSIGNAL SIGINT' \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    --change 'CMD ["postgres"]'
  local tag
  for tag in "${@:2}"; do
    docker tag "$1" "$tag"
    log "tagged $tag"
  done
  rm -rf --one-file-system "$dir"
}

# Stand-ins for mcr.microsoft.com/dotnet/aspnet and sdk: Debian 12 with this machine's .NET.
build_dotnet() {
  local label=$1 aspnet_tag=$2 sdk_tag=$3
  local dir=$WORK/rootfs dotnet_root runtime
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  runtime=$(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([^ ]*\) .*/\1/p' | sort -V | tail -n 1)
  # The official images' runtime dependencies (their runtime-deps layer).
  debootstrap_rootfs "$dir" ca-certificates,libicu72,libssl3,tzdata,zlib1g
  chroot "$dir" groupadd --gid 1654 app
  chroot "$dir" useradd --no-log-init --uid 1654 --gid 1654 --create-home app
  mkdir -p "$dir/usr/share/dotnet"
  local common=(
    --change 'ENV APP_UID=1654'
    --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true'
    --change "ENV DOTNET_VERSION=$runtime"
    --change "ENV ASPNET_VERSION=$runtime"
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  )
  if [[ -n $aspnet_tag ]]; then
    # The runtime image: the host (dotnet, hostfxr) and the shared frameworks, no SDK.
    local part
    for part in dotnet host shared LICENSE.txt ThirdPartyNotices.txt; do
      [[ ! -e $dotnet_root/$part ]] || cp -a "$dotnet_root/$part" "$dir/usr/share/dotnet/"
    done
    ln -sf /usr/share/dotnet/dotnet "$dir/usr/bin/dotnet"
    import_rootfs "$dir" "$aspnet_tag" "$label" "${common[@]}" \
      --change 'ENV ASPNETCORE_HTTP_PORTS=8080' \
      --change 'WORKDIR /app'
  fi
  if [[ -n $sdk_tag ]]; then
    cp -a "$dotnet_root/." "$dir/usr/share/dotnet/"
    ln -sf /usr/share/dotnet/dotnet "$dir/usr/bin/dotnet"
    # The build container reaches NuGet through this machine's network, whose TLS is signed by
    # an authority that this machine trusts: the SDK stand-in trusts what the machine trusts. No
    # certificate revocation server answers from here either: checking package signatures online
    # makes a restore wait a minute for time-outs, so it checks them offline (as the machine does).
    cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
    import_rootfs "$dir" "$sdk_tag" "$label" "${common[@]}" \
      --change 'ENV DOTNET_GENERATE_ASPNET_CERTIFICATE=false' \
      --change 'ENV DOTNET_NOLOGO=true' \
      --change 'ENV DOTNET_CLI_TELEMETRY_OPTOUT=1' \
      --change 'ENV DOTNET_USE_POLLING_FILE_WATCHER=true' \
      --change 'ENV NUGET_XMLDOC_MODE=skip' \
      --change 'ENV NUGET_CERT_REVOCATION_MODE=offline'
  fi
  rm -rf --one-file-system "$dir"
}

# The tags in use, read from the files that use them.
postgres_tags() {
  local compose tests
  compose=$(sed -n 's/^[[:space:]]*image:[[:space:]]*\(postgres:[^[:space:]]*\).*/\1/p' "$ROOT/deploy/docker-compose.yml")
  tests=$(sed -n 's/.*const string Image = "\(postgres:[^"]*\)".*/\1/p' "$ROOT/tests/Comp.Api.Tests/Infrastructure/TestDatabase.cs")
  [[ -n $compose ]] || die "no postgres image in deploy/docker-compose.yml"
  [[ -n $tests ]] || die "no 'const string Image = \"postgres:...\"' in tests/Comp.Api.Tests/Infrastructure/TestDatabase.cs"
  printf '%s\n%s\n' "$compose" "$tests" | sort -u
}
dockerfile_bases() { sed -n 's/^FROM[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$ROOT/deploy/Dockerfile" | sort -u; }

build_images() {
  local pg_label dotnet_label tag all_pg=() pg_tags=() aspnet='' sdk=''
  pg_label=$(recipe </dev/null)
  dotnet_label=$({ dotnet --list-sdks; dotnet --list-runtimes; } 2>/dev/null | recipe)
  mapfile -t all_pg < <(postgres_tags)
  for tag in "${all_pg[@]}"; do
    ! needs_build "$tag" "$pg_label" || pg_tags+=("$tag")
  done
  while read -r tag; do
    case $tag in
      mcr.microsoft.com/dotnet/aspnet:*) ! needs_build "$tag" "$dotnet_label" || aspnet=$tag ;;
      mcr.microsoft.com/dotnet/sdk:*) ! needs_build "$tag" "$dotnet_label" || sdk=$tag ;;
      *) die "deploy/Dockerfile uses $tag, for which this script has no stand-in" ;;
    esac
  done < <(dockerfile_bases)
  if ((${#pg_tags[@]} == 0)) && [[ -z $aspnet && -z $sdk ]]; then
    log "images present: ${all_pg[*]} $(dockerfile_bases | tr '\n' ' ')"
    return 0
  fi

  # The stand-ins these builds replace, removed once no tag names them.
  local replaced=() id
  for tag in "${pg_tags[@]}" $aspnet $sdk; do
    id=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null) && replaced+=("$id")
  done

  WORK=$(mktemp -d /var/tmp/comp-docker-images.XXXXXX)
  trap cleanup EXIT
  ((${#pg_tags[@]} == 0)) || build_postgres "$pg_label" "${pg_tags[@]}"
  [[ -z $aspnet && -z $sdk ]] || {
    command -v dotnet >/dev/null || die "the .NET stand-ins are built from this machine's SDK: no dotnet on PATH"
    build_dotnet "$dotnet_label" "$aspnet" "$sdk"
  }
  for id in "${replaced[@]}"; do
    [[ $(docker image inspect --format '{{len .RepoTags}}' "$id" 2>/dev/null) != 0 ]] || docker image rm "$id" >/dev/null 2>&1 || true
  done
}

# --- Main -----------------------------------------------------------------------------------

case ${1:-} in
  --stop) stop; exit 0 ;;
  '') ;;
  *) die "usage: $0 [--stop]" ;;
esac

# One run at a time: a second waits for the first (installs and image builds are not shareable).
mkdir -p "$STATE_DIR" 2>/dev/null || true
if [[ -w $STATE_DIR ]]; then
  exec 9>"$STATE_DIR/lock"
  flock 9
fi

status=running
api=$(server_api)
if [[ -z $api ]]; then
  check_machine
  dockerd_new_enough || install_engine
  dockerd_new_enough || die "installed docker.io, but dockerd is still older than 25.0"
  start_dockerd
  status=started
  api=$(server_api)
fi
version_ge "$api" "$MIN_API" \
  || die "the Docker engine that answers speaks API $api; Testcontainers needs $MIN_API or later (Docker 25+). Stop it, and this script installs a newer one."
# Said before the images are built: a caller that started dockerd through us stops it even when
# a build fails.
echo "$status"
build_images
