"""The Jupyter kernel for Sire: kernel, display, completion, lexer, install."""
