// Small constructors for Kubernetes objects.
local labels = import 'labels.libsonnet';

{
  metadata(name, namespace, app):: {
    name: name,
    namespace: namespace,
    labels: labels.common(app),
  },

  deployment(c, namespace):: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: $.metadata(c.name, namespace, c.name),
    spec: {
      replicas: c.replicas,
      selector: { matchLabels: labels.common(c.name) },
      template: {
        metadata: { labels: labels.common(c.name) },
        spec: {
          serviceAccountName: c.name,
          containers: [{
            name: c.name,
            image: c.image + ':' + c.tag,
            ports: [{ name: 'http', containerPort: c.port }],
            env: [{ name: k, value: std.toString(c.env[k]) } for k in std.objectFields(c.env)],
            resources: {
              requests: { cpu: c.cpu + 'm', memory: c.memory + 'Mi' },
              limits: { memory: (c.memory * 2) + 'Mi' },
            },
            readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
            livenessProbe: { httpGet: { path: '/live', port: 'http' }, periodSeconds: 10 },
          }],
        },
      },
    },
  },

  service(c, namespace):: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: $.metadata(c.name, namespace, c.name),
    spec: {
      selector: labels.common(c.name),
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    },
  },

  serviceAccount(c, namespace):: {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: $.metadata(c.name, namespace, c.name),
  },

  configMap(c, namespace):: {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: $.metadata(c.name + '-config', namespace, c.name),
    data: { 'config.json': std.toString(c.config) },
  },

  autoscaler(c, namespace):: {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: $.metadata(c.name, namespace, c.name),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: c.name },
      minReplicas: c.replicas,
      maxReplicas: c.replicas * 4,
      metrics: [{
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
      }],
    },
  },

  disruptionBudget(c, namespace):: {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: $.metadata(c.name, namespace, c.name),
    spec: { minAvailable: std.max(1, c.replicas - 1), selector: { matchLabels: labels.common(c.name) } },
  },

  list(items):: { apiVersion: 'v1', kind: 'List', items: items },
}
