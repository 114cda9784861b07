"""Registry writes: accreditation and certification bodies, accreditations (`bodies`),
certificates (`certificates`) and the shipped reference data (`seed`). Each write is authorised
by role and binding, recorded in history and the audit trail, and marks what it touched for the
watches (DESIGN.md, "The registry changes only when someone says so")."""
