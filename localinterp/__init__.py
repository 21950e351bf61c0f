"""localinterp: a local-first, offline model runner that lets a language model run code on your machine."""

__version__ = "0.1.0"
