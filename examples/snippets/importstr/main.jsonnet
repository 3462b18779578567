// importstr reads a file as a string: first relative to this file,
// then in the library paths (banner.txt lives in examples/lib-base).
// GET /jsonnet/importstr
local motd = importstr 'motd.txt';
local banner = importstr 'banner.txt';
{
  motd: motd,
  banner: banner,
}
