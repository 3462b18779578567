// Top-level arguments come from the query string:
//   /jsonnet/tla?name=Ada               name = "Ada"
//   /jsonnet/tla?tag=a&tag=b            tag = ["a", "b"]   (a repeated key is an array)
//   /jsonnet/tla?verbose                verbose = ""       (a bare key is the empty string)
function(name='world', tag=[], verbose=null)
  local tags = if std.isArray(tag) then tag else [tag];
  {
    greeting: 'Hello, ' + name + '!',
    tags: tags,
    tagCount: std.length(tags),
    verbose: verbose != null,
  }
