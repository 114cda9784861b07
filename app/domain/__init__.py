"""Pure rules: no I/O, no framework, no settings, no clock (the caller passes `as_of` and
`today`). `verification` is the engine, `changes` what a registry write changes, `names` and
`normalize` how claims and keys compare, `facts` the plain data they read, `vocabulary` the
status words of imports. import-linter keeps this package pure (`make lint`)."""
