"""HTTP plumbing around the routers: middleware (request id, JSON bodies, security headers),
limits and timeouts, rate limits, observability, the OpenAPI document and fast JSON responses.
`install.install_http` puts them all around the app, in order (create_app calls it)."""
