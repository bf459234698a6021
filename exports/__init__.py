"""zhibu exports package."""
