# Starts the platform emulator in the background on the ports app-config.yaml
# names, and exports what the backend needs to reach it. Sourced by
# scripts/start and scripts/e2e (after bootstrap.sh, from the repository root).
#
#   luban_start_emulator <state-dir> [more emulator options]
#
# Sets LUBAN_EMULATOR_PID; exports LUBAN_EMULATOR_TOKEN, LUBAN_WEBHOOK_SECRET
# and NODE_EXTRA_CA_CERTS.
luban_start_emulator() {
  local state_dir="$1"
  shift
  rm -f "$state_dir/kubeconfig"
  # The secret push webhooks are signed with (luban.webhooks.secret): random
  # for this run unless set. Made before the emulator starts, which registers
  # luban's push webhook on the demo's source repositories with it, so that a
  # push is built at once (kpack itself looks for new commits once a minute).
  if [ -z "${LUBAN_WEBHOOK_SECRET:-}" ]; then
    LUBAN_WEBHOOK_SECRET="$(node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("hex"))')"
  fi
  export LUBAN_WEBHOOK_SECRET
  node packages/emulator/bin/luban-emulator --state-dir "$state_dir" \
    --kubernetes-port 7011 --harbor-port 7012 --github-port 7013 --azure-port 7014 \
    --luban-webhook-url http://localhost:7007/api/events/http/luban-github \
    --seed "$@" &
  LUBAN_EMULATOR_PID=$!
  # It writes the kubeconfig once the demo is seeded: two projects' builds and
  # syncs, which take a while on a busy 2-core machine.
  for _ in $(seq 1 600); do
    [ -f "$state_dir/kubeconfig" ] && break
    kill -0 "$LUBAN_EMULATOR_PID" 2>/dev/null || break
    sleep 0.2
  done
  if [ ! -f "$state_dir/kubeconfig" ]; then
    luban_log "the emulator did not start (are ports 7011-7014 free?)"
    return 1
  fi
  # One credential for every emulated system, read by app-config.yaml.
  LUBAN_EMULATOR_TOKEN="$(cat "$state_dir/token")"
  export LUBAN_EMULATOR_TOKEN
  # The backend must trust the emulator's self-signed certificate (Kubernetes
  # and Azure DevOps speak HTTPS), in addition to the usual authorities.
  cat "${NODE_EXTRA_CA_CERTS:-/dev/null}" "$state_dir/ca.crt" >"$state_dir/ca-bundle.crt" 2>/dev/null ||
    cp "$state_dir/ca.crt" "$state_dir/ca-bundle.crt"
  export NODE_EXTRA_CA_CERTS="$state_dir/ca-bundle.crt"
}
