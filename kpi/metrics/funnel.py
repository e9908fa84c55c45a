"""KPI metrics: funnel (registered on import)."""
