"""zhibu domain package."""
