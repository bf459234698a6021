"""zhibu storage package."""
