// Object inheritance: a base template, a variant that overrides parts of it with
// `+:` and `super`, and hidden fields (::) that stay out of the output.
// GET /jsonnet/inheritance
local service = import 'service.libsonnet';

local web = service {
  name: 'web',
  port: 8080,
};

local api = web {
  name: 'api',
  replicas: super.replicas * 3,
  env+: { LOG_LEVEL: 'debug' },
};

{
  web: web.config,
  api: api.config,
}
