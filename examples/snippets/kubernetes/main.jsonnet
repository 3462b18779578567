// A Kubernetes manifest: a List with a ServiceAccount, ConfigMap, Deployment,
// Service, HorizontalPodAutoscaler and PodDisruptionBudget for each component.
// Uses the `environment` external variable and two top-level arguments:
//   GET /jsonnet/kubernetes?namespace=shop&tag=1.4.2
local k8s = import 'k8s.libsonnet';

function(namespace='default', tag='latest')
  local environment = std.extVar('environment');
  local production = environment == 'prod';
  local defaults = {
    tag: tag,
    port: 8080,
    replicas: if production then 3 else 1,
    cpu: 100,
    memory: 128,
    env: { ENVIRONMENT: environment },
    config: { environment: environment, features: [] },
  };
  local components = [
    defaults { name: 'frontend', image: 'registry.example.com/shop/frontend', memory: 64 },
    defaults {
      name: 'catalog',
      image: 'registry.example.com/shop/catalog',
      env+: { CACHE_TTL: '30s' },
      config+: { features: ['search', 'recommendations'] },
    },
    defaults {
      name: 'checkout',
      image: 'registry.example.com/shop/checkout',
      cpu: 250,
      memory: 256,
      replicas: if production then 5 else 1,
      env+: { PAYMENT_PROVIDER: 'stripe', RETRIES: 3 },
      config+: { features: ['coupons'], currencies: ['EUR', 'USD', 'GBP'] },
    },
    defaults { name: 'worker', image: 'registry.example.com/shop/worker', port: 9090 },
  ];
  k8s.list(std.flattenArrays([
    [
      k8s.serviceAccount(c, namespace),
      k8s.configMap(c, namespace),
      k8s.deployment(c, namespace),
      k8s.service(c, namespace),
      k8s.autoscaler(c, namespace),
      k8s.disruptionBudget(c, namespace),
    ]
    for c in components
  ]))
