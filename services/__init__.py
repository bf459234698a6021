"""Use cases: one module each; the CLI and the screens both call these."""
