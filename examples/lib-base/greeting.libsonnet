// Shadowed by examples/lib-override/greeting.libsonnet when both paths are given.
{
  source: 'lib-base',
  greet(name): 'Hello, ' + name,
}
