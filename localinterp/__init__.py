"""localinterp: a local-first, offline model runner that lets a language model run code on your machine."""

__version__ = "0.1.0"

import logging as _logging

# A library logs; the application decides what is shown (the CLI's --debug, or the caller's own config).
_logging.getLogger("localinterp").addHandler(_logging.NullHandler())
