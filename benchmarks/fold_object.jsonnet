// Builds an object one field at a time: `acc + {[k]: ...}` in std.foldl.
// Object extension appends the new layer to the accumulator's layer stack in
// place, so this stays linear in n (run with `--tla-code n=100000`).
function(n=20000)
  local keys = ['k%d' % i for i in std.range(1, n)];
  local o = std.foldl(function(acc, k) acc + { [k]: std.length(k) }, keys, {});
  std.foldl(function(sum, k) sum + o[k], std.objectFields(o), 0)
