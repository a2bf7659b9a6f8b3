"""Administration pages: people, campaigns and background jobs."""
