// Builds an array one element at a time: `acc + [x]` in std.foldl.
function(n=20000)
  std.length(std.foldl(function(acc, i) acc + [i], std.range(1, n), []))
