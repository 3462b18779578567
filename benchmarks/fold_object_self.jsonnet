// Like fold_object, with `+:` and `self` in every layer: late binding over a
// long layer stack (each field's value is cached per object, `super` by index).
function(n=20000)
  local o = std.foldl(function(acc, i) acc + { ['k%d' % i]: i, total+: i, last: self['k%d' % i] }, std.range(1, n), { total: 0 });
  [std.length(std.objectFields(o)), o.total, o.last]
