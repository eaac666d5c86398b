"""The ${{ values.app }} Dagster code location."""
