// Builds a string one piece at a time: `acc + s` in std.foldl (a rope,
// flattened once), linear in n.
function(n=20000)
  std.length(std.foldl(function(acc, i) acc + std.toString(i % 10), std.range(1, n), ''))
