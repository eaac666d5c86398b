"""The ${{ values.app }} service."""

__version__ = "0.1.0"
