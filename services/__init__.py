"""Use cases: one module each; the CLI and the screens both call these.

The only layer that orchestrates domain, storage and exports. Callers pass
explicit inputs and catch one error family, services.errors.DomainError."""
