"""The stand-in server's routes, one module per area of protocol.md §4."""
