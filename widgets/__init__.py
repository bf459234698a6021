"""zhibu widgets package."""
