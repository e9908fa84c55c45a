"""KPI metrics: complexes (registered on import)."""
