// A base service template: override name, port, replicas or env.
{
  name:: error 'name is required',
  port:: 80,
  replicas:: 1,
  env:: { LOG_LEVEL: 'info' },
  config:: {
    name: $.name,
    port: $.port,
    replicas: $.replicas,
    env: [{ name: k, value: $.env[k] } for k in std.objectFields($.env)],
  },
}
