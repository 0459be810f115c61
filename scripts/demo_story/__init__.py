"""The pull-request-to-production story that `scripts/demo` tells against the local sandbox."""
