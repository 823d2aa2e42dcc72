"""One module per platform, named like the collection's platform (see ../README.md)."""
