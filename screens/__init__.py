"""zhibu screens package."""
