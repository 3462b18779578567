// The JaaS operations dashboard: the service-level band on top (are snippets
// published, and how fast), then the internals that explain it (failures by
// reason, the work queue, evaluation slots, artifact sizes, leadership, storage,
// the API server, the process). Plain Jsonnet, no libraries; rendered by our own
// engine (scripts/render-dashboards) into charts/jaas/files/dashboards/jaas.json,
// which the chart ships as a ConfigMap for Grafana's sidecar
// (metrics.dashboard.enabled). docs/operations.md describes each panel.
local ds = { type: 'prometheus', uid: '${datasource}' };
local ctl = 'controller="jsonnetsnippet"';
local failing = 'status="False",reason!="Suspended"';

local target(expr, legend='', instant=false) = {
  datasource: ds,
  expr: expr,
  legendFormat: legend,
  [if instant then 'instant']: true,
  [if instant then 'format']: 'table',
};

local panel(type, title, description, targets, unit='short', w=8, h=8) = {
  type: type,
  title: title,
  description: description,
  datasource: ds,
  targets: [t { refId: std.char(65 + i) } for i in std.range(0, std.length(targets) - 1) for t in [targets[i]]],
  fieldConfig: { defaults: { unit: unit }, overrides: [] },
  options: {},
  w:: w,
  h:: h,
};

local timeseries(title, description, targets, unit='short', w=8) = panel('timeseries', title, description, targets, unit, w);
local stat(title, description, targets, unit='percentunit', thresholds=[]) =
  panel('stat', title, description, targets, unit, 6, 5) {
    fieldConfig+: { defaults+: { thresholds: { mode: 'absolute', steps: thresholds } } },
    options: { reduceOptions: { calcs: ['lastNotNull'] }, colorMode: 'background' },
  };
local row(title) = { type: 'row', title: title, collapsed: false, panels: [], w:: 24, h:: 1 };

// Lays panels out left to right, wrapping at 24 columns, and numbers them.
local layout(panels) =
  local step(acc, p) =
    local wrap = acc.x + p.w > 24;
    local x = if wrap then 0 else acc.x;
    local y = if wrap then acc.y + acc.h else acc.y;
    {
      x: x + p.w,
      y: y,
      h: if wrap then p.h else std.max(acc.h, p.h),
      out: acc.out + [p { id: std.length(acc.out) + 1, gridPos: { x: x, y: y, w: p.w, h: p.h } }],
    };
  std.foldl(step, panels, { x: 0, y: 0, h: 0, out: [] }).out;

local availability(window) =
  'sum(rate(jaas_snippet_reconcile_total{status="True"}[%s])) / sum(rate(jaas_snippet_reconcile_total{reason!="Suspended"}[%s]))' % [window, window];
local fastEnough(window) =
  // `le` is "30" from Go exporters and "30.0" from ours (Prometheus 3 normalises both to "30.0").
  'sum(rate(controller_runtime_reconcile_time_seconds_bucket{%s,le=~"30|30[.]0"}[%s])) / sum(rate(controller_runtime_reconcile_time_seconds_count{%s}[%s]))' % [ctl, window, ctl, window];
local quantile(q, metric, selector='', by='le', window='5m') =
  'histogram_quantile(%s, sum by (%s) (rate(%s_bucket{%s}[%s])))' % [q, by, metric, selector, window];

