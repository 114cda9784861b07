"""Pure verification rules: no I/O, no framework, no clock (the caller passes `as_of`)."""
