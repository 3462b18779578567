#!/usr/bin/env bash
# Watch the operator work without a cluster: starts kube-test-server (the
# project's Kubernetes API stand-in), applies every CRD the operator uses (its
# own JsonnetSnippet and JsonnetLibrary, and the Flux kinds it watches:
# GitRepository, OCIRepository, Bucket, ExternalArtifact), the tenant RBAC and an
# inline snippet with the real kubectl, runs `jaas --enable-flux-integration`,
# waits for the snippet to become Ready, shows the ExternalArtifact and
# downloads the published tarball, checking its digest. Then it stops the
# operator (SIGTERM) before its API server and checks that the operator's log
# has no error line. The log is kept (its path is printed at the end, also when
# the demo fails).
#
#   examples/operator/run-demo.sh        (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."

swift build --product jaas >&2
swift build --product kube-test-server >&2
scripts/install-kubectl
bin="$(swift build --show-bin-path)"
kubectl=".build/tools/bin/kubectl"
work="$(mktemp -d)"
log="$(mktemp -t jaas-operator-demo.XXXXXX.log)"
pids=()
cleanup() {
    # The newest first: the operator stops before the API server it talks to.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill "${pids[i]}" 2>/dev/null || true
        wait "${pids[i]}" 2>/dev/null || true
    done
    rm -rf "$work"
    echo "operator log: $log"
}
trap cleanup EXIT

echo "== starting kube-test-server"
"$bin/kube-test-server" --port 0 --kubeconfig-out "$work/kubeconfig" > "$work/port" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
export KUBECONFIG="$work/kubeconfig"
echo "API server on port $(cat "$work/port")"

echo "== kubectl apply: CRDs, tenant RBAC, an inline snippet"
# config/crd: JsonnetSnippet and JsonnetLibrary; config/crd/test: the Flux source
# kinds the operator watches (a test subset of Flux's CRDs, from scripts/gen-crds.py).
$kubectl apply -f config/crd/jaas.metio.wtf_jsonnetsnippets.yaml \
    -f config/crd/jaas.metio.wtf_jsonnetlibraries.yaml \
    -f config/crd/test/source.toolkit.fluxcd.io_gitrepositories.yaml \
    -f config/crd/test/source.toolkit.fluxcd.io_ocirepositories.yaml \
    -f config/crd/test/source.toolkit.fluxcd.io_buckets.yaml \
    -f config/crd/test/source.toolkit.fluxcd.io_externalartifacts.yaml
$kubectl apply -f examples/operator/tenant-rbac.yaml
$kubectl apply -f examples/operator/snippet-inline.yaml

storage_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "== starting jaas --enable-flux-integration (storage on port $storage_port)"
"$bin/jaas" --enable-flux-integration --kubeconfig "$work/kubeconfig" \
    --storage-path "$work/storage" --storage-base-url "http://127.0.0.1:$storage_port" \
    --storage-listen-address 127.0.0.1 --storage-port "$storage_port" \
    --port 0 --management-port 0 --metrics-bind-address 0 --log-format text 2> "$log" &
operator=$!
pids+=("$operator")

$kubectl wait --for=condition=Ready jsnip/hello --timeout=60s
$kubectl get jsnip
echo "== the published ExternalArtifact"
$kubectl get externalartifacts.source.toolkit.fluxcd.io hello -o yaml

url=$($kubectl get externalartifacts.source.toolkit.fluxcd.io hello -o jsonpath='{.status.artifact.url}')
digest=$($kubectl get externalartifacts.source.toolkit.fluxcd.io hello -o jsonpath='{.status.artifact.digest}')
echo "== downloading $url"
curl -fsS "$url" -o "$work/artifact.tar.gz"
actual="sha256:$(sha256sum "$work/artifact.tar.gz" | cut -d' ' -f1)"
[ "$actual" = "$digest" ] || { echo "digest mismatch: $actual != $digest"; exit 1; }
echo "digest verified: $digest"
tar -xzOf "$work/artifact.tar.gz" rendered.json

echo "== stopping the operator (SIGTERM), then the API server"
started=$(date +%s.%N)
kill -TERM "$operator"
wait "$operator" || { echo "the operator exited with status $?"; exit 1; }
echo "the operator stopped after $(python3 -c "print(f'{$(date +%s.%N) - $started:.1f}')") s"
unset 'pids[${#pids[@]}-1]'
if grep -Ei 'error|404|failed' "$log"; then
    echo "the operator's log has error lines (above)"
    exit 1
fi
echo "the operator's log has no error line"