local panels = [
  row('Service level'),
  stat('Reconcile availability (1h)', 'Share of reconciles (Suspended aside) that left the snippet Ready=True over the last hour.',
       [target(availability('1h'))], thresholds=[{ color: 'red', value: null }, { color: 'orange', value: 0.95 }, { color: 'green', value: 0.99 }]),
  stat('Reconciles under 30 s (1h)', 'Share of reconciles of the snippet controller that took at most 30 s (the JaaSReconcileLatencyHigh threshold).',
       [target(fastEnough('1h'))], thresholds=[{ color: 'red', value: null }, { color: 'orange', value: 0.95 }, { color: 'green', value: 0.99 }]),
  stat('Snippets failing now', 'Snippets with a failed reconcile in the last 15 minutes (each has a Ready message with its runbook link).',
       [target('count(sum by (namespace, name) (increase(jaas_snippet_reconcile_total{%s}[15m])) > 0) or vector(0)' % failing)],
       unit='short', thresholds=[{ color: 'green', value: null }, { color: 'orange', value: 1 }]),
  stat('Evaluation slots in use', 'In-flight evaluations over --max-concurrent-evals (renderer and operator together).',
       [target('sum(jaas_eval_in_flight) / sum(jaas_eval_max_concurrent)')],
       thresholds=[{ color: 'green', value: null }, { color: 'orange', value: 0.75 }, { color: 'red', value: 0.9 }]),
  timeseries('Reconcile availability', 'Share of reconciles ending Ready=True, 5-minute windows.', [target(availability('5m'), 'availability')], 'percentunit', 12),
  timeseries('Reconcile latency', 'p50 and p99 of controller_runtime_reconcile_time_seconds for the snippet controller.',
             [target(quantile('0.5', 'controller_runtime_reconcile_time_seconds', ctl), 'p50'),
              target(quantile('0.99', 'controller_runtime_reconcile_time_seconds', ctl), 'p99')], 's', 12),

  row('Failures'),
  timeseries('Failed reconciles by reason', 'Failed reconciles per second by Ready reason (Error: the reconcile itself failed; EvalUnavailable: no evaluation slot).',
             [target('sum by (reason) (rate(jaas_snippet_reconcile_total{%s}[5m]))' % failing, '{{reason}}')], 'ops', 12),
  panel('table', 'Failing snippets', 'Snippets with failed reconciles in the last 15 minutes, by reason: the rows JaaSSnippetReconcileErrorsHigh looks at.',
        [target('sum by (namespace, name, reason) (increase(jaas_snippet_reconcile_total{%s}[15m])) > 0' % failing, instant=true)], 'short', 12),

  row('Work queue'),
  timeseries('Queue depth', 'Snippets waiting for a worker (workqueue_depth), and keys queued and retried per second.',
             [target('sum(workqueue_depth{%s})' % ctl, 'depth'),
              target('sum(rate(workqueue_adds_total{%s}[5m]))' % ctl, 'adds/s'),
              target('sum(rate(workqueue_retries_total{%s}[5m]))' % ctl, 'retries/s')]),
  timeseries('Queue wait and work time', 'p99 time a key waited in the queue and p99 time a worker spent on it.',
             [target(quantile('0.99', 'workqueue_queue_duration_seconds', ctl), 'wait p99'),
              target(quantile('0.99', 'workqueue_work_duration_seconds', ctl), 'work p99')], 's'),
  timeseries('Workers', 'Workers reconciling now against --reconcile-workers; longest-running reconcile in progress.',
             [target('sum(controller_runtime_active_workers{%s})' % ctl, 'active'),
              target('sum(controller_runtime_max_concurrent_reconciles{%s})' % ctl, 'max'),
              target('max(workqueue_longest_running_processor_seconds{%s})' % ctl, 'longest running (s)')]),

  row('Evaluation and artifacts'),
  timeseries('Evaluation saturation', 'Evaluations in flight, the cap, and refusals per second (503 for the renderer, EvalUnavailable for snippets).',
             [target('sum(jaas_eval_in_flight)', 'in flight'),
              target('sum(jaas_eval_max_concurrent)', 'cap'),
              target('sum(rate(jaas_eval_unavailable_total[5m]))', 'refused/s'),
              target('sum(jaas_eval_outstanding_timed_out)', 'timed out, still running')]),
  timeseries('Artifact size p99 by snippet', 'p99 size of the artifacts each snippet published in the last hour (JaaSSnippetArtifactGrowing fires above 16 MiB).',
             [target(quantile('0.99', 'jaas_snippet_rendered_bytes', by='namespace, name, le', window='1h'), '{{namespace}}/{{name}}')], 'bytes'),
  timeseries('Publishes per minute', 'Artifacts published per minute.', [target('60 * sum(rate(jaas_snippet_rendered_bytes_count[5m]))', 'published/min')]),

  row('Operator'),
  timeseries('Leader', '1 on the replica holding the Lease (leader_election_master_status); exactly one line should be at 1.',
             [target('max by (instance, name) (leader_election_master_status)', '{{instance}} {{name}}')]),
  timeseries('Storage and cleanup', 'Stored files that could not be removed, forced finalizer drops and tenant token failures, per hour.',
             [target('sum(increase(jaas_storage_sweep_failures_total[1h]))', 'sweep failures'),
              target('sum(increase(jaas_snippet_force_drop_total[1h])) or vector(0)', 'force drops'),
              target('sum(increase(jaas_tenant_token_mint_failures_total[1h])) or vector(0)', 'token mint failures')]),
  timeseries('API server requests', 'Kubernetes API requests per second by answer code (429 and 5xx mean the API server pushes back).',
             [target('sum by (code) (rate(rest_client_requests_total[5m]))', '{{code}}')], 'reqps'),
  timeseries('Process', 'Resident memory and CPU of each JaaS process.',
             [target('process_resident_memory_bytes', 'rss {{instance}}'),
              target('rate(process_cpu_seconds_total[5m])', 'cpu {{instance}}')], 'short', 24),
];

{
  title: 'JaaS',
  uid: 'jaas-operations',
  description: 'Jsonnet as a Service: reconcile availability and latency, and the internals behind them.',
  tags: ['jaas'],
  schemaVersion: 39,
  version: 1,
  editable: true,
  time: { from: 'now-6h', to: 'now' },
  refresh: '1m',
  templating: {
    list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' }],
  },
  panels: layout(panels),
}
