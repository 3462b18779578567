// Wins over examples/lib-base/greeting.libsonnet: the right-most --library-path wins.
{
  source: 'lib-override',
  greet(name): 'Hi there, ' + name + '!',
}
