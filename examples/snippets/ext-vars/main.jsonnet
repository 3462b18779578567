// External variables are fixed when the renderer starts:
//   JAAS_EXT_VAR_environment=prod   (environment variable)
//   --ext-var environment=dev       (flag; wins over the environment variable)
// GET /jsonnet/ext-vars
{
  environment: std.extVar('environment'),
  debug: std.extVar('environment') != 'prod',
}
