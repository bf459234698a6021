"""zhibu tui package."""
