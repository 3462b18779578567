// Labels shared by every manifest (only in lib-base).
{
  common(app):: {
    'app.kubernetes.io/name': app,
    'app.kubernetes.io/managed-by': 'jaas',
  },
}
