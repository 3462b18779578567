// The smallest snippet: GET /jsonnet/hello
{
  message: 'Hello from JaaS',
  answer: 6 * 7,
}
