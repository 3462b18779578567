#!/usr/bin/env bash
# Smoke test on a real cluster, for a machine with Docker, kind, kubectl and helm
# (it cannot run in this project's CI, which has neither Docker nor a network):
# builds the image, loads it into a kind cluster, installs Flux's source-controller
# and the chart in operator mode, applies the operator examples and waits for Ready.
#
#   scripts/kind-smoke.sh            (from the repository root; deletes nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
cluster="${KIND_CLUSTER:-jaas-smoke}"
flux_version="${FLUX_VERSION:-v2.6.4}"

docker build -f Containerfile --build-arg JAAS_COMMIT="$(git rev-parse HEAD)" -t jaas:smoke .
grep -qx "$cluster" <<<"$(kind get clusters)" || kind create cluster --name "$cluster"
kind load docker-image jaas:smoke --name "$cluster"

# Flux's source-controller serves the ExternalArtifact CRD the operator publishes.
kubectl apply -f "https://github.com/fluxcd/flux2/releases/download/$flux_version/install.yaml"
kubectl -n flux-system wait --for=condition=Available deployment/source-controller --timeout=180s

helm upgrade --install jaas charts/jaas --namespace jaas-system --create-namespace --wait \
    --set operator.enabled=true --set image.registry=docker.io --set image.repository=library/jaas \
    --set image.tag=smoke --set image.pullPolicy=Never
kubectl apply -f examples/operator/tenant-rbac.yaml -f examples/operator/snippet-inline.yaml
kubectl wait --for=condition=Ready jsonnetsnippet/hello --timeout=120s
kubectl get jsonnetsnippets,externalartifacts -A
echo "kind smoke test passed (cluster $cluster kept; kind delete cluster --name $cluster)"
