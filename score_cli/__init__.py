"""score: client intake and mentor assignment from the terminal."""

__version__ = "0.1.0"
