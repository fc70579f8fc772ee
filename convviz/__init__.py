"""convviz: see 2-D convolution happen (Dive into Deep Learning, section 6.2)."""

__version__ = "0.1.0"
