"""HTTP plumbing around the routers: middleware (request id, JSON bodies, security headers),
limits and timeouts, rate limits, observability, the OpenAPI document and fast JSON responses.
`hardening.install_hardening` installs the production layers in order."""
