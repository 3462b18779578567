// Started with --library-path examples/lib-base --library-path examples/lib-override,
// an import is searched relative to this file, then in lib-override, then in lib-base:
// the right-most library path wins.
//   greeting.libsonnet exists in both libraries -> lib-override's copy
//   labels.libsonnet exists only in lib-base    -> lib-base's copy
// GET /jsonnet/library-precedence
local greeting = import 'greeting.libsonnet';
local labels = import 'labels.libsonnet';
{
  greeting: greeting.greet('JaaS'),
  greetingFrom: greeting.source,
  labels: labels.common('demo'),
}
